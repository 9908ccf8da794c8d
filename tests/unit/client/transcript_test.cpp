#include "client/transcript.hpp"

#include <gtest/gtest.h>

namespace ims::client {
namespace {

TranscriptEntry entry(std::uint64_t seq, std::string text, Direction d = Direction::Sent) {
  return {"alice", std::chrono::system_clock::time_point(std::chrono::milliseconds(seq)), seq, d,
          std::move(text)};
}

TEST(Transcript, KeepsSequenceOrderWhateverTheArrivalOrder) {
  Transcript t;
  EXPECT_TRUE(t.add(entry(2, "second")));
  EXPECT_TRUE(t.add(entry(3, "third", Direction::Received)));
  EXPECT_TRUE(t.add(entry(1, "first")));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.entries()[0].text, "first");
  EXPECT_EQ(t.entries()[1].text, "second");
  EXPECT_EQ(t.entries()[2].text, "third");
  EXPECT_EQ(t.entries()[2].direction, Direction::Received);
}

TEST(Transcript, ASequenceNumberSeenBeforeIsARetransmission) {
  Transcript t;
  EXPECT_TRUE(t.add(entry(1, "once")));
  EXPECT_FALSE(t.add(entry(1, "again")));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.entries()[0].text, "once");
}

}  // namespace
}  // namespace ims::client
