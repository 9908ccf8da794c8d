// Listing IM sessions for the HTTP API: newest first by start, one login's or those two logins
// shared, live or ended only, page after page without duplicates or gaps, even for sessions
// started at the same millisecond; a cursor the store did not give is refused.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "tests/unit/switch/store/search_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::kT0;
using test::session;

std::vector<std::string> ids(const SessionPage& page) {
  std::vector<std::string> out;
  for (const auto& s : page.sessions) out.push_back(s.id);
  return out;
}

class SessionListTest : public test::StoreFixture {
 protected:
  Result<SessionPage> list(SessionQuery q) {
    return test::await<SessionPage>(io_, [&](auto h) { store_->list_sessions(std::move(q), h); });
  }
  void end(const std::string& id, std::int64_t at_ms) {
    auto done = test::await<void>(io_, [&](auto h) {
      store_->record_session_end(id, at_ms, "alice", "bye", h);
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
};

TEST_F(SessionListTest, NewestFirstWithEveryField) {
  auto a = session("s1", "alice", "bob", kT0 + 1000);
  a.contact_id = "c-42";
  start(a);
  start(session("s2", "carol", "alice", kT0 + 3000));
  auto q = session("s3", "dave", "2001", kT0 + 2000);
  q.queue = "2001";
  start(q);
  end("s1", kT0 + 5000);

  auto page = list({});
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(ids(*page), (std::vector<std::string>{"s2", "s3", "s1"}));
  EXPECT_EQ(page->next_cursor, "");
  const SessionRecord& s1 = page->sessions[2];
  EXPECT_EQ(s1.state, "ended");
  EXPECT_EQ(s1.ended_at_ms, kT0 + 5000);
  EXPECT_EQ(s1.ended_by, "alice");
  EXPECT_EQ(s1.end_reason, "bye");
  EXPECT_EQ(s1.contact_id, "c-42");
  EXPECT_EQ(page->sessions[1].queue, "2001");
  EXPECT_EQ(page->sessions[0].state, "live");
}

TEST_F(SessionListTest, OneLoginsOrTwoLoginsSharedAsEitherParty) {
  start(session("s1", "alice", "bob", kT0 + 1000));
  start(session("s2", "carol", "alice", kT0 + 2000));
  start(session("s3", "bob", "carol", kT0 + 3000));
  start(session("s4", "bob", "alice", kT0 + 4000));

  SessionQuery q;
  q.party = "alice";
  auto alice = list(q);
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  EXPECT_EQ(ids(*alice), (std::vector<std::string>{"s4", "s2", "s1"}));
  q.with = "bob";
  auto shared = list(q);
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(ids(*shared), (std::vector<std::string>{"s4", "s1"}));
  q.with = "dave";
  auto none = list(q);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->sessions.empty());
}

TEST_F(SessionListTest, LiveOrEndedOnly) {
  start(session("s1", "alice", "bob", kT0 + 1000));
  start(session("s2", "alice", "bob", kT0 + 2000));
  end("s1", kT0 + 3000);
  SessionQuery q;
  q.state = SessionFilter::Live;
  auto live = list(q);
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(ids(*live), (std::vector<std::string>{"s2"}));
  q.state = SessionFilter::Ended;
  q.party = "bob";
  auto ended = list(q);
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ids(*ended), (std::vector<std::string>{"s1"}));
}

TEST_F(SessionListTest, PagesCoverEverySessionOnceEvenAtTheSameMillisecond) {
  // Seven sessions, three of them started at the same moment; pages of two.
  const std::vector<std::pair<std::string, std::int64_t>> started = {
      {"a", kT0 + 1}, {"b", kT0 + 2}, {"c", kT0 + 2}, {"d", kT0 + 2},
      {"e", kT0 + 3}, {"f", kT0 + 4}, {"g", kT0 + 5}};
  for (const auto& [id, at] : started) start(session(id, "alice", "bob", at));
  for (const std::string party : {"", "alice", "bob"}) {
    SessionQuery q;
    q.party = party;
    q.limit = 2;
    std::vector<std::string> seen;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = list(q);
      ASSERT_TRUE(page.ok()) << page.error().message;
      for (auto& id : ids(*page)) seen.push_back(id);
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"g", "f", "e", "d", "c", "b", "a"})) << party;
  }
}

TEST_F(SessionListTest, ACursorItDidNotGiveIsInvalid) {
  start(session("s1", "alice", "bob"));
  for (const char* cursor : {"garbage", "s1.", "s1.12", "s1.x.s1", "t1.5"}) {
    SessionQuery q;
    q.cursor = cursor;
    auto page = list(q);
    ASSERT_FALSE(page.ok()) << cursor;
    EXPECT_EQ(page.error().code, StoreErrc::Invalid) << cursor;
  }
}

}  // namespace
}  // namespace ims::sw::store
