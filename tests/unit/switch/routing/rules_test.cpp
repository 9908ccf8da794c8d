#include "switch/routing/rules.hpp"

#include <gtest/gtest.h>

#include "switch/routing/errors.hpp"

namespace ims::sw::routing {
namespace {

using directory::Agent;
using directory::DirectoryData;
using directory::Queue;
using directory::RouteMatch;
using directory::RouteRule;
using directory::RoutingPoint;
using directory::TimeWindow;

constexpr unsigned kSun = 0, kMon = 1, kWed = 3, kFri = 5, kSat = 6;

constexpr unsigned at(unsigned h, unsigned m) { return h * 60 + m; }

TimeWindow window(std::string_view hours, std::initializer_list<std::string_view> days) {
  TimeWindow w;
  EXPECT_TRUE(w.set_hours(hours));
  for (std::string_view d : days) EXPECT_TRUE(w.add_days(d));
  return w;
}

RouteRule rule(std::string target, RouteMatch m) {
  return RouteRule{std::move(m), std::move(target)};
}

RouteMatch callers(std::vector<std::string> patterns) {
  RouteMatch m;
  m.callers = std::move(patterns);
  return m;
}

RouteMatch skill(std::string s) {
  RouteMatch m;
  m.skill = std::move(s);
  return m;
}

RouteMatch case_data(std::string key, std::string value) {
  RouteMatch m;
  m.case_data.emplace_back(std::move(key), std::move(value));
  return m;
}

RouteMatch during(TimeWindow w) {
  RouteMatch m;
  m.time = w;
  return m;
}

RoutingPoint rp(std::vector<RouteRule> rules, std::string fallback = "default") {
  RoutingPoint p;
  p.number = "3000";
  p.rules = std::move(rules);
  p.default_target = std::move(fallback);
  return p;
}

Facts facts(std::string caller, std::string asked = "",
            std::vector<std::pair<std::string, std::string>> data = {}) {
  return Facts{std::move(caller), std::move(asked), std::move(data)};
}

const LocalTime kWedNoon{kWed, at(12, 0)};

TEST(Evaluate, CallerGlobsMatchAnyPattern) {
  const RoutingPoint p = rp({rule("vip", callers({"boss", "cust-*-gold"}))});
  EXPECT_EQ(evaluate(p, facts("boss"), kWedNoon), "vip");
  EXPECT_EQ(evaluate(p, facts("cust-42-gold"), kWedNoon), "vip");
  EXPECT_EQ(evaluate(p, facts("cust-42-silver"), kWedNoon), "default");
  EXPECT_EQ(evaluate(p, facts("bossy"), kWedNoon), "default");
}

TEST(Evaluate, SkillMustBeTheOneAskedFor) {
  const RoutingPoint p = rp({rule("billing", skill("billing"))});
  EXPECT_EQ(evaluate(p, facts("x", "billing"), kWedNoon), "billing");
  EXPECT_EQ(evaluate(p, facts("x", "sales"), kWedNoon), "default");
  EXPECT_EQ(evaluate(p, facts("x"), kWedNoon), "default");
}

TEST(Evaluate, CaseDataNeedsTheValueOrJustTheKeyForStar) {
  const RoutingPoint p =
      rp({rule("fr", case_data("lang", "fr")), rule("vip", case_data("vip", "*"))});
  EXPECT_EQ(evaluate(p, facts("x", "", {{"lang", "fr"}}), kWedNoon), "fr");
  EXPECT_EQ(evaluate(p, facts("x", "", {{"lang", "de"}}), kWedNoon), "default");
  EXPECT_EQ(evaluate(p, facts("x", "", {{"vip", ""}}), kWedNoon), "vip");
  EXPECT_EQ(evaluate(p, facts("x", "", {{"lang", "de"}, {"vip", "yes"}}), kWedNoon), "vip");
  EXPECT_EQ(evaluate(p, facts("x", "", {{"lang", "vip"}}), kWedNoon), "default");
}

TEST(Evaluate, EveryConditionOfARuleMustHold) {
  RouteMatch m = callers({"cust*"});
  m.skill = "billing";
  m.case_data.emplace_back("vip", "*");
  m.time = window("08:00-18:00", {"mon-fri"});
  const RoutingPoint p = rp({rule("all", m)});
  const auto all = facts("cust1", "billing", {{"vip", "1"}});
  EXPECT_EQ(evaluate(p, all, kWedNoon), "all");
  EXPECT_EQ(evaluate(p, facts("agent1", "billing", {{"vip", "1"}}), kWedNoon), "default");
  EXPECT_EQ(evaluate(p, facts("cust1", "sales", {{"vip", "1"}}), kWedNoon), "default");
  EXPECT_EQ(evaluate(p, facts("cust1", "billing"), kWedNoon), "default");
  EXPECT_EQ(evaluate(p, all, LocalTime{kSat, at(12, 0)}), "default");
}

TEST(Evaluate, FirstMatchingRuleWins) {
  const RoutingPoint p = rp({rule("first", callers({"a*"})), rule("second", callers({"ab*"})),
                             rule("third", RouteMatch{})});
  EXPECT_EQ(evaluate(p, facts("abc"), kWedNoon), "first");
  EXPECT_EQ(evaluate(p, facts("bcd"), kWedNoon), "third");  // no conditions: always
}

TEST(Evaluate, DefaultWhenNoRuleMatchesAndEmptyWithoutOne) {
  EXPECT_EQ(evaluate(rp({rule("a", skill("x"))}), facts("c"), kWedNoon), "default");
  EXPECT_EQ(evaluate(rp({rule("a", skill("x"))}, ""), facts("c"), kWedNoon), "");
}

TEST(Evaluate, DayRangesAndOfficeHours) {
  const RoutingPoint p = rp({rule("open", during(window("08:00-18:00", {"mon-fri"})))}, "closed");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kMon, at(8, 0)}), "open");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kMon, at(7, 59)}), "closed");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kFri, at(17, 59)}), "open");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kFri, at(18, 0)}), "closed");  // end exclusive
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSat, at(12, 0)}), "closed");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSun, at(12, 0)}), "closed");
}

