// imswitch as a process: command line, ports file, clean shutdown on SIGTERM and SIGINT.

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <set>
#include <string>

#include "tests/conformance/corpus.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

// Runs imswitch with args to completion; returns its status and output.
ExitStatus run_switch(std::vector<std::string> args, std::string* output) {
  std::string dir = make_scratch_dir("imswitch-cli-");
  args.insert(args.begin(), imswitch_binary());
  ExitStatus s = run_program(args, source_dir(), dir + "/out", 10s);
  *output = read_file(dir + "/out").value_or("");
  std::filesystem::remove_all(dir);
  return s;
}

TEST(Process, WritesOnePortsFileLinePerListenerAndServesEach) {
  auto sw = start_switch(SwitchOptions{}.with_ipv6());
  ASSERT_TRUE(sw);
  const std::size_t expected = ipv6_loopback_available() ? 4 : 2;
  ASSERT_EQ(sw->listeners().size(), expected);
  std::set<std::string> seen;
  for (const auto& l : sw->listeners()) {
    EXPECT_NE(l.port, 0);
    EXPECT_TRUE(l.address == "127.0.0.1" || l.address == "::1") << l.address;
    seen.insert(l.transport + (l.ipv6() ? "6" : "4"));
  }
  EXPECT_EQ(seen.size(), expected) << "one listener per transport and family";
  EXPECT_TRUE(still_serving(*sw));
  EXPECT_TRUE(exits_cleanly(*sw));
}

TEST(Process, SigintStopsItCleanly) {
  auto sw = start_switch();
  ASSERT_TRUE(sw);
  ExitStatus s = sw->stop(5s, SIGINT);
  EXPECT_TRUE(s.exited && s.code == 0 && !s.timed_out) << s.describe() << "\n" << sw->log_tail();
}

TEST(Process, SigtermStopsItCleanlyWithClientsConnected) {
  auto sw = start_switch();
  ASSERT_TRUE(sw);
  std::string error;
  auto idle = TcpClient::connect(sw->tcp(), 3s, &error);
  ASSERT_TRUE(idle) << error;
  auto half = TcpClient::connect(sw->tcp(), 3s, &error);
  ASSERT_TRUE(half) << error;
  ASSERT_TRUE(half->send("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1"));
  EXPECT_TRUE(answers_options(sw->tcp()));
  EXPECT_TRUE(exits_cleanly(*sw));
}

TEST(Process, LogsWhereItListens) {
  auto sw = start_switch();
  ASSERT_TRUE(sw);
  ASSERT_TRUE(answers_options(sw->udp()));
  const std::string log = sw->log();
  for (const auto& l : sw->listeners()) {
    EXPECT_NE(log.find(std::to_string(l.port)), std::string::npos)
        << "the log does not mention port " << l.port << ":\n" << log;
  }
  EXPECT_TRUE(exits_cleanly(*sw));
}

TEST(Process, VersionPrintsTheVersion) {
  std::string out;
  ExitStatus s = run_switch({"--version"}, &out);
  EXPECT_TRUE(s.exited && s.code == 0) << s.describe();
  EXPECT_NE(out.find("imswitch"), std::string::npos) << out;
}

TEST(Process, HelpDescribesTheOptions) {
  std::string out;
  ExitStatus s = run_switch({"--help"}, &out);
  EXPECT_TRUE(s.exited && s.code == 0) << s.describe();
  for (const char* opt : {"--config", "--listen", "--ports-file", "--check-config"}) {
    EXPECT_NE(out.find(opt), std::string::npos) << opt << " missing from:\n" << out;
  }
}

TEST(Process, CheckConfigAcceptsTheShippedConfigs) {
  for (const char* config : {"config/minimal.yaml", "config/imswitch.yaml"}) {
    std::string out;
    ExitStatus s = run_switch({"--check-config", "--config", config}, &out);
    EXPECT_TRUE(s.exited && s.code == 0) << config << ": " << s.describe() << "\n" << out;
  }
}

TEST(Process, CheckConfigRejectsABadListenSpec) {
  std::string out;
  ExitStatus s = run_switch(
      {"--check-config", "--config", "config/minimal.yaml", "--listen", "carrier-pigeon:x"}, &out);
  EXPECT_TRUE(s.exited && s.code == 1) << s.describe() << "\n" << out;
  EXPECT_FALSE(out.empty()) << "a rejected option must say why";
}

TEST(Process, RefusesToStartWithAMissingConfig) {
  std::string out;
  ExitStatus s = run_switch({"--config", "config/does-not-exist.yaml", "--listen",
                             "udp:127.0.0.1:0"}, &out);
  EXPECT_TRUE(s.exited && s.code != 0 && !s.timed_out) << s.describe();
  EXPECT_NE(out.find("does-not-exist"), std::string::npos) << out;
}

}  // namespace
}  // namespace ims::test
