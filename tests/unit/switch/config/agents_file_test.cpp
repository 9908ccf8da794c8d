// directory.agents_file: agents from CSV and YAML files next to the config, and the shipped
// configs (imswitch.yaml, minimal.yaml, bench.yaml).

#include <gtest/gtest.h>

#include <string>

#include "switch/config/loader.hpp"

namespace ims::sw::config {
namespace {

namespace dir = directory;

// Tests run with the source tree as working directory; a config "in" the data folder finds its
// agents files there.
const std::string kData = "tests/unit/switch/config/data/";

Result<Config> load_with(std::string_view directory_section) {
  return load_text(std::string("directory:\n") + std::string(directory_section),
                   kData + "test.yaml");
}

std::string errors_with(std::string_view directory_section) {
  auto r = load_with(directory_section);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(AgentsFile, ReadsCsvWithQuotesCommentsAndCrlf) {
  auto r = load_with("  agents_file: good-agents.csv\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const dir::Directory& d = *r->directory;
  ASSERT_EQ(d.size(), 2u);
  const dir::Agent& zed = *d.agent("zed");
  EXPECT_EQ(zed.display_name, "Zed, the \"first\"");
  EXPECT_EQ(*zed.credentials.password, "pw-zed");
  EXPECT_EQ(d.by_number("2101"), &zed);
  EXPECT_EQ(zed.tasks, (std::vector<std::string>{"im", "voice"}));
  EXPECT_EQ(zed.skill_level("french"), 3u);
  EXPECT_EQ(zed.skill_level("sales"), 1u);
  EXPECT_EQ(zed.im_capacity, 4u);
  const dir::Agent& yan = *d.agent("yan");
  EXPECT_TRUE(yan.phone.empty());
  EXPECT_TRUE(yan.tasks.empty());  // "-"
  EXPECT_EQ(yan.im_capacity, dir::kDefaultImCapacity);
}

TEST(AgentsFile, CsvErrorsNameTheFileLineAndColumn) {
  const std::string f = kData + "bad-agents.csv";
  EXPECT_EQ(errors_with("  agents_file: bad-agents.csv\n"),
            f + ":7: has 3 fields, the header has 6\n" +
            f + ":8: unterminated quoted field (line breaks inside fields are not supported)\n" +
            f + ":9: im_capacity: must be a whole number from 1 to 1000\n" +
            f + ":10: skills: expected name:level pairs separated by spaces (e.g. billing:5 "
                "french:3)\n" +
            f + ":4: email: not an email address (expected name@example.com)\n" +
            f + ":5: phone: must be digits only, optionally after a '+' (e.g. 1001 or "
                "+33123456789)\n" +
            f + ":11: login: missing: every agent needs a login\n" +
            f + ":12: password: missing: an agent needs password, ha1_md5 or ha1_sha256\n" +
            f + ":6: login: duplicate login \"ok1\" (first at " + f + ":3)");
}

TEST(AgentsFile, CsvHeaderMustNameKnownColumnsOnce) {
  const std::string f = kData + "bad-header.csv";
  EXPECT_EQ(errors_with("  agents_file: bad-header.csv\n"),
            f + ":1: pasword: unknown column (expected: login, display_name, email, phone, "
                "password, ha1_md5, ha1_sha256, tasks, skills, im_capacity, digest_algorithms)\n" +
            f + ":1: email: column given twice");
}

TEST(AgentsFile, ReadsYamlAgentsFilesWithTheirOwnLines) {
  auto r = load_with("  agents_file: [good-agents.csv, team.yaml]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, kData + "team.yaml:6: agents[1].email: not an email address "
                                       "(expected name@example.com)");
}

TEST(AgentsFile, DuplicatesAcrossFilesPointAtTheFirst) {
  EXPECT_EQ(errors_with("  agents: [{ login: zed, password: p }]\n"
                        "  agents_file: good-agents.csv\n"),
            kData + "good-agents.csv:3: login: duplicate login \"zed\" (first at " + kData +
                "test.yaml:2)");
}

TEST(AgentsFile, ReportsMissingFilesAndUnknownFormats) {
  EXPECT_EQ(errors_with("  agents_file: nope.csv\n"),
            kData + "test.yaml:2: directory.agents_file: " + kData + "nope.csv: cannot open file");
  EXPECT_EQ(errors_with("  agents_file: agents.txt\n"),
            kData + "test.yaml:2: directory.agents_file: 'agents.txt': must end in .csv, .yaml "
                    "or .yml");
}

TEST(ShippedConfigs, ImswitchYamlHasTheSampleDirectory) {
  auto r = load_file("config/imswitch.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const dir::Directory& d = *r->directory;
  EXPECT_EQ(d.size(), 12u);
  EXPECT_EQ(d.queues().size(), 2u);
  EXPECT_EQ(d.routing_points().size(), 1u);
  EXPECT_EQ(d.realm(), "127.0.0.1");
  EXPECT_TRUE(d.is_local_domain("localhost"));
  ASSERT_NE(d.agent("alice"), nullptr);
  EXPECT_EQ(*d.agent("alice")->credentials.password, "pw-alice");
  EXPECT_FALSE(d.agent("leo")->has_task("im"));
  EXPECT_TRUE(d.agent("judy")->credentials.ha1_sha256.has_value());
  EXPECT_EQ(r->store.path, "imswitch.db");
}

TEST(ShippedConfigs, MinimalYamlHasTwoAgents) {
  auto r = load_file("config/minimal.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->directory->size(), 2u);
}

TEST(ShippedConfigs, ExampleCsvLoads) {
  auto r = load_text("directory:\n  agents_file: agents-example.csv\n", "config/example.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->directory->size(), 4u);
  EXPECT_EQ(r->directory->agent("noah")->display_name, "Dubois, Noah");
}

TEST(ShippedConfigs, BenchYamlServesTheBenchUsers) {
  auto r = load_file("config/bench.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const dir::Directory& d = *r->directory;
  EXPECT_EQ(d.size(), 1000u + 100u + 20000u);
  EXPECT_EQ(d.domains(), (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_EQ(d.realm(), "127.0.0.1");
  for (const char* login : {"agent0001", "agent1000", "cust0001", "cust0100", "load000001",
                            "load020000"}) {
    const dir::Agent* a = d.agent(login);
    ASSERT_NE(a, nullptr) << login;
    EXPECT_EQ(*a->credentials.password, std::string("pw-") + login);
    EXPECT_TRUE(a->has_task("im")) << login;
  }
  EXPECT_EQ(d.agent("agent1001"), nullptr);
  EXPECT_EQ(d.agent("agent0000"), nullptr);
  ASSERT_EQ(r->sip.listen.size(), 2u);
  for (const auto& l : r->sip.listen) {
    EXPECT_EQ(l.endpoint.address.to_string(), "127.0.0.1");
    EXPECT_EQ(l.endpoint.port, 5060);
  }
}

}  // namespace
}  // namespace ims::sw::config