TEST(Evaluate, WindowAcrossMidnightBelongsToTheDayItStarts) {
  const RoutingPoint p = rp({rule("night", during(window("22:00-06:00", {"fri"})))}, "day");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kFri, at(23, 0)}), "night");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSat, at(2, 0)}), "night");  // Friday's night
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSat, at(6, 0)}), "day");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kFri, at(2, 0)}), "day");  // Thursday's night
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSat, at(23, 0)}), "day");
}

TEST(Evaluate, WeekendRangeWrapsRoundTheWeek) {
  const RoutingPoint p = rp({rule("weekend", during(window("00:00-24:00", {"sat-sun"})))}, "week");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSat, at(0, 0)}), "weekend");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kSun, at(23, 59)}), "weekend");
  EXPECT_EQ(evaluate(p, facts("c"), LocalTime{kMon, at(0, 0)}), "week");
}

// --- resolve -------------------------------------------------------------------------------------

Agent agent(std::string login, std::string phone = "") {
  Agent a;
  a.login = std::move(login);
  a.phone = std::move(phone);
  a.credentials.password = "pw";
  return a;
}

Queue queue(std::string number, std::vector<std::string> members) {
  Queue q;
  q.number = std::move(number);
  q.members = std::move(members);
  return q;
}

RoutingPoint point(std::string number, std::vector<RouteRule> rules, std::string fallback) {
  RoutingPoint p = rp(std::move(rules), std::move(fallback));
  p.number = std::move(number);
  return p;
}

std::shared_ptr<const directory::Directory> build(DirectoryData d) {
  d.domains = {"example.com"};
  auto dir = directory::Directory::create(std::move(d));
  EXPECT_TRUE(dir) << dir.error().message;
  return dir ? *dir : directory::Directory::empty();
}

DirectoryData centre() {
  DirectoryData d;
  d.agents = {agent("alice", "1001"), agent("bob", "1002")};
  d.queues = {queue("2001", {"alice"}), queue("2002", {"bob"})};
  // 3000 -> 3100 for billing, else queue 2001; 3100 -> bob for vip, else queue 2002.
  d.routing_points = {point("3000", {rule("3100", skill("billing"))}, "2001"),
                      point("3100", {rule("bob", case_data("vip", "*"))}, "2002")};
  return d;
}

TEST(Resolve, AgentsByLoginOrPhoneAndQueuesDirectly) {
  const auto dir = build(centre());
  auto r = resolve(*dir, "1002", facts("c"), kWedNoon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::get<const Agent*>(r->target)->login, "bob");
  EXPECT_EQ(r->path, std::vector<std::string>{"1002"});
  r = resolve(*dir, "2001", facts("c"), kWedNoon);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<const Queue*>(r->target)->number, "2001");
}

TEST(Resolve, FollowsNestedRoutingPointsAndRecordsThePath) {
  const auto dir = build(centre());
  auto r = resolve(*dir, "3000", facts("c", "billing", {{"vip", "1"}}), kWedNoon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::get<const Agent*>(r->target)->login, "bob");
  EXPECT_EQ(r->path, (std::vector<std::string>{"3000", "3100", "bob"}));

  r = resolve(*dir, "3000", facts("c", "billing"), kWedNoon);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<const Queue*>(r->target)->number, "2002");
  EXPECT_EQ(r->path, (std::vector<std::string>{"3000", "3100", "2002"}));

  r = resolve(*dir, "3000", facts("c"), kWedNoon);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, (std::vector<std::string>{"3000", "2001"}));
}

TEST(Resolve, UnknownAddressIsAnError) {
  const auto dir = build(centre());
  const auto r = resolve(*dir, "9999", facts("c"), kWedNoon);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, RoutingErrc::UnknownTarget);
  EXPECT_NE(r.error().message.find("9999"), std::string::npos);
}

TEST(Resolve, RuleLoopStopsAfterMaxHops) {
  DirectoryData d = centre();
  // Each sends "loop" interactions to the other; the defaults end, so the directory is valid.
  d.routing_points = {point("3000", {rule("3001", skill("loop"))}, "2001"),
                      point("3001", {rule("3000", skill("loop"))}, "2001")};
  const auto dir = build(std::move(d));
  EXPECT_TRUE(resolve(*dir, "3000", facts("c"), kWedNoon));
  const auto r = resolve(*dir, "3000", facts("c", "loop"), kWedNoon);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, RoutingErrc::TooManyHops);
}

TEST(Resolve, ChainOfMaxHopsRoutingPointsStillArrives) {
  auto chain = [](std::size_t points) {
    DirectoryData d = centre();
    d.routing_points.clear();
    for (std::size_t k = 0; k < points; ++k) {
      const std::string next = k + 1 == points ? "2001" : std::to_string(5000 + k + 1);
      d.routing_points.push_back(point(std::to_string(5000 + k), {}, next));
    }
    return build(std::move(d));
  };
  const auto ok = chain(kMaxRouteHops);
  auto r = resolve(*ok, "5000", facts("c"), kWedNoon);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path.size(), kMaxRouteHops + 1);
  const auto too_long = chain(kMaxRouteHops + 1);
  r = resolve(*too_long, "5000", facts("c"), kWedNoon);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, RoutingErrc::TooManyHops);
}

}  // namespace
}  // namespace ims::sw::routing
