#pragma once
// A store in a temporary directory for the search and contact tests, with one call per Store
// operation that waits (bounded) for its completion.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "switch/store/sqlite_store.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store::test {

inline constexpr std::int64_t kT0 = 1'764'000'000'000;

inline SessionRecord session(std::string id, std::string initiator, std::string target,
                             std::int64_t started_at_ms = kT0) {
  SessionRecord s;
  s.id = std::move(id);
  s.initiator = std::move(initiator);
  s.target = std::move(target);
  s.state = "live";
  s.started_at_ms = started_at_ms;
  s.initiator_call_id = "call-" + s.id;
  s.target_call_id = "imsw-" + s.id;
  return s;
}

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    store_ = open();
    ASSERT_TRUE(store_);
  }
  std::unique_ptr<SqliteStore> open() {
    SqliteStore::Options o;
    o.path = dir_.file("store.db");
    auto s = SqliteStore::open(o, io_.get_executor());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
  }

  void start(SessionRecord r) {
    auto done = await<void>(io_, [&](auto h) { store_->record_session_start(std::move(r), h); });
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  // Appends the session's next message (seq counted here), from `sender` to `recipient`.
  void say(const std::string& session, const std::string& sender, const std::string& recipient,
           std::string body, std::int64_t at_ms = 0,
           std::string content_type = "text/plain;charset=UTF-8") {
    const std::uint32_t seq = ++seqs_[session];
    TranscriptEntry e{session, seq, at_ms != 0 ? at_ms : kT0 + seq * 1000, sender, recipient,
                      std::move(content_type), std::move(body)};
    auto done = await<void>(io_, [&](auto h) { store_->append_message(std::move(e), h); });
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  Result<TranscriptPage> search(TranscriptQuery q) {
    return await<TranscriptPage>(io_,
                                 [&](auto h) { store_->search_transcripts(std::move(q), h); });
  }
  Result<TranscriptPage> search(std::string words, std::string participant = "") {
    TranscriptQuery q;
    q.words = std::move(words);
    q.participant = std::move(participant);
    return search(std::move(q));
  }

  TempDir dir_;
  boost::asio::io_context io_;
  std::unique_ptr<SqliteStore> store_;
  std::map<std::string, std::uint32_t> seqs_;
};

}  // namespace ims::sw::store::test
