// SqliteStore, IM sessions: a session and its transcript go in, come out in seq order with every
// byte intact, survive a restart, and a session left live by a dead process is closed on start.

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "switch/store/schema.hpp"
#include "switch/store/sqlite_store.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::await;

SessionRecord make_session(std::string id) {
  SessionRecord s;
  s.id = std::move(id);
  s.initiator = "alice";
  s.target = "bob";
  s.state = "live";
  s.started_at_ms = 1'764'000'000'000;
  s.initiator_call_id = "a84b4c76e66710@pc33";
  s.target_call_id = "imsw-Qx81";
  return s;
}

TranscriptEntry make_entry(const std::string& session, std::uint32_t seq, std::string body) {
  TranscriptEntry e;
  e.session_id = session;
  e.seq = seq;
  e.stamped_at_ms = 1'764'000'000'000 + seq * 1000;
  e.sender = seq % 2 ? "alice" : "bob";
  e.recipient = seq % 2 ? "bob" : "alice";
  e.content_type = "text/plain;charset=UTF-8";
  e.body = std::move(body);
  return e;
}

class TranscriptStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  std::unique_ptr<SqliteStore> open() {
    SqliteStore::Options o;
    o.path = dir_.file("store.db");
    auto s = SqliteStore::open(o, io_.get_executor());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
  }
  Result<void> start(Store& s, SessionRecord r) {
    return await<void>(io_, [&](auto h) { s.record_session_start(std::move(r), h); });
  }
  Result<void> append(Store& s, TranscriptEntry e) {
    return await<void>(io_, [&](auto h) { s.append_message(std::move(e), h); });
  }
  Result<void> end(Store& s, std::string id, std::string by, std::string reason) {
    return await<void>(io_, [&](auto h) {
      s.record_session_end(std::move(id), 1'764'000'099'000, std::move(by), std::move(reason), h);
    });
  }
  Result<Transcript> load(Store& s, std::string id) {
    return await<Transcript>(io_, [&](auto h) { s.load_transcript(std::move(id), h); });
  }

  test::TempDir dir_;
  boost::asio::io_context io_;
};

TEST_F(TranscriptStoreTest, ASessionAndItsMessagesComeBackInSeqOrder) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(start(*s, make_session("s1")).ok());
  ASSERT_TRUE(append(*s, make_entry("s1", 1, "Hello Bob")).ok());
  ASSERT_TRUE(append(*s, make_entry("s1", 3, std::string("bytes\0and more", 14))).ok());
  ASSERT_TRUE(append(*s, make_entry("s1", 2, "Hi Alice")).ok());

  auto t = load(*s, "s1");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->session.initiator, "alice");
  EXPECT_EQ(t->session.target, "bob");
  EXPECT_EQ(t->session.state, "live");
  EXPECT_EQ(t->session.initiator_call_id, "a84b4c76e66710@pc33");
  EXPECT_EQ(t->session.target_call_id, "imsw-Qx81");
  ASSERT_EQ(t->messages.size(), 3u);
  EXPECT_EQ(t->messages[0].seq, 1u);
  EXPECT_EQ(t->messages[0].body, "Hello Bob");
  EXPECT_EQ(t->messages[0].sender, "alice");
  EXPECT_EQ(t->messages[0].recipient, "bob");
  EXPECT_EQ(t->messages[0].stamped_at_ms, 1'764'000'001'000);
  EXPECT_EQ(t->messages[1].seq, 2u);
  EXPECT_EQ(t->messages[1].sender, "bob");
  EXPECT_EQ(t->messages[2].body, std::string("bytes\0and more", 14));
  EXPECT_EQ(t->messages[2].content_type, "text/plain;charset=UTF-8");
}

TEST_F(TranscriptStoreTest, ASessionWithoutAStateStartsLive) {
  auto s = open();
  ASSERT_TRUE(s);
  auto r = make_session("s1");
  r.state.clear();
  ASSERT_TRUE(start(*s, r).ok());
  auto t = load(*s, "s1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->session.state, "live");
}

TEST_F(TranscriptStoreTest, AnEndIsRecordedOnceWithWhoAndWhy) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(start(*s, make_session("s1")).ok());
  ASSERT_TRUE(end(*s, "s1", "bob", "bye").ok());
  ASSERT_TRUE(end(*s, "s1", "alice", "dead-leg").ok()) << "a second end changes nothing";
  auto t = load(*s, "s1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->session.state, "ended");
  EXPECT_EQ(t->session.ended_by, "bob");
  EXPECT_EQ(t->session.end_reason, "bye");
  EXPECT_EQ(t->session.ended_at_ms, 1'764'000'099'000);
}

TEST_F(TranscriptStoreTest, ASeqIsWrittenOnce) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(start(*s, make_session("s1")).ok());
  ASSERT_TRUE(append(*s, make_entry("s1", 1, "first")).ok());
  EXPECT_FALSE(append(*s, make_entry("s1", 1, "again")).ok());
  auto t = load(*s, "s1");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->messages.size(), 1u);
  EXPECT_EQ(t->messages[0].body, "first");
}

