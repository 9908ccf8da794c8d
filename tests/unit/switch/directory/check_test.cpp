// Directory::build's checks, one problem kind per test.

#include <gtest/gtest.h>

#include "switch/directory/directory.hpp"

namespace ims::sw::directory {
namespace {

Agent agent(std::string login, std::string phone = "") {
  Agent a;
  a.login = std::move(login);
  a.phone = std::move(phone);
  a.credentials.password = "pw";
  return a;
}

Queue queue(std::string number, std::vector<std::string> members, std::string overflow = "") {
  Queue q;
  q.number = std::move(number);
  q.members = std::move(members);
  q.overflow = std::move(overflow);
  return q;
}

RoutingPoint routing_point(std::string number, std::string default_target) {
  RoutingPoint rp;
  rp.number = std::move(number);
  rp.default_target = std::move(default_target);
  return rp;
}

DirectoryData base() {
  DirectoryData d;
  d.domains = default_domains();
  d.agents = {agent("alice", "1001"), agent("bob", "1002")};
  return d;
}

// The problems as "agents[1].email: reason (first: agents[0])" lines.
std::string problems(DirectoryData d) {
  auto r = Directory::create(std::move(d));
  return r ? std::string("(none)") : r.error().message;
}

TEST(DirectoryCheck, AcceptsAValidDirectory) { EXPECT_EQ(problems(base()), "(none)"); }

TEST(DirectoryCheck, ReportsBadAgentFields) {
  DirectoryData d = base();
  d.agents[0].email = "alice-at-example";
  d.agents[0].phone = "10-01";
  d.agents[0].display_name = "A\nB";
  d.agents[1].credentials = {};
  d.agents[1].im_capacity = 0;
  EXPECT_EQ(problems(d),
            "agents[0].display_name: must not contain control characters or line breaks\n"
            "agents[0].email: not an email address (expected name@example.com)\n"
            "agents[0].phone: must be digits only, optionally after a '+' (e.g. 1001 or "
            "+33123456789)\n"
            "agents[1].password: missing: an agent needs password, ha1_md5 or ha1_sha256\n"
            "agents[1].im_capacity: must be a whole number from 1 to 1000");
}

TEST(DirectoryCheck, ReportsUnknownTasksAndBadSkills) {
  DirectoryData d = base();
  d.agents[0].tasks = {"im", "fax", "im"};
  d.agents[0].skills = {{"sales", 101}, {"Sales", 1}, {"sales", 2}};
  EXPECT_EQ(problems(d),
            "agents[0].tasks[1]: unknown task \"fax\" (known: im, voice, email, chat, workitem)\n"
            "agents[0].tasks[2]: task \"im\" listed twice\n"
            "agents[0].skills.sales: must be a level from 0 to 100\n"
            "agents[0].skills.Sales: skill name must be lowercase letters, digits, '_' and '-' "
            "only\n"
            "agents[0].skills.sales: skill \"sales\" listed twice");
}

TEST(DirectoryCheck, RejectsDuplicateLoginsIgnoringCase) {
  DirectoryData d = base();
  d.agents.push_back(agent("Alice"));
  EXPECT_EQ(problems(d), "agents[2].login: duplicate login \"Alice\" (first: agents[0])");
}

TEST(DirectoryCheck, NumbersShareOneAddressSpace) {
  DirectoryData d = base();
  d.agents.push_back(agent("carol", "1001"));
  d.queues.push_back(queue("1002", {"alice"}));
  d.routing_points.push_back(routing_point("2000", "alice"));
  d.routing_points.push_back(routing_point("2000", "bob"));
  EXPECT_EQ(problems(d),
            "agents[2].phone: duplicate phone \"1001\" (first: agents[0])\n"
            "queues[0].number: \"1002\" is already the phone of agent \"bob\" (all logins and "
            "numbers share one address space) (first: agents[1])\n"
            "routing_points[1].number: duplicate number \"2000\" (first: routing_points[0])");
}

TEST(DirectoryCheck, AnAgentMayUseItsOwnNumberAsLogin) {
  DirectoryData d = base();
  d.agents.push_back(agent("1003", "1003"));
  EXPECT_EQ(problems(d), "(none)");
}

TEST(DirectoryCheck, QueueMembersMustBeAgents) {
  DirectoryData d = base();
  d.queues.push_back(queue("2001", {"alice", "zoe", "alice", "1002"}));
  d.queues.push_back(queue("2002", {}));
  EXPECT_EQ(problems(d),
            "queues[1].members: a queue needs members, skills or both\n"
            "queues[0].members[1]: no agent with login \"zoe\"\n"
            "queues[0].members[2]: \"alice\" listed twice\n"
            "queues[0].members[3]: no agent with login \"1002\"");
}

TEST(DirectoryCheck, QueueWithSkillsNeedsNoMemberList) {
  DirectoryData d = base();
  Queue q = queue("2001", {});
  q.skills = SkillExpr::parse("sales>=3").value();
  d.queues.push_back(q);
  EXPECT_EQ(problems(d), "(none)");
}

TEST(DirectoryCheck, TargetsMustExistAndNotBeThemselves) {
  DirectoryData d = base();
  d.queues.push_back(queue("2001", {"alice"}, "2001"));
  RoutingPoint rp = routing_point("3000", "9999");
  rp.rules.push_back(RouteRule{{}, "3000"});
  rp.rules.push_back(RouteRule{{}, ""});
  d.routing_points.push_back(rp);
  d.routing_points.push_back(routing_point("3001", ""));
  EXPECT_EQ(problems(d),
            "routing_points[0].rules[1]: never used: rules[0] before it has no conditions and "
            "matches everything\n"
            "routing_points[1].default: missing: the target when no rule matches\n"
            "queues[0].overflow: must not be the entry itself\n"
            "routing_points[0].rules[0].target: must not be the entry itself\n"
            "routing_points[0].rules[1].target: missing: an agent login, queue or routing-point "
            "number\n"
            "routing_points[0].default: no agent, queue or routing point \"9999\"");
}

TEST(DirectoryCheck, FallbackRoutesMustNotLoop) {
  DirectoryData d = base();
  d.queues.push_back(queue("2001", {"alice"}, "3000"));
  d.queues.push_back(queue("2002", {"bob"}, "2001"));
  d.routing_points.push_back(routing_point("3000", "2001"));
  d.routing_points.push_back(routing_point("3001", "2002"));
  EXPECT_EQ(problems(d),
            "queues[0].overflow: loops back: 2001 -> 3000 -> 2001 (overflow and default routes "
            "must end at an agent or a queue without overflow)");
}

TEST(DirectoryCheck, RuleConditionsAreChecked) {
  DirectoryData d = base();
  RoutingPoint rp = routing_point("3000", "alice");
  RouteMatch m;
  m.callers = {"cust*", "bad caller"};
  m.skill = "French";
  m.case_data = {{"topic", ""}};
  rp.rules.push_back(RouteRule{m, "bob"});
  d.routing_points.push_back(rp);
  EXPECT_EQ(problems(d),
            "routing_points[0].rules[0].caller[1]: must be login characters (letters, digits, "
            ". _ ~ + -) and '*' only\n"
            "routing_points[0].rules[0].skill: must be lowercase letters, digits, '_' and '-' "
            "only\n"
            "routing_points[0].rules[0].case_data.topic: must not be empty (\"*\": any)");
}

TEST(DirectoryCheck, DomainsMustBeValidAndDistinct) {
  DirectoryData d = base();
  d.domains = {"example.com", "EXAMPLE.COM", "bad domain", "[::1]", "0::1"};
  EXPECT_EQ(problems(d),
            "domains[1]: duplicate domain \"EXAMPLE.COM\" (first: domains[0])\n"
            "domains[2]: must be a host name, an IPv4 address or an IPv6 address\n"
            "domains[4]: duplicate domain \"0::1\" (first: domains[3])");
  d.domains.clear();
  EXPECT_EQ(problems(d), "domains[0]: at least one domain is needed");
}

TEST(DirectoryCheck, BuildReportsProblemsAsValues) {
  DirectoryData d = base();
  d.agents[1].login = "alice";
  auto built = Directory::build(std::move(d));
  EXPECT_EQ(built.directory, nullptr);
  ASSERT_EQ(built.problems.size(), 1u);
  EXPECT_EQ(built.problems[0].where.kind, EntityKind::Agent);
  EXPECT_EQ(built.problems[0].where.index, 1u);
  EXPECT_EQ(built.problems[0].field, "login");
  ASSERT_TRUE(built.problems[0].first);
  EXPECT_EQ(built.problems[0].first->index, 0u);
}

}  // namespace
}  // namespace ims::sw::directory
