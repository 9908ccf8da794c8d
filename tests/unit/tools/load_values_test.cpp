// `imtool load`'s values: the latency histogram's buckets and percentiles, the open-loop
// schedule (with and without a ramp), the plan's parsing (login ranges, agents files, the mix,
// durations, profiles) and its checks, and the report's /metrics comparison and JSON.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

#include "tools/imtool/load/histogram.hpp"
#include "tools/imtool/load/plan.hpp"
#include "tools/imtool/load/results.hpp"
#include "tools/imtool/load/schedule.hpp"

namespace ims::tool::load {
namespace {

using namespace std::chrono_literals;

// ---- LatencyHistogram --------------------------------------------------------------------------

TEST(LatencyHistogram, SmallValuesAreExactAndLargeOnesWithinOnePercentAbove) {
  for (std::uint64_t v : {0ull, 1ull, 100ull, 255ull}) {
    EXPECT_EQ(LatencyHistogram::highest_in(LatencyHistogram::bucket_of(v)), v);
  }
  for (std::uint64_t v : {256ull, 257ull, 1000ull, 12345ull, 999'999ull, 3'600'000'000ull}) {
    const auto high = LatencyHistogram::highest_in(LatencyHistogram::bucket_of(v));
    EXPECT_GE(high, v);
    EXPECT_LE(static_cast<double>(high - v), static_cast<double>(v) / 128.0) << v;
  }
  // Buckets are ordered and adjacent: the value after a bucket's highest opens the next.
  for (std::size_t b = 0; b + 1 < LatencyHistogram::kBuckets; b += 97) {
    EXPECT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::highest_in(b) + 1), b + 1);
  }
}

TEST(LatencyHistogram, PercentilesOfAKnownSpread) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v) h.record(v * 10);  // 10 µs .. 10 ms
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 10'000u);
  EXPECT_DOUBLE_EQ(h.mean(), 5005.0);
  auto near = [](std::uint64_t got, double want) {
    return std::abs(static_cast<double>(got) - want) <= want / 100;
  };
  EXPECT_TRUE(near(h.percentile(0.5), 5000)) << h.percentile(0.5);
  EXPECT_TRUE(near(h.percentile(0.99), 9900)) << h.percentile(0.99);
  EXPECT_TRUE(near(h.percentile(0.999), 9990)) << h.percentile(0.999);
  EXPECT_EQ(h.percentile(1.0), 10'000u);  // never above the max
  LatencyHistogram empty;
  EXPECT_EQ(empty.percentile(0.99), 0u);
  EXPECT_EQ(empty.min(), 0u);
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsTheExtremes) {
  LatencyHistogram a, b;
  for (int i = 0; i < 99; ++i) a.record(100);
  b.record(50'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.max(), 50'000u);
  EXPECT_EQ(a.percentile(0.99), 100u);
  EXPECT_GE(a.percentile(0.995), 50'000u);
}

// ---- Schedule ----------------------------------------------------------------------------------

TEST(Schedule, ConstantRateDueTimes) {
  Schedule s(1000, 0ns);  // one per millisecond
  EXPECT_EQ(s.due_at(0), 0ns);
  EXPECT_EQ(s.due_at(1), 1ms);
  EXPECT_EQ(s.due_at(2500), 2500ms);
  EXPECT_EQ(s.due_count(0ns), 1u);  // the first at once
  EXPECT_EQ(s.due_count(999us), 1u);
  EXPECT_EQ(s.due_count(1ms), 2u);
  EXPECT_EQ(s.due_count(1s), 1001u);
  EXPECT_EQ(s.due_count(-1ms), 0u);
}

TEST(Schedule, RampClimbsLinearlyThenHolds) {
  Schedule s(100, 10s);  // 0 → 100/s over 10 s: 500 operations in the ramp
  // Half-way through the ramp a quarter of its operations are due (t^2 growth).
  EXPECT_NEAR(static_cast<double>(s.due_count(5s)), 125, 1);
  EXPECT_NEAR(static_cast<double>(s.due_count(10s)), 500, 1);
  // After it, 100 a second.
  EXPECT_NEAR(static_cast<double>(s.due_count(11s) - s.due_count(10s)), 100, 1);
  // due_at and due_count agree everywhere.
  for (std::uint64_t i : {0ull, 1ull, 7ull, 499ull, 500ull, 501ull, 4321ull}) {
    EXPECT_EQ(s.due_count(s.due_at(i)), i + 1) << i;
    if (i > 0) {
      EXPECT_LT(s.due_at(i - 1), s.due_at(i));
    }
  }
}

// ---- LoadPlan parsing --------------------------------------------------------------------------

TEST(LoadPlan, LoginRangesKeepTheirWidth) {
  auto l = expand_logins("agent{0001..0003}, bob ,cust{9..11}x");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(*l, (std::vector<std::string>{"agent0001", "agent0002", "agent0003", "bob", "cust9x",
                                          "cust10x", "cust11x"}));
  EXPECT_FALSE(expand_logins("agent{5..1}"));
  EXPECT_FALSE(expand_logins("agent{1..}"));
  EXPECT_FALSE(expand_logins("agent{1..3"));
  EXPECT_FALSE(expand_logins("a b"));
  EXPECT_FALSE(expand_logins(""));
  EXPECT_FALSE(expand_logins("a,,b"));
  EXPECT_FALSE(expand_logins("x{1..999999}"));  // above kMaxAgents
}

TEST(LoadPlan, AgentsFileWithPasswords) {
  auto f = read_agents_file("\xEF\xBB\xBFLogin,Name,Password\nalice,Alice,s3cret\nbob,Bob,\n");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->logins, (std::vector<std::string>{"alice", "bob"}));
  LoadPlan plan;
  plan.passwords = f->passwords;
  EXPECT_EQ(plan.password_for("alice"), "s3cret");
  EXPECT_EQ(plan.password_for("bob"), "pw-bob");  // the pattern where the file has none
  auto twice = read_agents_file("login\nalice\nalice\n");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("line 3"), std::string::npos);
  EXPECT_FALSE(read_agents_file("name\nalice\n"));
  EXPECT_FALSE(read_agents_file("login\n"));
}

