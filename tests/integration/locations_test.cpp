// Where the real binary finds its config without --config, by where it lies (a copy in a
// throwaway root stands for an installed one), and where relative paths in a config lead: to
// the config's folder, or for the installed config to the state folder, never to the working
// directory.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The built switch copied to <root>/<bin> (e.g. usr/bin/imswitch): an installed imswitch.
std::string install_binary(const fs::path& root, const std::string& bin) {
  const fs::path to = root / bin;
  fs::create_directories(to.parent_path());
  fs::copy_file(imswitch_binary(), to);
  fs::permissions(to, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec);
  return to.string();
}

void write_config(const fs::path& file, const std::string& extra = "") {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << read_text(source_dir() + "/config/minimal.yaml") << extra;
}

struct Output {
  ExitStatus status;
  std::string text;  // stdout and stderr
};

// Runs `argv` in `cwd` to its end (bounded) and returns what it printed.
Output run_in(const fs::path& cwd, const std::vector<std::string>& argv) {
  const std::string out = (cwd / "run.out").string();
  Output o;
  o.status = run_program(argv, cwd.string(), out, 10s);
  o.text = read_text(out);
  fs::remove(out);
  return o;
}

class Locations : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = fs::canonical(dir_.path());
  }
  ScratchDir dir_{"imswitch-layout-"};
  fs::path root_;
};

TEST_F(Locations, InstalledInUsrItReadsEtcAndKeepsItsStoreInVarLib) {
  const std::string binary = install_binary(root_, "usr/bin/imswitch");
  const fs::path config = root_ / "etc/imswitch/imswitch.yaml";
  write_config(config);  // no store.path: the default imswitch.db, relative
  fs::create_directories(root_ / "var/lib/imswitch");

  Output check = run_in(root_, {binary, "--check-config"});
  EXPECT_TRUE(check.status.exited && check.status.code == 0) << check.text;
  EXPECT_EQ(check.text, "config OK: " + config.string() + "\n");

  SwitchOptions options;
  options.binary = binary;
  options.config.clear();
  options.store_arg = false;
  auto sw = start_switch(options);
  ASSERT_TRUE(sw);
  EXPECT_TRUE(answers_options(sw->udp()));
  const std::string log = sw->log();
  EXPECT_NE(log.find("config " + config.string() + " (installed"), std::string::npos) << log;
  const fs::path db = root_ / "var/lib/imswitch/imswitch.db";
  EXPECT_NE(log.find("store " + db.string() + ": open"), std::string::npos) << log;
  EXPECT_TRUE(fs::exists(db));
  EXPECT_FALSE(fs::exists(root_ / "etc/imswitch/imswitch.db")) << "/etc is no place for data";
  EXPECT_TRUE(exits_cleanly(*sw));
}

TEST_F(Locations, UnderAnotherPrefixEverythingStaysInThePrefix) {
  const std::string binary = install_binary(root_, "opt/imswitch/bin/imswitch");
  const fs::path config = root_ / "opt/imswitch/etc/imswitch/imswitch.yaml";
  write_config(config);
  Output check = run_in(root_, {binary, "--check-config"});
  EXPECT_TRUE(check.status.exited && check.status.code == 0) << check.text;
  EXPECT_EQ(check.text, "config OK: " + config.string() + "\n");
}

TEST_F(Locations, WithoutAConfigItSaysWhereItLookedAndStops) {
  const std::string binary = install_binary(root_, "usr/bin/imswitch");
  const std::string expected = (root_ / "etc/imswitch/imswitch.yaml").string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--listen", "udp:127.0.0.1:0", "--http", "off"},
        std::vector<std::string>{"--check-config"}, std::vector<std::string>{"--transcripts", "1"}}) {
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), args.begin(), args.end());
    Output o = run_in(root_, argv);
    EXPECT_TRUE(o.status.exited && o.status.code == 1) << args[0] << ": " << o.status.describe();
    EXPECT_NE(o.text.find("looked for " + expected), std::string::npos) << args[0] << ": " << o.text;
    EXPECT_NE(o.text.find("--config FILE"), std::string::npos) << o.text;
  }
  EXPECT_FALSE(fs::exists(root_ / "imswitch.db")) << "nothing created in the working directory";
}

TEST_F(Locations, FromItsBuildFolderItReadsTheCheckoutsConfigWhereverItIsCalledFrom) {
  Output o = run_in(root_, {imswitch_binary(), "--check-config"});
  EXPECT_TRUE(o.status.exited && o.status.code == 0) << o.text;
  EXPECT_EQ(o.text, "config OK: " + source_dir() + "/config/imswitch.yaml\n");
}

TEST_F(Locations, RelativePathsInAConfigStartAtItsFolderNotTheWorkingDirectory) {
  const fs::path config = root_ / "lab/conf/lab.yaml";
  write_config(config, "store:\n  path: data/lab.db\n");
  fs::create_directories(root_ / "lab/conf/data");

  SwitchOptions options;  // runs in the source folder
  options.config = config.string();
  options.store_arg = false;
  auto sw = start_switch(options);
  ASSERT_TRUE(sw);
  EXPECT_TRUE(answers_options(sw->udp()));
  const fs::path db = root_ / "lab/conf/data/lab.db";
  EXPECT_NE(sw->log().find("store " + db.string() + ": open"), std::string::npos) << sw->log();
  EXPECT_TRUE(fs::exists(db));
  EXPECT_TRUE(exits_cleanly(*sw));

  // --transcripts reads the same file.
  Output o = run_in(root_, {imswitch_binary(), "--config", config.string(), "--transcripts", "1"});
  EXPECT_TRUE(o.status.exited && o.status.code == 0) << o.text;
  EXPECT_EQ(o.text, "no IM sessions in " + db.string() + "\n");
}

}  // namespace
}  // namespace ims::test
