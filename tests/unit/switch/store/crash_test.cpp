// No loss under kill -9 (the "a 202 is sent only after the message is durable"): a child
// process stores messages and reports each completed one on a pipe; the parent kills it with
// SIGKILL in the middle of the load, and every message the child reported is in the file when
// it is opened again. Several rounds on one file, killed at different points, because a kill
// lands between an early completion and its commit only now and then.

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "switch/store/sqlite_store.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store {
namespace {

constexpr int kRounds = 8;
constexpr int kMessages = 20000;  // per child, which stops after these if still alive
constexpr int kInFlight = 64;     // operations the child keeps queued
constexpr auto kChildLimit = std::chrono::seconds(30);
constexpr auto kRoundLimit = std::chrono::seconds(20);

// What the child writes on the pipe for each completed store_message: the id the store gave and
// the child's own number for the message (the pipe writes are atomic: under PIPE_BUF).
struct Report {
  std::int64_t id;
  std::int64_t n;
};

std::string body_for(std::int64_t n) {
  return "message " + std::to_string(n) + std::string("\0binary\xff", 8);
}

StoredMessage message(std::int64_t n) {
  StoredMessage m;
  m.recipient = "alice";
  m.sender_login = "bob";
  m.from = "<sip:bob@example.com>;tag=" + std::to_string(n);
  m.to = "<sip:alice@example.com>";
  m.content_type = "text/plain";
  m.body = body_for(n);
  m.received_at_ms = n;
  m.expires_at_ms = 1'000'000'000'000 + n;
  return m;
}

// The child: store messages numbered from `first` with kInFlight outstanding, report each
// completion on `out`. Never returns.
[[noreturn]] void run_child(const std::string& path, std::int64_t first, int out) {
  signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context io;
  SqliteStore::Options o;
  o.path = path;
  auto opened = SqliteStore::open(o, io.get_executor());
  if (!opened.ok()) _exit(2);
  auto store = std::move(opened).value();
  int started = 0;
  int completed = 0;
  bool broken = false;
  std::function<void()> start_one = [&] {
    const std::int64_t n = first + started++;
    store->store_message(message(n), 0, [&, n](Result<std::int64_t> r) {
      ++completed;
      if (!r.ok()) _exit(3);
      Report report{*r, n};
      if (write(out, &report, sizeof report) != static_cast<ssize_t>(sizeof report)) {
        broken = true;
      }
      if (started < kMessages && !broken) start_one();
    });
  };
  for (int i = 0; i < kInFlight; ++i) start_one();
  const auto deadline = std::chrono::steady_clock::now() + kChildLimit;
  while (completed < started && !broken && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(100));
  }
  _exit(0);
}

// Reads whole reports from `fd` until `want` are read, EOF, or the deadline.
void read_reports(int fd, std::vector<Report>& out, std::size_t want,
                  std::chrono::steady_clock::time_point deadline, std::string& partial) {
  char buf[4096];
  while (out.size() < want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    partial.append(buf, static_cast<std::size_t>(n));
    std::size_t whole = partial.size() / sizeof(Report) * sizeof(Report);
    for (std::size_t at = 0; at < whole; at += sizeof(Report)) {
      Report r{};
      std::memcpy(&r, partial.data() + at, sizeof r);
      out.push_back(r);
    }
    partial.erase(0, whole);
  }
}

// One round: a child stores from `first` on and is killed after `kill_after` reports. Returns
// every report that reached the pipe (those after the kill point too: they were delivered).
std::vector<Report> crash_round(const std::string& path, std::int64_t first,
                                std::size_t kill_after) {
  std::vector<Report> reports;
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  EXPECT_GE(child, 0);
  if (child < 0) return reports;
  if (child == 0) {
    close(fds[0]);
    run_child(path, first, fds[1]);
  }
  close(fds[1]);
  std::string partial;
  const auto deadline = std::chrono::steady_clock::now() + kRoundLimit;
  read_reports(fds[0], reports, kill_after, deadline, partial);
  EXPECT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  read_reports(fds[0], reports, static_cast<std::size_t>(kMessages), deadline, partial);
  close(fds[0]);
  EXPECT_GE(reports.size(), kill_after) << "the child reported too few messages before the kill";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "killed under load";
  return reports;
}

TEST(StoreCrash, EveryReportedMessageSurvivesKillDashNine) {
  test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.file("crash.db");
  std::map<std::int64_t, std::int64_t> reported;  // id -> n
  for (int round = 0; round < kRounds; ++round) {
    const std::size_t kill_after = 50 + 45 * static_cast<std::size_t>(round);
    for (const Report& r : crash_round(path, std::int64_t{round} * kMessages, kill_after)) {
      reported.emplace(r.id, r.n);
    }
  }

  boost::asio::io_context io;
  SqliteStore::Options o;
  o.path = path;
  auto reopened = SqliteStore::open(o, io.get_executor());
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  auto store = std::move(reopened).value();
  auto got = test::await<std::vector<StoredMessage>>(io, [&](auto h) {
    store->pending_messages("alice", static_cast<std::size_t>(kRounds) * kMessages, h);
  });
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::map<std::int64_t, const StoredMessage*> present;
  for (const auto& m : *got) present.emplace(m.id, &m);
  std::size_t missing = 0;
  for (const auto& [id, n] : reported) {
    auto it = present.find(id);
    if (it == present.end()) {
      ++missing;
      continue;
    }
    EXPECT_EQ(it->second->body, body_for(n)) << "id " << id;
    EXPECT_EQ(it->second->received_at_ms, n) << "id " << id;
  }
  EXPECT_EQ(missing, 0u) << "of " << reported.size() << " reported messages; " << present.size()
                         << " in the file";
}

}  // namespace
}  // namespace ims::sw::store