TEST(LoadPlan, PasswordPattern) {
  LoadPlan plan;
  plan.password_pattern = "{login}-{login}!";
  EXPECT_EQ(plan.password_for("a1"), "a1-a1!");
}

TEST(LoadPlan, MixAndDurations) {
  auto m = parse_mix("message=80, session=15,queue=5");
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)[Scenario::Message], 80);
  EXPECT_EQ((*m)[Scenario::Register], 0);
  EXPECT_EQ(m->total(), 100);
  EXPECT_FALSE(parse_mix("message=0"));
  EXPECT_FALSE(parse_mix("call=1"));
  EXPECT_FALSE(parse_mix("message=-1"));
  EXPECT_FALSE(parse_mix("message"));
  EXPECT_EQ(*parse_duration("250ms"), 250ms);
  EXPECT_EQ(*parse_duration("30s"), 30s);
  EXPECT_EQ(*parse_duration("2m"), 2min);
  EXPECT_EQ(*parse_duration("1.5"), 1500ms);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration("5d"));
  EXPECT_FALSE(parse_duration("-3s"));
}

TEST(LoadPlan, ProfileKeysAndErrorsWithTheirLine) {
  LoadPlan plan;
  auto ok = apply_profile(
      "agents: 'agent{001..010}'\n"
      "rate: 250\n"
      "ramp: 5s\n"
      "duration: 1m\n"
      "mix: { message: 3, queue: 1 }\n"
      "queue: '2100'\n"
      "answer: { accept: 0.8, decline: 0.1, no_answer: 0.1, think: 200ms }\n",
      "p.yaml", plan);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(plan.agents.size(), 10u);
  EXPECT_EQ(plan.rate, 250);
  EXPECT_EQ(plan.ramp, 5s);
  EXPECT_EQ(plan.duration, std::optional<Millis>(60s));
  EXPECT_EQ(plan.mix[Scenario::Queue], 1);
  EXPECT_EQ(plan.queue, "2100");
  EXPECT_DOUBLE_EQ(plan.answer.decline, 0.1);
  EXPECT_EQ(plan.answer.think, 200ms);
  EXPECT_TRUE(check(plan));

  LoadPlan other;
  auto bad = apply_profile("rate: 10\nratee: 5\n", "p.yaml", other);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "p.yaml:2: ratee: unknown key");
  auto bad_value = apply_profile("rate: fast\n", "p.yaml", other);
  ASSERT_FALSE(bad_value);
  EXPECT_NE(bad_value.error().message.find("p.yaml:1: rate"), std::string::npos);
  EXPECT_FALSE(apply_profile("[1, 2]", "p.yaml", other));
  EXPECT_FALSE(apply_profile("rate: [", "p.yaml", other));
}

TEST(LoadPlan, ChecksTheWholePlan) {
  LoadPlan plan;
  EXPECT_FALSE(check(plan));  // no agents
  plan.agents = {"a", "b"};
  EXPECT_FALSE(check(plan));  // no stop condition
  plan.count = 10;
  EXPECT_TRUE(check(plan));
  plan.mix = *parse_mix("queue=1");
  EXPECT_FALSE(check(plan));  // queue traffic without a queue
  plan.queue = "2100";
  EXPECT_TRUE(check(plan));
  plan.answer.decline = 0.5;  // shares above 1
  EXPECT_FALSE(check(plan));
  plan.answer.accept = 0.5;
  EXPECT_TRUE(check(plan));
  LoadPlan lonely;
  lonely.agents = {"a"};
  lonely.count = 1;
  EXPECT_FALSE(check(lonely));  // nobody to send to
  lonely.targets = {"b"};
  EXPECT_TRUE(check(lonely));
}

