// Where a binary looks for its config, by where it lies, and what a config's relative paths mean.

#include "switch/config/locations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::config {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = "/src/imswitch";
const fs::path kBuild = "/src/imswitch/build";

Locations at(const fs::path& binary) { return locate(binary, kBuild, kSource); }

TEST(Locate, ABinaryInItsBuildFolderReadsTheCheckoutsConfig) {
  const Locations l = at("/src/imswitch/build/switch/imswitch");
  EXPECT_EQ(l.layout, Layout::Checkout);
  EXPECT_EQ(l.config_file, "/src/imswitch/config/imswitch.yaml");
  EXPECT_EQ(l.config_dir, "/src/imswitch/config");
  EXPECT_TRUE(l.state_dir.empty());
  EXPECT_EQ(l.web_root, "/src/imswitch/tools/web/node_modules/jssip/dist");
}

TEST(Locate, AFolderBesideTheBuildFolderIsNotInsideIt) {
  EXPECT_EQ(at("/src/imswitch/build-asan/switch/imswitch").layout, Layout::Installed);
  EXPECT_EQ(at("/src/imswitch/imswitch").layout, Layout::Installed);
}

TEST(Locate, InstalledInUsrReadsEtcAndKeepsStateInVarLib) {
  const Locations l = at("/usr/bin/imswitch");
  EXPECT_EQ(l.layout, Layout::Installed);
  EXPECT_EQ(l.config_file, "/etc/imswitch/imswitch.yaml");
  EXPECT_EQ(l.state_dir, "/var/lib/imswitch");
  EXPECT_EQ(l.web_root, "/usr/share/imswitch/web");
}

TEST(Locate, AUsrInAThrowawayRootStaysInThatRoot) {
  const Locations l = at("/tmp/root/usr/bin/imswitch");
  EXPECT_EQ(l.config_file, "/tmp/root/etc/imswitch/imswitch.yaml");
  EXPECT_EQ(l.state_dir, "/tmp/root/var/lib/imswitch");
}

TEST(Locate, AnotherPrefixKeepsEverythingUnderIt) {
  Locations l = at("/usr/local/bin/imswitch");
  EXPECT_EQ(l.config_file, "/usr/local/etc/imswitch/imswitch.yaml");
  EXPECT_EQ(l.state_dir, "/usr/local/var/lib/imswitch");
  l = at("/opt/imswitch/bin/imswitch");
  EXPECT_EQ(l.config_file, "/opt/imswitch/etc/imswitch/imswitch.yaml");
  EXPECT_EQ(l.state_dir, "/opt/imswitch/var/lib/imswitch");
  EXPECT_EQ(l.web_root, "/opt/imswitch/share/imswitch/web");
}

TEST(ChooseConfig, AGivenFileWinsAsItIs) {
  auto c = choose_config(std::string("rel/x.yaml"), at("/usr/bin/imswitch"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path, "rel/x.yaml");
  EXPECT_EQ(c->source, ConfigSource::Given);
}

TEST(ChooseConfig, TheDefaultMustExistAndTheErrorNamesWhereItLooked) {
  store::test::TempDir dir;
  ASSERT_TRUE(dir.ok());
  const fs::path root = dir.file("root");
  const Locations l = at(root / "usr/bin/imswitch");
  auto c = choose_config(std::nullopt, l);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find((root / "etc/imswitch/imswitch.yaml").string()),
            std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("--config"), std::string::npos) << c.error().message;

  fs::create_directories(root / "etc/imswitch");
  std::ofstream(root / "etc/imswitch/imswitch.yaml") << "log: { level: info }\n";
  c = choose_config(std::nullopt, l);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->path, (root / "etc/imswitch/imswitch.yaml").string());
  EXPECT_EQ(c->source, ConfigSource::Installed);
}

TEST(ResolvePaths, RelativePathsStartAtTheConfigFilesFolder) {
  Config c;
  c.path = "/srv/lab/conf/imswitch.yaml";
  c.store.path = "data/imswitch.db";
  c.sip.tls.certificate = "tls/cert.pem";
  c.sip.tls.key = "../keys/key.pem";
  c.sip.tls.client_ca = "/etc/ssl/ca.pem";
  c.sip.websocket.web_root = "web";
  resolve_paths(c, at("/src/imswitch/build/switch/imswitch"));
  EXPECT_EQ(c.store.path, "/srv/lab/conf/data/imswitch.db");
  EXPECT_EQ(c.sip.tls.certificate, "/srv/lab/conf/tls/cert.pem");
  EXPECT_EQ(c.sip.tls.key, "/srv/lab/keys/key.pem");
  EXPECT_EQ(c.sip.tls.client_ca, "/etc/ssl/ca.pem") << "absolute stays";
  EXPECT_EQ(c.sip.websocket.web_root, "/srv/lab/conf/web");
}

TEST(ResolvePaths, ARelativeConfigPathStillGivesAbsolutePaths) {
  Config c;
  c.path = "conf/imswitch.yaml";
  resolve_paths(c, at("/src/imswitch/build/switch/imswitch"));
  EXPECT_EQ(c.store.path, (fs::current_path() / "conf/imswitch.db").string());
}

TEST(ResolvePaths, EmptyStaysEmptyAndTheWebRootGetsTheLayoutsDefault) {
  Config c;
  c.path = "/srv/imswitch.yaml";
  resolve_paths(c, at("/opt/imswitch/bin/imswitch"));
  EXPECT_TRUE(c.sip.tls.certificate.empty());
  EXPECT_TRUE(c.sip.tls.client_ca.empty());
  EXPECT_EQ(c.sip.websocket.web_root, "/opt/imswitch/share/imswitch/web");
  c.store.path = ":memory:";
  resolve_paths(c, at("/opt/imswitch/bin/imswitch"));
  EXPECT_EQ(c.store.path, ":memory:");
}

TEST(ResolvePaths, TheStoreOfTheInstalledConfigFolderGoesToTheStateFolder) {
  const Locations l = at("/usr/bin/imswitch");
  Config c;
  c.path = "/etc/imswitch/imswitch.yaml";
  c.sip.tls.certificate = "cert.pem";
  resolve_paths(c, l);
  EXPECT_EQ(c.store.path, "/var/lib/imswitch/imswitch.db");
  EXPECT_EQ(c.sip.tls.certificate, "/etc/imswitch/cert.pem") << "other files stay with the config";

  Config elsewhere;
  elsewhere.path = "/srv/other.yaml";
  resolve_paths(elsewhere, l);
  EXPECT_EQ(elsewhere.store.path, "/srv/imswitch.db");
}

}  // namespace
}  // namespace ims::sw::config
