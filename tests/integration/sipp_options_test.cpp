// Third-party clients against the running switch: sipp (package sip-tester) runs
// tests/conformance/sipp/options.xml over UDP and TCP, sipsak pings it; sipsak and baresip log in
// to the shipped configuration (config/imswitch.yaml) as a new user's would. All are bound to
// 127.0.0.1 only. Skipped (with a message) only when the tool is not installed; the README's test
// command installs them.

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/conformance/corpus.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

// Output of a finished tool run, for failure messages: its log and any error traces it left.
std::string collect_output(const std::string& dir) {
  std::string out;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    auto text = read_file(f.path().string()).value_or("");
    if (text.size() > 4000) text = "..." + text.substr(text.size() - 4000);
    out += "--- " + f.path().filename().string() + " ---\n" + text + "\n";
  }
  return out;
}

class ThirdPartyClient : public ::testing::Test {
 protected:
  void SetUp() override {
    sw_ = start_switch();
    ASSERT_TRUE(sw_);
    dir_ = make_scratch_dir("imswitch-tool-");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(still_serving(*sw_));
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Runs the tool in the scratch folder with a deadline; expects exit code 0.
  void expect_success(const std::vector<std::string>& argv, Millis deadline) {
    ExitStatus s = run_program(argv, dir_, dir_ + "/output.log", deadline);
    EXPECT_TRUE(s.exited && s.code == 0 && !s.timed_out)
        << argv[0] << " ended with " << s.describe() << "\n" << collect_output(dir_)
        << "--- switch log ---\n" << sw_->log_tail(20);
  }
  // Every socket sipp opens is on 127.0.0.1: signalling (-i, -bind_local, -p), media (-mi, -mp)
  // and its control socket (-ci), which otherwise listens on all interfaces; its port is sipp's
  // choice (the first free one from 8888), as a port named with -cp gets only one try.
  std::vector<std::string> sipp_args(const Listener& l) {
    const auto port = [] { return std::to_string(free_loopback_port()); };
    return {"sipp", l.hostport(),
            "-sf", source_dir() + "/tests/conformance/sipp/options.xml",
            "-i", "127.0.0.1", "-bind_local", "-p", port(),
            "-mi", "127.0.0.1", "-mp", std::to_string(free_loopback_ports(4)),
            "-ci", "127.0.0.1",
            "-m", "20", "-r", "50", "-l", "5",
            "-timeout", "20s", "-timeout_error", "-trace_err", "-nostdin"};
  }
  std::unique_ptr<SwitchProcess> sw_;
  std::string dir_;
};

TEST_F(ThirdPartyClient, SippOptionsScenarioPassesOverUdp) {
  if (!find_program("sipp")) GTEST_SKIP() << "sipp is not installed (apt-get install sip-tester)";
  expect_success(sipp_args(sw_->udp()), 30s);
}

TEST_F(ThirdPartyClient, SippOptionsScenarioPassesOverTcp) {
  if (!find_program("sipp")) GTEST_SKIP() << "sipp is not installed (apt-get install sip-tester)";
  auto args = sipp_args(sw_->tcp());
  args.insert(args.end(), {"-t", "t1"});
  expect_success(args, 30s);
}

// sipsak's "ping": an OPTIONS, exit code 0 when the answer is 200.
TEST_F(ThirdPartyClient, SipsakPingIsAnswered200) {
  if (!find_program("sipsak")) GTEST_SKIP() << "sipsak is not installed (apt-get install sipsak)";
  const Listener l = sw_->udp();
  expect_success({"sipsak", "-s", "sip:ping@" + l.hostport(), "--local-ip=127.0.0.1", "-H",
                  "127.0.0.1", "-vv"}, 15s);
}

TEST_F(ThirdPartyClient, SipsakPingIsAnswered200OverTcp) {
  if (!find_program("sipsak")) GTEST_SKIP() << "sipsak is not installed (apt-get install sipsak)";
  const Listener l = sw_->tcp();
  expect_success({"sipsak", "-s", "sip:ping@" + l.hostport(), "--local-ip=127.0.0.1", "-H",
                  "127.0.0.1", "-E", "tcp", "-vv"}, 15s);
}

// Stock clients log in to the embedded default (PRODUCT §2): Debian 12's baresip 1.0 fails on
// any challenge naming SHA-256 and sipsak 0.9.8 answers only the first challenge, so the shipped
// auth.md5_only_user_agents must offer them a single MD5 challenge. The switch logs at debug
// level, where each stored registration is a line to wait for.
class StockClientLogin : public ThirdPartyClient {
 protected:
  void SetUp() override {
    SwitchOptions o;
    o.config = source_dir() + "/config/imswitch.yaml";
    o.extra_args = {"--log-level", "debug"};
    o.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0", "tls:127.0.0.1:0"};
    sw_ = SwitchProcess::start(o, &error_);
    ASSERT_TRUE(sw_) << error_;
    dir_ = make_scratch_dir("imswitch-stock-");
    ASSERT_FALSE(dir_.empty());
  }
  // baresip's configuration folder: no audio or video, the stdio UI off (no terminal here),
  // SIP on a loopback port of its own, one account. For TLS, sip_cafile names the switch's
  // self-signed certificate as the trust anchor, as a user would configure it. Debian 12's
  // baresip 1.0 (libre 1.1) has no sip_verify_server and does not check the server's
  // certificate at all: given a CA file of another certificate it still registers (tried by
  // hand). So this test shows TLS registration works; it cannot show baresip's trust check.
  void write_baresip_config(const Listener& l, std::string_view transport,
                            const std::string& cafile = {}) {
    std::ofstream config(dir_ + "/config");
    config << "sip_listen 127.0.0.1:" << free_loopback_port() << "\n"
           << "module_path /usr/lib/baresip/modules\n"
           << "module account.so\n";
    if (!cafile.empty()) config << "sip_cafile " << cafile << "\n";
    std::ofstream(dir_ + "/accounts") << "<sip:alice@" << l.hostport() << ";transport="
                                      << transport << ">;auth_pass=pw-alice;regint=600\n";
  }
  // Runs baresip until the switch has stored its registration (or 15 s passed), then stops it:
  // on SIGTERM baresip un-registers before it exits. Its output, for the assertions.
  std::string run_baresip_until_registered() {
    const std::string out = dir_ + "/baresip.log";
    const pid_t pid = spawn_program({"baresip", "-f", dir_, "-t", "30"}, dir_, out);
    EXPECT_GT(pid, 0);
    if (pid <= 0) return {};
    const bool registered = sw_->wait_for_log("REGISTER alice: 1 binding(s) now", 1, 15s);
    kill(pid, SIGTERM);
    const bool unregistered =
        registered && sw_->wait_for_log("REGISTER alice: 0 binding(s) now", 1, 10s);
    wait_program(pid, 5s);
    EXPECT_TRUE(registered) << "no registration stored\n" << collect_output(dir_)
                            << "--- switch log ---\n" << sw_->log_tail(20);
    EXPECT_TRUE(!registered || unregistered) << "no un-registration\n" << collect_output(dir_)
                                             << "--- switch log ---\n" << sw_->log_tail(20);
    return read_file(out).value_or("");
  }
  std::string error_;
};

TEST_F(StockClientLogin, SipsakRegistersWithTheShippedConfig) {
  if (!find_program("sipsak")) GTEST_SKIP() << "sipsak is not installed (apt-get install sipsak)";
  const Listener l = sw_->udp();
  // -U: register, check, un-register; exit code 0 only when every step got its 200.
  expect_success({"sipsak", "-U", "-x", "600", "-s", "sip:bob@" + l.hostport(), "-u", "bob", "-a",
                  "pw-bob", "-l", std::to_string(free_loopback_port()), "-H", "127.0.0.1",
                  "-vv"}, 20s);
}

TEST_F(StockClientLogin, BaresipRegistersWithTheShippedConfigOverUdp) {
  if (!find_program("baresip"))
    GTEST_SKIP() << "baresip is not installed (apt-get install baresip-core)";
  write_baresip_config(sw_->udp(), "udp");
  const std::string out = run_baresip_until_registered();
  EXPECT_EQ(out.find("Function not implemented"), std::string::npos) << out;
}

TEST_F(StockClientLogin, BaresipRegistersWithTheShippedConfigOverTcp) {
  if (!find_program("baresip"))
    GTEST_SKIP() << "baresip is not installed (apt-get install baresip-core)";
  write_baresip_config(sw_->tcp(), "tcp");
  const std::string out = run_baresip_until_registered();
  EXPECT_EQ(out.find("Function not implemented"), std::string::npos) << out;
}

// Over TLS to the tls listener, trusting the switch's self-signed certificate (sip_cafile).
TEST_F(StockClientLogin, BaresipRegistersWithTheShippedConfigOverTls) {
  if (!find_program("baresip"))
    GTEST_SKIP() << "baresip is not installed (apt-get install baresip-core)";
  const auto l = sw_->find("tls");
  ASSERT_TRUE(l);
  write_baresip_config(*l, "tls", sw_->dir() + "/tls/imswitch.crt");
  const std::string out = run_baresip_until_registered();
  EXPECT_EQ(out.find("Function not implemented"), std::string::npos) << out;
  EXPECT_TRUE(sw_->wait_for_log("tls: accepted", 1, 1s)) << "not over TLS\n" << sw_->log_tail(20);
}

}  // namespace
}  // namespace ims::test