// ---- Results -----------------------------------------------------------------------------------

TEST(LoadResults, MetricSumMatchesNameAndLabels) {
  const std::string text =
      "# HELP imswitch_sip_responses_sent_total x\n"
      "imswitch_sip_responses_sent_total{core=\"0\",method=\"MESSAGE\",code=\"200\"} 10\n"
      "imswitch_sip_responses_sent_total{core=\"1\",method=\"MESSAGE\",code=\"200\"} 5\n"
      "imswitch_sip_responses_sent_total{core=\"0\",method=\"MESSAGE\",code=\"202\"} 2\n"
      "imswitch_sip_responses_sent_total_other{method=\"MESSAGE\",code=\"200\"} 99\n"
      "imswitch_sip_up 1\n";
  EXPECT_EQ(metric_sum(text, "imswitch_sip_responses_sent_total",
                       {{"method", "MESSAGE"}, {"code", "200"}}),
            15);
  EXPECT_EQ(metric_sum(text, "imswitch_sip_responses_sent_total", {{"method", "MESSAGE"}}), 17);
  EXPECT_EQ(metric_sum(text, "imswitch_sip_up", {}), 1);
  EXPECT_EQ(metric_sum(text, "imswitch_sip", {}), 0);
}

TEST(LoadResults, MetricsComparisonAndJsonCountWhatHappened) {
  LoadPlan plan;
  plan.agents = {"a", "b"};
  plan.count = 3;
  Results r;
  r.agents = 2;
  r.logged_in = 2;
  r.register_200s = 4;
  r.scenario(Scenario::Message).started = 3;
  r.scenario(Scenario::Message).completed = 2;
  r.scenario(Scenario::Message).failed = 1;
  r.ok(Op::Message, 900);
  r.ok(Op::Message, 1100);
  r.failed(Op::Message, "timeout");
  const std::string before =
      "imswitch_sip_responses_sent_total{method=\"REGISTER\",code=\"200\"} 7\n"
      "imswitch_sip_responses_sent_total{method=\"MESSAGE\",code=\"200\"} 1\n";
  const std::string after =
      "imswitch_sip_responses_sent_total{method=\"REGISTER\",code=\"200\"} 11\n"
      "imswitch_sip_responses_sent_total{method=\"MESSAGE\",code=\"200\"} 2\n"
      "imswitch_sip_responses_sent_total{method=\"MESSAGE\",code=\"202\"} 2\n";
  r.metrics.attempted = true;
  compare_metrics(before, after, r);
  ASSERT_EQ(r.metrics.rows.size(), 2u);  // no sessions: no INVITE or BYE rows
  EXPECT_EQ(r.metrics.rows[0].ours, 4);
  EXPECT_EQ(r.metrics.rows[0].theirs, 4);
  EXPECT_EQ(r.metrics.rows[1].ours, 2);
  EXPECT_EQ(r.metrics.rows[1].theirs, 3);
  const std::string table = render_table(plan, r);
  EXPECT_NE(table.find("switch /metrics: DIFFERS"), std::string::npos) << table;
  EXPECT_NE(table.find("MESSAGE 200/202: timeout x1"), std::string::npos) << table;

  // One failed scenario of 3 plus 2 logins: 20 %.
  EXPECT_DOUBLE_EQ(r.failure_rate(plan), 0.2);
  const auto j = to_json(plan, r);
  EXPECT_EQ(j["schema"], "imtool-load/1");
  EXPECT_EQ(j["scenarios"]["message"]["started"], 3);
  const auto& message = j["operations"][static_cast<std::size_t>(Op::Message)];
  EXPECT_EQ(message["operation"], "message");
  EXPECT_EQ(message["ok"], 2);
  EXPECT_EQ(message["failed"], 1);
  EXPECT_EQ(message["failures"]["timeout"], 1);
  EXPECT_EQ(message["latency_us"]["max"], 1100);
  EXPECT_EQ(j["switch_metrics"]["rows"][1]["switch"], 3);
  EXPECT_EQ(j["passed"], false);
  plan.max_failure_rate = 0.25;
  EXPECT_EQ(to_json(plan, r)["passed"], true);
}

TEST(LoadResults, ExpectedDeclinesAreNotFailures) {
  LoadPlan plan;
  plan.agents = {"a", "b"};
  Results r;
  r.agents = 2;
  r.scenario(Scenario::Session).started = 8;
  r.scenario(Scenario::Session).completed = 6;
  r.scenario(Scenario::Session).declined = 2;
  EXPECT_DOUBLE_EQ(r.failure_rate(plan), 0.2);  // declines not asked for: failures
  plan.answer.decline = 0.25;
  plan.answer.accept = 0.75;
  EXPECT_DOUBLE_EQ(r.failure_rate(plan), 0.0);
}

}  // namespace
}  // namespace ims::tool::load
