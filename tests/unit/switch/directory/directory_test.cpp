#include "switch/directory/directory.hpp"

#include <gtest/gtest.h>

namespace ims::sw::directory {
namespace {

Agent agent(std::string login, std::string phone = "") {
  Agent a;
  a.login = std::move(login);
  a.phone = std::move(phone);
  a.credentials.password = "pw-" + a.login;
  return a;
}

DirectoryData small() {
  DirectoryData d;
  d.domains = {"example.com", "127.0.0.1", "[2001:db8::1]"};
  d.agents = {agent("alice", "1001"), agent("bob", "1002")};
  d.agents[1].tasks = {"voice"};
  d.agents[1].skills = {{"billing", 4}};
  Queue q;
  q.number = "2001";
  q.name = "Sales";
  q.members = {"alice"};
  d.queues.push_back(q);
  RoutingPoint rp;
  rp.number = "3000";
  rp.rules.push_back(RouteRule{RouteMatch{{"cust*"}, "", {}, std::nullopt}, "bob"});
  rp.default_target = "2001";
  d.routing_points.push_back(rp);
  return d;
}

TEST(Directory, FindsAgentsByLoginAndNumber) {
  auto dir = Directory::create(small());
  ASSERT_TRUE(dir) << dir.error().message;
  const Directory& d = **dir;
  EXPECT_EQ(d.size(), 2u);
  ASSERT_NE(d.agent("alice"), nullptr);
  EXPECT_EQ(d.agent("alice")->phone, "1001");
  EXPECT_EQ(d.agent("Alice"), nullptr);  // RFC 3261 §19.1.4: the user part is case-sensitive
  EXPECT_EQ(d.agent("nobody"), nullptr);
  ASSERT_NE(d.by_number("1002"), nullptr);
  EXPECT_EQ(d.by_number("1002")->login, "bob");
  EXPECT_EQ(d.by_number("alice"), nullptr);
  ASSERT_NE(d.queue("2001"), nullptr);
  EXPECT_EQ(d.queue("2001")->name, "Sales");
  ASSERT_NE(d.routing_point("3000"), nullptr);
  EXPECT_EQ(d.routing_point("2001"), nullptr);
}

TEST(Directory, ResolvesEveryKindOfAddress) {
  auto dir = Directory::create(small());
  ASSERT_TRUE(dir);
  const Directory& d = **dir;
  auto a = d.resolve("1001");
  ASSERT_TRUE(a);
  ASSERT_TRUE(std::holds_alternative<const Agent*>(*a));
  EXPECT_EQ(std::get<const Agent*>(*a)->login, "alice");
  EXPECT_TRUE(std::holds_alternative<const Agent*>(*d.resolve("bob")));
  EXPECT_TRUE(std::holds_alternative<const Queue*>(*d.resolve("2001")));
  EXPECT_TRUE(std::holds_alternative<const RoutingPoint*>(*d.resolve("3000")));
  EXPECT_FALSE(d.resolve("4000"));
}

TEST(Directory, KnowsItsDomainsAndRealm) {
  auto dir = Directory::create(small());
  ASSERT_TRUE(dir);
  const Directory& d = **dir;
  EXPECT_EQ(d.realm(), "example.com");
  EXPECT_TRUE(d.is_local_domain("EXAMPLE.com"));
  EXPECT_TRUE(d.is_local_domain("127.0.0.1"));
  EXPECT_TRUE(d.is_local_domain("2001:db8::1"));
  EXPECT_TRUE(d.is_local_domain("[2001:DB8:0::1]"));
  EXPECT_FALSE(d.is_local_domain("127.0.0.2"));
  EXPECT_FALSE(d.is_local_domain("evil.example.com"));
}

TEST(Directory, EmptyServesTheLoopbackDomains) {
  auto d = Directory::empty();
  EXPECT_EQ(d->size(), 0u);
  EXPECT_EQ(d->realm(), "127.0.0.1");
  EXPECT_TRUE(d->is_local_domain("localhost"));
  EXPECT_TRUE(d->is_local_domain("[::1]"));
}

TEST(Agent, AnswersTaskAndSkillQuestions) {
  auto dir = Directory::create(small());
  ASSERT_TRUE(dir);
  const Agent* alice = (*dir)->agent("alice");
  const Agent* bob = (*dir)->agent("bob");
  EXPECT_TRUE(alice->has_task("im"));  // the default
  EXPECT_FALSE(bob->has_task("im"));
  EXPECT_TRUE(bob->has_task("voice"));
  EXPECT_EQ(bob->skill_level("billing"), 4u);
  EXPECT_FALSE(alice->skill_level("billing"));
  EXPECT_EQ(alice->shown_name(), "alice");
}

TEST(Directory, NormalisesDigestsToLowercase) {
  DirectoryData d = small();
  d.agents[0].credentials.ha1_md5 = std::string(32, 'A');
  auto dir = Directory::create(std::move(d));
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ(*(*dir)->agent("alice")->credentials.ha1_md5, std::string(32, 'a'));
}

TEST(Directory, IndexesTwentyThousandAgents) {
  DirectoryData d;
  d.domains = default_domains();
  for (int i = 1; i <= 21100; ++i) d.agents.push_back(agent("user" + std::to_string(i)));
  auto dir = Directory::create(std::move(d));
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ((*dir)->size(), 21100u);
  ASSERT_NE((*dir)->agent("user21100"), nullptr);
  EXPECT_EQ(*(*dir)->agent("user17")->credentials.password, "pw-user17");
}

}  // namespace
}  // namespace ims::sw::directory
