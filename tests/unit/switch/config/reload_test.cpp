// Reloading the directory: a good file replaces it, a bad one leaves the old one in force.

#include "switch/config/reload.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace ims::sw::config {
namespace {

namespace fs = std::filesystem;

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("imswitch-reload-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    path_ = (dir_ / "imswitch.yaml").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / file, std::ios::binary | std::ios::trunc) << text;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(ReloadTest, LoadDirectoryReadsTheWholeFile) {
  write("imswitch.yaml", "directory:\n  agents: [{ login: alice, password: p }]\n");
  auto d = load_directory(path_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ((*d)->size(), 1u);
  write("imswitch.yaml", "sip:\n  tcp: { max_connections: 0 }\n");
  auto bad = load_directory(path_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            path_ + ":2: sip.tcp.max_connections: must be a whole number from 1 to 1000000");
}

TEST_F(ReloadTest, ReplacesTheDirectoryWhenTheFileIsGood) {
  write("imswitch.yaml", "directory:\n  agents: [{ login: alice, password: p }]\n");
  DirectoryReloader reloader(path_, load_directory(path_).value());
  const auto before = reloader.current();
  write("imswitch.yaml",
        "directory:\n  agents: [{ login: alice, password: q }]\n  agents_file: more.csv\n");
  write("more.csv", "login,password\nbob,pw-bob\n");
  auto r = reloader.reload();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(reloader.current(), *r);
  EXPECT_EQ(reloader.current()->size(), 2u);
  EXPECT_EQ(*reloader.current()->agent("alice")->credentials.password, "q");
  // Whoever still holds the old one keeps a valid directory.
  EXPECT_EQ(*before->agent("alice")->credentials.password, "p");
}

TEST_F(ReloadTest, KeepsTheOldDirectoryWhenTheFileIsBad) {
  write("imswitch.yaml", "directory:\n  agents: [{ login: alice, password: p }]\n");
  DirectoryReloader reloader(path_, load_directory(path_).value());
  const auto before = reloader.current();
  write("imswitch.yaml", "directory:\n  agents_file: more.csv\n");
  write("more.csv", "login,password\nbob,pw-bob\nbob,pw-bob\n");
  auto r = reloader.reload();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, (dir_ / "more.csv").string() +
                                   ":3: login: duplicate login \"bob\" (first at " +
                                   (dir_ / "more.csv").string() + ":2)");
  EXPECT_EQ(reloader.current(), before);
  EXPECT_NE(reloader.current()->agent("alice"), nullptr);

  fs::remove(path_);
  auto gone = reloader.reload();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().message, path_ + ": cannot open file");
  EXPECT_EQ(reloader.current(), before);
}

}  // namespace
}  // namespace ims::sw::config
