// SIGHUP reloads the directory (issue 4): a new agent can log in at once, registrations made
// before stay, and a file with errors leaves the directory in force.

#include <gtest/gtest.h>

#include <signal.h>

#include <memory>
#include <string>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

// The sample configuration with one more agent, zoe, or with an error in it.
std::string with_zoe(const std::string& base) {
  std::string text = base;
  const std::string anchor = "\n  agents:\n";
  const auto at = text.find(anchor);
  if (at == std::string::npos) return "";
  text.insert(at + anchor.size(), "    - { login: zoe, password: pw-zoe }\n");
  return text;
}

TEST(Reload, SighupAddsAnAgentKeepsRegistrationsAndSurvivesABadFile) {
  ScratchDir dir("imswitch-reload-");
  const std::string base = imswitch_yaml_with({});
  ASSERT_FALSE(base.empty());
  const std::string config = dir.write("im.yaml", base);
  SwitchOptions options = im_switch_options();
  options.config = config;
  std::string error;
  auto sw = SwitchProcess::start(options, &error);
  ASSERT_TRUE(sw) << error;

  auto bob = Agent::open(*sw, sample_agent("bob"), &error);
  ASSERT_TRUE(bob) << error;
  ASSERT_EQ(status_of(bob->register_contact()), 200);
  AgentOptions zoe_options;
  zoe_options.login = "zoe";
  zoe_options.password = "pw-zoe";
  auto zoe = Agent::open(*sw, zoe_options, &error);
  ASSERT_TRUE(zoe) << error;
  EXPECT_EQ(status_of(zoe->register_contact()), 401) << "zoe is not in the directory yet";

  ASSERT_FALSE(dir.write("im.yaml", with_zoe(base)).empty());
  ASSERT_EQ(::kill(sw->pid(), SIGHUP), 0);
  ASSERT_TRUE(sw->wait_for_log("directory reloaded", 1, 10s)) << sw->log_tail();
  EXPECT_EQ(status_of(zoe->register_contact()), 200);
  const auto listed = bob->query();
  ASSERT_EQ(status_of(listed), 200);
  EXPECT_FALSE(listed->all("Contact").empty()) << "bob's registration was kept";

  // A broken file: reported, and the directory in force (with zoe) stays.
  ASSERT_FALSE(dir.write("im.yaml", with_zoe(base) + "\nno_such_key: 1\n").empty());
  ASSERT_EQ(::kill(sw->pid(), SIGHUP), 0);
  ASSERT_TRUE(sw->wait_for_log("reload failed", 1, 10s)) << sw->log_tail();
  EXPECT_NE(sw->log().find("no_such_key"), std::string::npos) << "the error names the key";
  EXPECT_EQ(status_of(zoe->register_contact()), 200);
  EXPECT_TRUE(still_serving(*sw));
  EXPECT_TRUE(exits_cleanly(*sw));
}

}  // namespace
}  // namespace ims::test
