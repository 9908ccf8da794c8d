// IM sessions with stock clients (issue 5, PRODUCT §4): sipp plays the initiator (INVITE with a
// text/plain first message, MD5 digest) and the invited agent's session-capable device
// (registered with +imswitch.session). The switch is the B2BUA between them; its transcript is
// read back from the SQLite file after a restart. Scenarios and config: tests/conformance/sipp/.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/conformance/corpus.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

const std::string kSippDir = source_dir() + "/tests/conformance/sipp";

// One row per statement result, columns joined with '|'.
std::vector<std::string> query(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    ADD_FAILURE() << "cannot open " << db_path;
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      row += (i ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

class SippSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_program("sipp")) GTEST_SKIP() << "sipp is not installed (apt-get install sip-tester)";
    dir_ = make_scratch_dir("imswitch-sipp-session-");
    ASSERT_FALSE(dir_.empty());
    store_ = dir_ + "/store.db";
    start_switch();
    write("register.csv", "SEQUENTIAL\nbob;[authentication username=bob password=pw-bob]\n");
    write("invite.csv",
          "SEQUENTIAL\nalice;bob;[authentication username=alice password=pw-alice]\n");
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void start_switch() {
    SwitchOptions o;
    o.config = kSippDir + "/session.yaml";
    o.listen = {"udp:127.0.0.1:0"};
    o.store = store_;
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  // sipp bound to 127.0.0.1 only (signalling, media and control sockets), bounded in time. The
  // control port is sipp's own choice: it tries 60 from 8888 on, where a port named with -cp
  // that another process took in the meantime would be fatal.
  std::vector<std::string> sipp(const std::string& scenario, std::uint16_t port,
                                std::vector<std::string> extra) {
    const std::string media = std::to_string(free_loopback_ports(4));
    std::vector<std::string> a = {"sipp", "-sf", kSippDir + "/" + scenario, "-i", "127.0.0.1",
                                  "-p", std::to_string(port), "-mi", "127.0.0.1", "-mp", media,
                                  "-ci", "127.0.0.1", "-m", "1",
                                  "-timeout", "15s", "-timeout_error", "-trace_err", "-nostdin"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string output() {
    std::string out;
    for (const auto& f : std::filesystem::directory_iterator(dir_)) {
      if (f.path().extension() == ".db" || f.path().string().find(".db-") != std::string::npos)
        continue;
      out += "--- " + f.path().filename().string() + " ---\n" +
             read_file(f.path().string()).value_or("") + "\n";
    }
    return out + "--- switch ---\n" + sw_->log_tail(30);
  }
  // bob logs in with his session-capable device listening on the returned port.
  std::uint16_t register_bob() {
    const std::uint16_t device = free_loopback_port();
    EXPECT_NE(device, 0);
    auto reg = sipp("register_session_md5.xml", free_loopback_port(),
                    {sw_->udp().hostport(), "-inf", dir_ + "/register.csv", "-key", "cport",
                     std::to_string(device)});
    ExitStatus r = run_program(reg, dir_, dir_ + "/register.log", 30s);
    EXPECT_TRUE(r.exited && r.code == 0) << r.describe() << "\n" << output();
    return device;
  }
  // bob's device plays `uas`, alice plays `uac`; both must end well.
  void converse(const std::string& uac, const std::string& uas) {
    const std::uint16_t device = register_bob();
    const pid_t bob = spawn_program(sipp(uas, device, {}), dir_, dir_ + "/uas.log");
    ASSERT_GT(bob, 0);
    const std::string hostport = sw_->udp().hostport();
    auto alice = sipp(uac, free_loopback_port(),
                      {hostport, "-inf", dir_ + "/invite.csv", "-auth_uri", "bob@" + hostport});
    ExitStatus a = run_program(alice, dir_, dir_ + "/uac.log", 30s);
    ExitStatus b = wait_program(bob, 30s);
    EXPECT_TRUE(a.exited && a.code == 0) << "alice: " << a.describe() << "\n" << output();
    EXPECT_TRUE(b.exited && b.code == 0) << "bob's device: " << b.describe() << "\n" << output();
  }

  std::unique_ptr<SwitchProcess> sw_;
  std::string dir_;
  std::string store_;
};

TEST_F(SippSessions, AStockInitiatorChatsThenEndsAndTheTranscriptSurvivesARestart) {
  converse("session_uac_md5.xml", "session_uas.xml");
  ASSERT_TRUE(sw_->wait_for_log("ended: bye by alice", 1, 10s)) << sw_->log_tail(30);

  // Restart on the same store: the transcript is still there, whole and in order.
  ASSERT_TRUE(exits_cleanly(*sw_));
  start_switch();
  ASSERT_TRUE(exits_cleanly(*sw_));
  sw_.reset();
  const auto sessions = query(
      store_, "SELECT initiator, target, state, ended_by, end_reason FROM im_sessions");
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0], "alice|bob|ended|alice|bye");
  const auto lines = query(
      store_, "SELECT seq, sender, recipient, body FROM im_transcript ORDER BY seq");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "1|alice|bob|Hello bob, may I ask you something? (alice)\r\n");
  EXPECT_EQ(lines[1], "2|alice|bob|Line 1 from alice.\r\n");
  EXPECT_EQ(lines[2], "3|alice|bob|Line 2 from alice.\r\n");
  EXPECT_EQ(lines[3], "4|alice|bob|Line 3 from alice.\r\n");
}

TEST_F(SippSessions, TheTargetDeclinesAndTheInitiatorGets603) {
  converse("session_uac_reject_md5.xml", "session_uas_reject.xml");
  EXPECT_TRUE(sw_->wait_for_log("ended: rejected by bob", 1, 10s)) << sw_->log_tail(30);
}

TEST_F(SippSessions, NoAnswerIsCancelledWithCause408AndTheInitiatorGets408) {
  // session.yaml sets im.invite_timeout_s to 2; the device rings and never answers.
  converse("session_uac_timeout_md5.xml", "session_uas_timeout.xml");
  EXPECT_TRUE(sw_->wait_for_log("ended: timed-out", 1, 10s)) << sw_->log_tail(30);
}

}  // namespace
}  // namespace ims::test