TEST_F(TranscriptStoreTest, AnUnknownSessionIsNotFound) {
  auto s = open();
  ASSERT_TRUE(s);
  auto t = load(*s, "nope");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, StoreErrc::NotFound);
}

TEST_F(TranscriptStoreTest, TranscriptsSurviveARestartAndLiveSessionsAreClosedOnStart) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(start(*s, make_session("done")).ok());
    ASSERT_TRUE(append(*s, make_entry("done", 1, "Hello")).ok());
    ASSERT_TRUE(end(*s, "done", "alice", "bye").ok());
    ASSERT_TRUE(start(*s, make_session("cut")).ok());
    ASSERT_TRUE(append(*s, make_entry("cut", 1, "Are you there?")).ok());
  }
  auto s = open();
  ASSERT_TRUE(s);
  auto n = await<std::size_t>(
      io_, [&](auto h) { s->end_live_sessions(1'764'000'200'000, "switch-restart", h); });
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 1u);

  auto done = load(*s, "done");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->session.end_reason, "bye");
  ASSERT_EQ(done->messages.size(), 1u);
  EXPECT_EQ(done->messages[0].body, "Hello");
  auto cut = load(*s, "cut");
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->session.state, "ended");
  EXPECT_EQ(cut->session.end_reason, "switch-restart");
  EXPECT_EQ(cut->session.ended_at_ms, 1'764'000'200'000);
  ASSERT_EQ(cut->messages.size(), 1u);
}

TEST_F(TranscriptStoreTest, AQueuedSessionKeepsItsQueueItsOffersAndWhoTookIt) {
  auto s = open();
  ASSERT_TRUE(s);
  SessionRecord r = make_session("q1");
  r.target = "2001";
  r.queue = "2001";
  ASSERT_TRUE(start(*s, r).ok());
  auto offer = [&](std::uint32_t n, std::string agent, std::string outcome) {
    OfferRecord o{"q1", n, n == 3 ? "" : "2001", std::move(agent), 1'764'000'000'000 + n,
                  std::move(outcome)};
    return await<void>(io_, [&](auto h) { s->record_offer(std::move(o), h); });
  };
  ASSERT_TRUE(offer(1, "carol", "declined").ok());
  ASSERT_TRUE(offer(2, "dave", "no-answer").ok());
  ASSERT_TRUE(offer(3, "bob", "answered").ok());
  EXPECT_FALSE(offer(3, "bob", "answered").ok()) << "an offer is written once";
  ASSERT_TRUE(await<void>(io_, [&](auto h) { s->record_session_answer("q1", "bob", h); }).ok());

  auto t = load(*s, "q1");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->session.queue, "2001");
  EXPECT_EQ(t->session.target, "bob");
  ASSERT_EQ(t->offers.size(), 3u);
  EXPECT_EQ(t->offers[0].agent, "carol");
  EXPECT_EQ(t->offers[0].outcome, "declined");
  EXPECT_EQ(t->offers[1].outcome, "no-answer");
  EXPECT_EQ(t->offers[2].queue, "") << "an overflow agent";
  EXPECT_EQ(t->offers[2].offered_at_ms, 1'764'000'000'003);
  // A session to an agent's address has neither.
  ASSERT_TRUE(start(*s, make_session("direct")).ok());
  auto d = load(*s, "direct");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->session.queue, "");
  EXPECT_TRUE(d->offers.empty());
}

TEST_F(TranscriptStoreTest, AVersionOneFileGainsTheSessionTables) {
  {
    auto db = Connection::open(dir_.file("store.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db, migrations().first(1)).ok());
  }
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(start(*s, make_session("s1")).ok());
  ASSERT_TRUE(append(*s, make_entry("s1", 1, "Hello")).ok());
  EXPECT_GE(schema_version(), 2);
}

}  // namespace
}  // namespace ims::sw::store
