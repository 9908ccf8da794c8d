// The imswitch command line, run as a process: --version, --check-config and its errors; and
// imtool's --version.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "switch/store/schema.hpp"

namespace {

struct Run {
  int status = -1;
  std::string out;  // stdout and stderr together
};

Run run(const std::string& binary, const std::string& args) {
  const std::string cmd = binary + " " + args + " 2>&1";
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

Run imswitch(const std::string& args) { return run(IMSWITCH_BINARY, args); }

// A short git revision, "-dirty" when tracked files differ from it; "unknown" outside a checkout.
constexpr const char* kRevision = R"(([0-9a-f]{7,40}(-dirty)?|unknown))";

TEST(ImswitchCli, PrintsItsVersionRevisionAndStoreSchema) {
  auto r = imswitch("--version");
  EXPECT_EQ(r.status, 0);
  std::smatch m;
  const std::regex line(R"(imswitch \d+\.\d+\.\d+ \(git )" + std::string(kRevision) +
                        R"(, store schema (\d+)\)\n)");
  ASSERT_TRUE(std::regex_match(r.out, m, line)) << r.out;
  EXPECT_EQ(std::stoi(m[3].str()), ims::sw::store::schema_version()) << r.out;

  // In a checkout, the revision is the one the binary was built from (read at build time, so a
  // commit after configuring still shows).
  auto head = run("git", "-C " IMS_SOURCE_DIR " rev-parse HEAD");
  if (head.status != 0) GTEST_SKIP() << "no git checkout: " << head.out;
  const std::string printed = m[1].str();
  EXPECT_EQ(head.out.rfind(printed.substr(0, printed.find('-')), 0), 0u)
      << "HEAD " << head.out << " printed " << printed;
}

// Started by an unprivileged user on a port below 1024, the switch says which capability it
// lacks and how the service gets it.
TEST(ImswitchCli, APrivilegedPortNamesTheCapabilityItNeeds) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run the switch as another user";
  if (run("command", "-v setpriv").status != 0) GTEST_SKIP() << "no setpriv (util-linux)";
  char dir_template[] = "/tmp/imswitch-lowport-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  ASSERT_NE(dir, nullptr);
  ASSERT_EQ(::chmod(dir, 0777), 0);
  // The binary and config are copied there: the build tree may be closed to other users.
  const std::string d(dir);
  namespace fs = std::filesystem;
  fs::copy_file(IMSWITCH_BINARY, d + "/imswitch");
  fs::copy_file(IMS_SOURCE_DIR "/config/minimal.yaml", d + "/minimal.yaml");
  fs::permissions(d + "/minimal.yaml", fs::perms::owner_read | fs::perms::others_read);
  auto r = run("setpriv", "--reuid=65534 --regid=65534 --clear-groups " + d +
                              "/imswitch --config " + d +
                              "/minimal.yaml --http off --listen udp:127.0.0.1:1 --store " + d +
                              "/s.db");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("udp 127.0.0.1:1: bind: Permission denied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("AmbientCapabilities=CAP_NET_BIND_SERVICE"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(ImtoolCli, PrintsItsVersionAndRevision) {
  auto r = run(IMTOOL_BINARY, "--version");
  EXPECT_EQ(r.status, 0);
  const std::regex line(R"(imtool \d+\.\d+\.\d+ \(git )" + std::string(kRevision) + R"(\)\n)");
  EXPECT_TRUE(std::regex_match(r.out, line)) << r.out;
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
  // Without --config, a binary in its build folder reads its source tree's config.
  auto r = imswitch("--check-config");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "config OK: " IMS_SOURCE_DIR "/config/imswitch.yaml\n");
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
