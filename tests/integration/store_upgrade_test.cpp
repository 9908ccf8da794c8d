// A store written by an older imswitch, started on by this one (PRODUCT: upgrades keep every
// stored message and transcript): the file is copied before its schema is upgraded, the copy is
// the old file, and the upgraded one still serves what it held. A file from a newer imswitch is
// refused and left alone.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "switch/store/schema.hpp"
#include "switch/store/sqlite_connection.hpp"
#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

namespace fs = std::filesystem;
namespace store = sw::store;
using store::Connection;

// The schema version of the files this test calls old: before transcript search rebuilt
// im_transcript (version 5), the largest change so far.
constexpr std::size_t kOldVersion = 4;
constexpr const char* kStoredBody = "kept for carol across the upgrade";
constexpr const char* kTranscriptBody = "said before the upgrade";

std::int64_t query_int(Connection& db, const std::string& sql) {
  auto stmt = db.prepare(sql, "test");
  if (!stmt) return -1;
  auto row = stmt->step("test");
  return row && *row ? stmt->column_int(0) : -1;
}

// A store at kOldVersion with a message stored for carol (sample agent, offline) and one ended
// IM session of alice's with its transcript, written as that version's switch wrote them.
::testing::AssertionResult write_old_store(const std::string& path) {
  auto db = Connection::open(path);
  if (!db) return ::testing::AssertionFailure() << db.error().message;
  if (auto r = db->exec("PRAGMA journal_mode = WAL", "wal"); !r)
    return ::testing::AssertionFailure() << r.error().message;
  auto v = store::migrate(*db, store::migrations().first(kOldVersion));
  if (!v) return ::testing::AssertionFailure() << v.error().message;
  const std::string rows = std::string(R"sql(
INSERT INTO stored_messages (recipient, sender_login, from_header, to_header, content_type, body,
  received_at_ms, expires_at_ms) VALUES ('carol', 'alice', '<sip:alice@127.0.0.1>;tag=old1',
  '<sip:carol@127.0.0.1>', 'text/plain', ')sql") + kStoredBody + R"sql(',
  strftime('%s', 'now') * 1000, strftime('%s', 'now') * 1000 + 86400000);
INSERT INTO im_sessions (id, initiator, target, state, started_at_ms, ended_at_ms, ended_by,
  end_reason, initiator_call_id, target_call_id) VALUES
  ('old-session', 'alice', 'bob', 'ended', 1700000000000, 1700000060000, 'alice', 'bye',
   'call-a', 'call-b');
INSERT INTO im_transcript (session_id, seq, stamped_at_ms, sender, recipient, content_type, body)
  VALUES ('old-session', 1, 1700000001000, 'alice', 'bob', 'text/plain', ')sql" +
                           kTranscriptBody + "');";
  if (auto r = db->exec(rows, "rows"); !r) return ::testing::AssertionFailure() << r.error().message;
  return ::testing::AssertionSuccess();
}

// The files in `folder` named `prefix`*.bak.
std::vector<std::string> backups(const std::string& folder, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(folder)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".bak") {
      out.push_back(e.path().string());
    }
  }
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(StoreUpgrade, AnOlderStoreIsCopiedThenUpgradedWithItsDataKept) {
  ScratchDir dir("imswitch-upgrade-");
  const std::string file = dir.path() + "/imswitch.db";
  ASSERT_TRUE(write_old_store(file));

  SwitchOptions options = im_switch_options();
  options.store = file;
  auto sw = start_switch(options);
  ASSERT_TRUE(sw);
  const std::string prefix = "imswitch.db.v" + std::to_string(kOldVersion) + "-";
  ASSERT_TRUE(sw->wait_for_log("backup taken first", 1, 5s)) << sw->log_tail();
  const auto copies = backups(dir.path(), prefix);
  ASSERT_EQ(copies.size(), 1u) << sw->log_tail();
  EXPECT_NE(sw->log().find(copies[0]), std::string::npos) << "the log names the copy";

  // The copy is the file as the older switch left it.
  {
    auto copy = Connection::open(copies[0]);
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(query_int(*copy, "PRAGMA user_version"), static_cast<int>(kOldVersion));
    EXPECT_EQ(query_int(*copy, "SELECT count(*) FROM stored_messages"), 1);
    EXPECT_EQ(query_int(*copy, "SELECT count(*) FROM im_transcript"), 1);
  }
  // The file itself is at this build's version, its rows kept and the transcript searchable.
  {
    auto db = Connection::open(file);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(query_int(*db, "PRAGMA user_version"), store::schema_version());
    EXPECT_EQ(query_int(*db, "SELECT count(*) FROM im_transcript_fts WHERE im_transcript_fts "
                             "MATCH 'upgrade'"), 1);
  }

  // What was stored reaches its agent: carol logs in and gets the message.
  std::string error;
  auto carol = Agent::open(*sw, sample_agent("carol"), &error);
  ASSERT_TRUE(carol) << error;
  ASSERT_EQ(status_of(carol->register_contact(600)), 200);
  auto m = carol->receive_request(5s, 200);
  ASSERT_TRUE(m) << "the stored message was not delivered\n" << sw->log_tail();
  EXPECT_EQ(m->body, kStoredBody);

  // And the transcript is still there for the operator.
  const std::string out = dir.path() + "/transcripts.out";
  ExitStatus s = run_program({imswitch_binary(), "--config", options.config, "--store", file,
                              "--transcripts", "5"},
                             dir.path(), out, 10s);
  EXPECT_TRUE(s.exited && s.code == 0) << s.describe() << "\n" << read_text(out);
  EXPECT_NE(read_text(out).find(kTranscriptBody), std::string::npos) << read_text(out);
  EXPECT_TRUE(exits_cleanly(*sw));

  // A file already at this version is not copied again.
  sw = start_switch(options);
  ASSERT_TRUE(sw);
  EXPECT_TRUE(answers_options(sw->udp()));
  EXPECT_EQ(backups(dir.path(), "imswitch.db.v").size(), 1u);
  EXPECT_TRUE(exits_cleanly(*sw));
}

TEST(StoreUpgrade, AStoreFromANewerImswitchIsRefusedAndLeftAlone) {
  ScratchDir dir("imswitch-newer-");
  const std::string file = dir.path() + "/imswitch.db";
  const int newer = store::schema_version() + 1;
  {
    auto db = Connection::open(file);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE later (x); PRAGMA user_version = " +
                             std::to_string(newer), "newer").ok());
  }
  const std::string out = dir.path() + "/out";
  ExitStatus s = run_program({imswitch_binary(), "--config", source_dir() + "/config/minimal.yaml",
                              "--store", file, "--listen", "udp:127.0.0.1:0", "--http", "off"},
                             dir.path(), out, 10s);
  const std::string log = read_text(out);
  EXPECT_TRUE(s.exited && s.code == 1) << s.describe() << "\n" << log;
  EXPECT_NE(log.find("schema version " + std::to_string(newer) + " is newer"), std::string::npos)
      << log;
  EXPECT_NE(log.find("Run that version or a newer one"), std::string::npos) << log;
  auto db = Connection::open(file);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(query_int(*db, "PRAGMA user_version"), newer);
  EXPECT_TRUE(backups(dir.path(), "imswitch.db.v").empty()) << "nothing to copy: nothing changed";
}

}  // namespace
}  // namespace ims::test
