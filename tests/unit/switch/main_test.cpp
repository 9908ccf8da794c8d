// The imswitch command line, run as a process: --version, --check-config and its errors.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Run {
  int status = -1;
  std::string out;  // stdout and stderr together
};

Run imswitch(const std::string& args) {
  const std::string cmd = std::string(IMSWITCH_BINARY) + " " + args + " 2>&1";
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(ImswitchCli, PrintsItsVersion) {
  auto r = imswitch("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "imswitch 0.1.0\n");
}

TEST(ImswitchCli, HelpExplainsEveryOption) {
  auto r = imswitch("--help");
  EXPECT_EQ(r.status, 0);
  for (const char* opt : {"--config", "--listen", "--ports-file", "--log-level", "--check-config",
                          "--version", "--help"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

TEST(ImswitchCli, ChecksTheShippedConfigs) {
  auto r = imswitch("--check-config");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "config OK: config/imswitch.yaml\n");
  r = imswitch("--config config/minimal.yaml --check-config");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "config OK: config/minimal.yaml\n");
}

TEST(ImswitchCli, CheckConfigReportsFileLineAndKey) {
  const std::string path = ::testing::TempDir() + "imswitch_bad.yaml";
  std::ofstream(path) << "sip:\n  tcp:\n    max_conections: 5\n";
  auto r = imswitch("--config " + path + " --check-config");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(path + ":3: sip.tcp.max_conections: unknown key"), std::string::npos)
      << r.out;
  std::remove(path.c_str());
}

TEST(ImswitchCli, CheckConfigRejectsABadListenSpec) {
  auto r = imswitch("--config config/minimal.yaml --listen udp:localhost:5060 --check-config");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("--listen udp:localhost:5060"), std::string::npos) << r.out;
}

TEST(ImswitchCli, FailsOnAMissingConfigFile) {
  auto r = imswitch("--config /nonexistent.yaml --listen udp:127.0.0.1:0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("/nonexistent.yaml: cannot open file"), std::string::npos) << r.out;
}

}  // namespace
