// Third-party clients against the running switch: sipp (package sip-tester) runs
// tests/conformance/sipp/options.xml over UDP and TCP, sipsak pings it. Both are bound to
// 127.0.0.1 only. Skipped (with a message) only when the tool is not installed; the README's test
// command installs both.

#include <gtest/gtest.h>

#include <filesystem>
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

}  // namespace
}  // namespace ims::test
