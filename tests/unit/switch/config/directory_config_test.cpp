// The directory section of the config: values, and errors placed at file:line:key.

#include <gtest/gtest.h>

#include <string>

#include "switch/config/loader.hpp"

namespace ims::sw::config {
namespace {

namespace dir = directory;

std::string errors_of(std::string_view yaml) {
  auto r = load_text(yaml, "test.yaml");
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(DirectoryConfig, ReadsAgentsQueuesAndRoutingPoints) {
  auto r = load_text(R"(sip:
  domains: [example.com, "[::1]"]
directory:
  agents:
    - login: alice
      display_name: Alice Martin
      email: alice@example.com
      phone: "1001"
      password: secret
      tasks: [im, voice]
      skills: { sales: 8, french: 3 }
      im_capacity: 5
    - { login: bob, ha1_md5: 0123456789ABCDEF0123456789abcdef, tasks: [] }
  queues:
    - { number: "2001", name: Sales, members: [alice, bob], distribution: least_busy,
        wait_limit_s: 60, overflow: "3000", no_answer_s: 20, max_waiting: 50 }
    - { number: "2002", skills: "sales>=5 | french", distribution: round_robin }
  routing_points:
    - number: "3000"
      name: Front desk
      rules:
        - { caller: "cust*", skill: french, target: alice }
        - { case_data: { topic: billing, vip: "*" }, target: "2002" }
        - { time: "08:00-18:00", days: [mon-fri, sun], target: "2001" }
        - { days: sat, target: bob }
      default: bob
)", "full.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const dir::Directory& d = *r->directory;
  EXPECT_EQ(d.realm(), "example.com");
  EXPECT_TRUE(d.is_local_domain("::1"));
  EXPECT_FALSE(d.is_local_domain("127.0.0.1"));
  ASSERT_EQ(d.size(), 2u);
  const dir::Agent& alice = *d.agent("alice");
  EXPECT_EQ(alice.display_name, "Alice Martin");
  EXPECT_EQ(alice.email, "alice@example.com");
  EXPECT_EQ(d.by_number("1001"), &alice);
  EXPECT_EQ(*alice.credentials.password, "secret");
  EXPECT_EQ(alice.tasks, (std::vector<std::string>{"im", "voice"}));
  EXPECT_EQ(alice.skill_level("sales"), 8u);
  EXPECT_EQ(alice.skill_level("french"), 3u);
  EXPECT_EQ(alice.im_capacity, 5u);
  const dir::Agent& bob = *d.agent("bob");
  EXPECT_EQ(*bob.credentials.ha1_md5, "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(bob.credentials.password);
  EXPECT_TRUE(bob.tasks.empty());
  EXPECT_EQ(bob.im_capacity, dir::kDefaultImCapacity);

  const dir::Queue& sales = *d.queue("2001");
  EXPECT_EQ(sales.name, "Sales");
  EXPECT_EQ(sales.members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(sales.distribution, dir::Distribution::LeastBusy);
  EXPECT_EQ(sales.wait_limit_s, 60u);
  EXPECT_EQ(sales.overflow, "3000");
  EXPECT_EQ(sales.no_answer_s, 20u);
  EXPECT_EQ(sales.max_waiting, 50u);
  const dir::Queue& q2 = *d.queue("2002");
  ASSERT_TRUE(q2.skills);
  EXPECT_EQ(q2.skills->to_string(), "sales>=5 | french");
  EXPECT_TRUE(q2.skills->matches(alice));
  EXPECT_FALSE(q2.skills->matches(bob));
  EXPECT_EQ(q2.wait_limit_s, dir::kDefaultWaitLimitS);
  EXPECT_EQ(q2.no_answer_s, dir::kDefaultNoAnswerS);
  EXPECT_EQ(q2.max_waiting, dir::kDefaultMaxWaiting);

  const dir::RoutingPoint& rp = *d.routing_point("3000");
  EXPECT_EQ(rp.name, "Front desk");
  ASSERT_EQ(rp.rules.size(), 4u);
  EXPECT_EQ(rp.rules[0].match.callers, (std::vector<std::string>{"cust*"}));
  EXPECT_EQ(rp.rules[0].match.skill, "french");
  EXPECT_EQ(rp.rules[0].target, "alice");
  ASSERT_EQ(rp.rules[1].match.case_data.size(), 2u);
  EXPECT_EQ(rp.rules[1].match.case_data[1], (std::pair<std::string, std::string>{"vip", "*"}));
  ASSERT_TRUE(rp.rules[2].match.time);
  EXPECT_EQ(rp.rules[2].match.time->to_string(), "08:00-18:00 mon,tue,wed,thu,fri,sun");
  ASSERT_TRUE(rp.rules[3].match.time);
  EXPECT_EQ(rp.rules[3].match.time->to_string(), "00:00-24:00 sat");
  EXPECT_EQ(rp.default_target, "bob");
}

TEST(DirectoryConfig, WithoutADirectoryTheSwitchServesTheLoopback) {
  auto r = load_text("", "empty.yaml");
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->directory, nullptr);
  EXPECT_EQ(r->directory->size(), 0u);
  EXPECT_EQ(r->directory->realm(), "127.0.0.1");
  EXPECT_TRUE(r->directory->is_local_domain("localhost"));
  EXPECT_TRUE(r->directory->is_local_domain("[::1]"));
}

TEST(DirectoryConfig, ReportsAgentErrorsAtTheLineOfTheKey) {
  EXPECT_EQ(errors_of(R"(directory:
  agents:
    - login: alice
      password: pw
      email: alice.example.com
    - { login: bob, password: pw, phone: "12a" }
    - { login: "carol smith", password: pw, skills: { sales: 200 }, im_capacity: 0 }
)"),
            "test.yaml:7: directory.agents[2].skills.sales: must be a level from 0 to 100\n"
            "test.yaml:7: directory.agents[2].im_capacity: must be a whole number from 1 to 1000\n"
            "test.yaml:5: directory.agents[0].email: not an email address (expected "
            "name@example.com)\n"
            "test.yaml:6: directory.agents[1].phone: must be digits only, optionally after a "
            "'+' (e.g. 1001 or +33123456789)\n"
            "test.yaml:7: directory.agents[2].login: must be letters, digits and . _ ~ + - only "
            "(a SIP user name)");
}

TEST(DirectoryConfig, ReadsAnAgentsDigestAlgorithms) {
  auto r = load_text(R"(directory:
  agents:
    - { login: a, password: p, digest_algorithms: [MD5] }
    - { login: b, password: p, digest_algorithms: [md5, SHA-256] }
    - { login: c, password: p }
  generate:
    - { prefix: g, from: 1, to: 2, password: "pw-{login}", digest_algorithms: MD5 }
)", "test.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& d = *r->directory;
  using auth::Algorithm;
  EXPECT_EQ(d.agent("a")->credentials.offered, std::vector<Algorithm>{Algorithm::Md5});
  EXPECT_EQ(d.agent("b")->credentials.offered,
            (std::vector<Algorithm>{Algorithm::Md5, Algorithm::Sha256}));
  EXPECT_TRUE(d.agent("c")->credentials.offered.empty());
  EXPECT_EQ(d.agent("g2")->credentials.offered, std::vector<Algorithm>{Algorithm::Md5});
  EXPECT_EQ(errors_of("directory:\n  agents:\n"
                      "    - { login: a, password: p, digest_algorithms: [MD5, MD5] }\n"),
            "test.yaml:3: directory.agents[0].digest_algorithms: must list SHA-256 and/or MD5, "
            "each once, in the order offered");
  EXPECT_EQ(errors_of("directory:\n  agents:\n"
                      "    - { login: a, password: p, digest_algorithms: [SHA-512-256] }\n"),
            "test.yaml:3: directory.agents[0].digest_algorithms: must list SHA-256 and/or MD5, "
            "each once, in the order offered");
}

TEST(DirectoryConfig, QueueTimersAndLineAreBounded) {
  const std::string head = "directory:\n  agents: [{ login: a, password: p }]\n  queues:\n";
  EXPECT_EQ(errors_of(head + "    - { number: \"2001\", members: [a], no_answer_s: 0 }\n"),
            "test.yaml:4: directory.queues[0].no_answer_s: must be a whole number from 1 to 600");
  EXPECT_EQ(errors_of(head + "    - { number: \"2001\", members: [a], max_waiting: 0 }\n"),
            "test.yaml:4: directory.queues[0].max_waiting: must be a whole number from 1 to "
            "1000000");
}

TEST(DirectoryConfig, RejectsUnknownKeysEverywhere) {
  EXPECT_EQ(errors_of("directory:\n  agents:\n    - { login: a, password: p, mail: x }\n"),
            "test.yaml:3: directory.agents[0].mail: unknown key (expected one of: login, "
            "display_name, email, phone, password, ha1_md5, ha1_sha256, tasks, skills, "
            "im_capacity, digest_algorithms)");
  EXPECT_EQ(errors_of("directory:\n  agent: []\n"),
            "test.yaml:2: directory.agent: unknown key (expected one of: agents, generate, "
            "agents_file, queues, routing_points)");
  const std::string rule = errors_of(R"(directory:
  agents: [{ login: a, password: p }]
  routing_points:
    - number: "3000"
      default: a
      rules:
        - { target: a, when: always }
)");
  EXPECT_EQ(rule, "test.yaml:7: directory.routing_points[0].rules[0].when: unknown key (expected "
                  "one of: caller, skill, case_data, time, days, target)");
}

TEST(DirectoryConfig, RejectsAKeyGivenTwice) {
  EXPECT_EQ(errors_of("directory:\n  agents:\n    - login: a\n      password: p\n      login: b\n"),
            "test.yaml:5: directory.agents[0].login: key given twice");
}

TEST(DirectoryConfig, DuplicatesPointAtTheFirstDefinition) {
  EXPECT_EQ(errors_of(R"(directory:
  agents:
    - { login: alice, password: p, phone: "1001" }
    - { login: bob, password: p, phone: "1001" }
    - { login: ALICE, password: p }
  queues:
    - { number: "1001", members: [alice] }
)"),
            "test.yaml:5: directory.agents[2].login: duplicate login \"ALICE\" (first at "
            "test.yaml:3)\n"
            "test.yaml:4: directory.agents[1].phone: duplicate phone \"1001\" (first at "
            "test.yaml:3)\n"
            "test.yaml:7: directory.queues[0].number: \"1001\" is already the phone of agent "
            "\"alice\" (all logins and numbers share one address space) (first at test.yaml:3)");
}

TEST(DirectoryConfig, ReportsQueueAndRoutingErrorsAtTheirLines) {
  EXPECT_EQ(errors_of(R"(directory:
  agents: [{ login: alice, password: p }]
  queues:
    - number: "2001"
      members:
        - alice
        - zoe
      skills: "sales >= high"
      distribution: random
      overflow: "9999"
  routing_points:
    - number: "3000"
      rules:
        - { time: "8-18", target: alice }
        - { days: [someday], target: "2001" }
        - { caller: "a b", target: nobody }
)"),
            "test.yaml:8: directory.queues[0].skills: after 'sales>=': expected a level from 0 "
            "to 100\n"
            "test.yaml:9: directory.queues[0].distribution: must be longest_idle, round_robin "
            "or least_busy\n"
            "test.yaml:14: directory.routing_points[0].rules[0].time: must be HH:MM-HH:MM on the "
            "24-hour clock (e.g. 08:00-18:00)\n"
            "test.yaml:15: directory.routing_points[0].rules[1].days: must be a day (mon, tue, "
            "wed, thu, fri, sat, sun) or a range such as mon-fri\n"
            "test.yaml:16: directory.routing_points[0].rules[2].caller[0]: must be login "
            "characters (letters, digits, . _ ~ + -) and '*' only\n"
            "test.yaml:12: directory.routing_points[0].default: missing: the target when no "
            "rule matches\n"
            "test.yaml:7: directory.queues[0].members[1]: no agent with login \"zoe\"\n"
            "test.yaml:10: directory.queues[0].overflow: no agent, queue or routing point "
            "\"9999\"\n"
            "test.yaml:16: directory.routing_points[0].rules[2].target: no agent, queue or "
            "routing point \"nobody\"");
}

TEST(DirectoryConfig, GeneratesRangesOfAgents) {
  auto r = load_text(R"(directory:
  generate:
    - { prefix: agent, from: 1, to: 250, digits: 4, password: "pw-{login}",
        display_name: "Agent {n}", email: "{login}@example.com", phone: "5{n}",
        skills: { sales: 2 }, im_capacity: 10 }
    - { prefix: x, to: 3, password: secret, tasks: [voice] }
)", "gen.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const dir::Directory& d = *r->directory;
  EXPECT_EQ(d.size(), 253u);
  const dir::Agent* a = d.agent("agent0042");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a->credentials.password, "pw-agent0042");
  EXPECT_EQ(a->display_name, "Agent 0042");
  EXPECT_EQ(a->email, "agent0042@example.com");
  EXPECT_EQ(d.by_number("50042"), a);
  EXPECT_EQ(a->skill_level("sales"), 2u);
  EXPECT_EQ(a->im_capacity, 10u);
  ASSERT_NE(d.agent("x3"), nullptr);
  EXPECT_EQ(*d.agent("x1")->credentials.password, "secret");
  EXPECT_FALSE(d.agent("x1")->has_task("im"));
  EXPECT_EQ(d.agent("x0"), nullptr);
}

TEST(DirectoryConfig, ReportsGenerateErrors) {
  EXPECT_EQ(errors_of("directory:\n  generate:\n    - { prefix: a, from: 5, to: 2, "
                      "password: x }\n"),
            "test.yaml:3: directory.generate[0].to: must not be smaller than from");
  EXPECT_EQ(errors_of("directory:\n  generate:\n    - { prefix: a, to: 2, "
                      "password: \"{user}\" }\n"),
            "test.yaml:3: directory.generate[0].password: unknown placeholder: only {login} and "
            "{n} are replaced");
  EXPECT_EQ(errors_of("directory:\n  generate:\n    - { prefix: a, to: 2 }\n"),
            "test.yaml:3: directory.generate[0].password: missing: a template such as "
            "\"pw-{login}\"");
  EXPECT_EQ(errors_of("directory:\n  generate:\n    - { prefix: a, to: 200, digits: 2, "
                      "password: x }\n"),
            "test.yaml:3: directory.generate[0].digits: is too small for the numbers up to 'to'");
}

TEST(DirectoryConfig, ListsAtMostOneHundredErrors) {
  const std::string all = errors_of(R"(directory:
  generate:
    - { prefix: a, to: 300, password: x }
    - { prefix: a, to: 300, password: x }
)");
  EXPECT_EQ(all.rfind("test.yaml:4: directory.generate[1].login: duplicate login \"a1\" (first at "
                      "test.yaml:3)\n", 0), 0u) << all.substr(0, 200);
  EXPECT_NE(all.find("\n... and 200 more errors"), std::string::npos);
}

TEST(DirectoryConfig, ChecksTheDomains) {
  EXPECT_EQ(errors_of("sip:\n  domains: [example.com, \"exa mple\", EXAMPLE.com]\n"),
            "test.yaml:2: sip.domains[1]: must be a host name, an IPv4 address or an IPv6 "
            "address\n"
            "test.yaml:2: sip.domains[2]: duplicate domain \"EXAMPLE.com\" (first at "
            "test.yaml:2)");
  EXPECT_EQ(errors_of("sip:\n  domains: []\n"),
            "test.yaml:2: sip.domains: must be a list of host names or addresses, at least one");
}

}  // namespace
}  // namespace ims::sw::config
