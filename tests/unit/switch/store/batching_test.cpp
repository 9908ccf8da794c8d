// SqliteStore's worker: many operations share one commit, a full queue refuses at once, one bad
// operation spoils nothing else in its batch, and callers on several threads are all served.
//
// To make batches form deterministically the test holds the database's write lock from a second
// connection: the worker waits in BEGIN IMMEDIATE (busy timeout) while the queue fills.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "switch/store/sqlite_store.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::run_until;

StoredMessage message(std::string recipient, std::string body) {
  StoredMessage m;
  m.recipient = std::move(recipient);
  m.sender_login = "bob";
  m.from = "<sip:bob@example.com>;tag=1";
  m.to = "<sip:alice@example.com>";
  m.content_type = "text/plain";
  m.body = std::move(body);
  m.received_at_ms = 1;
  m.expires_at_ms = 2;
  return m;
}

// Holds the write lock of the store's file until release() or destruction.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    auto db = Connection::open(path);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return;
    db_ = std::make_unique<Connection>(std::move(db).value());
    EXPECT_TRUE(db_->exec("BEGIN IMMEDIATE", "test lock").ok());
  }
  ~WriteLock() { release(); }
  void release() {
    if (db_ && db_->in_transaction()) {
      EXPECT_TRUE(db_->exec("COMMIT", "test unlock").ok());
    }
  }
  Connection* db() { return db_.get(); }

 private:
  std::unique_ptr<Connection> db_;
};

class BatchingTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  SqliteStore::Options options() const {
    SqliteStore::Options o;
    o.path = dir_.file("store.db");
    o.busy_timeout = std::chrono::seconds(30);  // the worker outwaits the test's lock
    return o;
  }
  std::unique_ptr<SqliteStore> open(const SqliteStore::Options& o) {
    auto s = SqliteStore::open(o, io_.get_executor());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
  }

  test::TempDir dir_;
  boost::asio::io_context io_;
};

TEST_F(BatchingTest, AThousandOperationsShareAFewCommits) {
  auto o = options();
  o.max_batch = 256;
  auto s = open(o);
  ASSERT_TRUE(s);
  constexpr int kOps = 1000;
  std::vector<std::int64_t> ids(kOps, 0);
  int done = 0;
  int failed = 0;
  {
    WriteLock lock(o.path);
    for (int i = 0; i < kOps; ++i) {
      s->store_message(message("alice", std::to_string(i)), 0, [&, i](Result<std::int64_t> r) {
        ++done;
        if (!r.ok()) {
          ++failed;
          return;
        }
        ids[i] = *r;
      });
    }
  }
  ASSERT_TRUE(run_until(io_, [&] { return done == kOps; }));
  EXPECT_EQ(failed, 0);
  // The first batch may hold as little as one operation; the other 999 fill batches of 256.
  const auto stats = s->stats();
  EXPECT_GE(stats.commits, 4u);
  EXPECT_LE(stats.commits, 5u);
  EXPECT_EQ(stats.operations, static_cast<std::uint64_t>(kOps));
  for (int i = 1; i < kOps; ++i) EXPECT_GT(ids[i], ids[i - 1]) << "ids follow call order";
}

// Two writers at once, four times, 5 ms apart (paced by a timer): eight writes. With a commit
// window the pairs share a transaction (the first pair may race the worker and go alone);
// without one each pair is committed as it comes (4 to 8 commits; fewer if a commit is slower
// than 5 ms and pairs overlap).
int commits_for_spread_pairs(SqliteStore& s, boost::asio::io_context& io) {
  const auto before = s.stats().commits;
  int sent = 0;
  int done = 0;
  boost::asio::steady_timer pace(io);
  std::function<void()> next = [&] {
    for (int k = 0; k < 2; ++k, ++sent)
      s.store_message(message("alice", std::to_string(sent)), 0,
                      [&](Result<std::int64_t> r) { done += r.ok() ? 1 : 0; });
    if (sent == 8) return;
    pace.expires_after(std::chrono::milliseconds(5));
    pace.async_wait([&](boost::system::error_code ec) {
      if (!ec) next();
    });
  };
  next();
  EXPECT_TRUE(run_until(io, [&] { return done == 8; }));
  return static_cast<int>(s.stats().commits - before);
}

TEST_F(BatchingTest, ACommitWindowGathersConcurrentWritesThatArriveApart) {
  auto o = options();
  o.commit_window = std::chrono::milliseconds(500);
  auto s = open(o);
  ASSERT_TRUE(s);
  EXPECT_LE(commits_for_spread_pairs(*s, io_), 3);
}

TEST_F(BatchingTest, WithoutACommitWindowWritesAreCommittedAsTheyCome) {
  auto s = open(options());
  ASSERT_TRUE(s);
  EXPECT_GE(commits_for_spread_pairs(*s, io_), 2);
}

// One REGISTER at a time: each write waits for the answer to the one before. The window must
// not hold any of them (it would add its length to every round trip).
TEST_F(BatchingTest, AWriterThatWaitsForEachAnswerIsNeverHeldByTheWindow) {
  auto o = options();
  o.commit_window = std::chrono::milliseconds(60'000);
  auto s = open(o);
  ASSERT_TRUE(s);
  int done = 0;
  std::function<void()> next = [&] {
    s->store_message(message("alice", std::to_string(done)), 0, [&](Result<std::int64_t> r) {
      if (r.ok() && ++done < 5) next();
    });
  };
  next();
  EXPECT_TRUE(run_until(io_, [&] { return done == 5; })) << done << " of 5 before the limit";
}

TEST_F(BatchingTest, TheLogIsCopiedIntoTheDatabaseInTheBackground) {
  // More than the checkpoint size (1000 pages of 4 KiB) goes through the log; the checkpoint
  // thread copies it into the database file while the writer goes on.
  auto o = options();
  auto s = open(o);
  ASSERT_TRUE(s);
  const std::string body(16 * 1024, 'x');
  int done = 0;
  for (int i = 0; i < 400; ++i)
    s->store_message(message("alice", body + std::to_string(i)), 0,
                     [&](Result<std::int64_t> r) { done += r.ok() ? 1 : 0; });
  ASSERT_TRUE(run_until(io_, [&] { return done == 400; }));
  // The checkpoint tells no one: a 10 ms timer has the loop look at the file's size.
  boost::asio::steady_timer look(io_);
  std::function<void()> again = [&] {
    look.expires_after(std::chrono::milliseconds(10));
    look.async_wait([&](boost::system::error_code ec) {
      if (!ec) again();
    });
  };
  again();
  std::error_code ec;
  EXPECT_TRUE(run_until(
      io_, [&] { return std::filesystem::file_size(o.path, ec) >= 4'000'000; },
      std::chrono::seconds(10)))
      << "nothing was checkpointed into " << o.path;
  look.cancel();
}

TEST_F(BatchingTest, AFullQueueRefusesAtOnceWithOverloaded) {
  auto o = options();
  o.max_batch = 1;
  o.max_queue = 10;
  auto s = open(o);
  ASSERT_TRUE(s);
  constexpr int kOps = 30;
  int ok = 0;
  int overloaded = 0;
  WriteLock lock(o.path);
  for (int i = 0; i < kOps; ++i) {
    s->store_message(message("alice", "x"), 0, [&](Result<std::int64_t> r) {
      if (r.ok()) {
        ++ok;
      } else {
        EXPECT_EQ(r.error().code, StoreErrc::Overloaded);
        EXPECT_NE(r.error().message.find("overloaded"), std::string::npos);
        ++overloaded;
      }
    });
  }
  // Queue of 10 plus at most the one operation the worker holds: the rest are refused, and the
  // refusals arrive while the store is still stuck.
  ASSERT_TRUE(run_until(io_, [&] { return overloaded >= kOps - 11; }));
  EXPECT_EQ(ok, 0);
  lock.release();
  ASSERT_TRUE(run_until(io_, [&] { return ok + overloaded == kOps; }));
  EXPECT_GE(ok, 10);
  EXPECT_LE(ok, 11);
  EXPECT_EQ(s->stats().rejected, static_cast<std::uint64_t>(overloaded));
}

TEST_F(BatchingTest, AFailedOperationIsUndoneAloneAndTheBatchCommits) {
  auto o = options();
  {
    auto s = open(o);  // creates the schema
    ASSERT_TRUE(s);
  }
  {
    auto db = Connection::open(o.path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TRIGGER refuse BEFORE INSERT ON stored_messages "
                         "WHEN NEW.recipient = 'mallory' "
                         "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END",
                         "test trigger")
                    .ok());
  }
  auto s = open(o);
  ASSERT_TRUE(s);
  std::vector<Result<std::int64_t>> results;
  {
    WriteLock lock(o.path);
    for (const char* who : {"alice", "mallory", "alice"}) {
      s->store_message(message(who, who), 0,
                       [&](Result<std::int64_t> r) { results.push_back(std::move(r)); });
    }
  }
  ASSERT_TRUE(run_until(io_, [&] { return results.size() == 3; }));
  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_NE(results[1].error().message.find("refused by test trigger"), std::string::npos)
      << results[1].error().message;
  EXPECT_NE(results[1].error().message.find(o.path), std::string::npos);
  EXPECT_TRUE(results[2].ok());

  std::optional<Result<std::vector<StoredMessage>>> alice;
  s->pending_messages("alice", 10, [&](auto r) { alice.emplace(std::move(r)); });
  ASSERT_TRUE(run_until(io_, [&] { return alice.has_value(); }));
  ASSERT_TRUE(alice->ok());
  EXPECT_EQ((*alice)->size(), 2u);
}

TEST_F(BatchingTest, CallersOnSeveralThreadsAreAllServed) {
  auto s = open(options());
  ASSERT_TRUE(s);
  constexpr int kThreads = 4;
  constexpr int kEach = 250;
  std::set<std::int64_t> ids;
  int failed = 0;
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&s, &ids, &failed, t] {
      for (int i = 0; i < kEach; ++i) {
        // Handlers run on the test thread (io_), so ids and failed need no lock.
        s->store_message(message("alice", std::to_string(t)), 0, [&](Result<std::int64_t> r) {
          if (!r.ok()) {
            ++failed;
            return;
          }
          ids.insert(*r);
        });
      }
    });
  }
  for (auto& c : callers) c.join();
  constexpr auto kAll = static_cast<std::size_t>(kThreads * kEach);
  ASSERT_TRUE(
      run_until(io_, [&] { return ids.size() + static_cast<std::size_t>(failed) == kAll; }));
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(ids.size(), kAll) << "every id is distinct";
}

}  // namespace
}  // namespace ims::sw::store
