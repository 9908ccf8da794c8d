// GET /metrics on the real binary: Prometheus text (every line a comment or a well-formed
// sample), and counters that match what the test sent: a REGISTER challenged once then
// accepted, pager MESSAGEs, a queue's line.

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

// Sums of every metric over its labels, and the samples by "name{labels}".
struct Scrape {
  std::map<std::string, double> sum;
  std::map<std::string, double> samples;
  std::vector<std::string> bad_lines;
};

Scrape parse(const std::string& text) {
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+]+)$)");
  Scrape s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::smatch m;
    if (!std::regex_match(line, m, sample)) {
      s.bad_lines.push_back(line);
      continue;
    }
    const double v = std::stod(m[3]);
    s.sum[m[1]] += v;
    s.samples[std::string(m[1]) + std::string(m[2])] = v;
  }
  return s;
}

TEST(ApiMetrics, PrometheusTextWhoseCountersMatchWhatWasSent) {
  std::string error;
  auto sw = SwitchProcess::start(im_switch_options(), &error);  // config/imswitch.yaml
  ASSERT_TRUE(sw) << error;
  ASSERT_TRUE(sw->http());
  AgentOptions ao;
  ao.login = "alice";
  ao.password = "pw-alice";
  auto alice = Agent::open(*sw, ao, &error);
  ASSERT_TRUE(alice) << error;
  auto reg = alice->register_contact(600);
  ASSERT_TRUE(reg && reg->status == 200);
  for (int i = 0; i < 3; ++i) {
    auto sent = alice->message("bob", "hello " + std::to_string(i));
    ASSERT_TRUE(sent);  // bob is offline: stored, 202
  }

  HttpClient c(*sw->http());
  auto r = c.get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const Scrape s = parse(r->body);
  EXPECT_TRUE(s.bad_lines.empty()) << s.bad_lines.front();
  EXPECT_EQ(s.sum.at("imswitch_registrations_total"), 1);
  EXPECT_EQ(s.sum.at("imswitch_registered_agents"), 1);
  // REGISTER twice (challenged, then with credentials) and three MESSAGEs at least (each may
  // be challenged once too).
  EXPECT_GE(s.sum.at("imswitch_sip_requests_received_total"), 5);
  EXPECT_GE(s.sum.at("imswitch_digest_challenges_total"), 1);
  EXPECT_EQ(s.sum.at("imswitch_digest_rejected_total"), 0);
  EXPECT_EQ(s.samples.count("imswitch_queue_waiting{queue=\"2001\"}"), 1u) << r->body;
  EXPECT_EQ(s.sum.at("imswitch_im_live_sessions"), 0);
  EXPECT_GT(s.sum.at("imswitch_uptime_seconds"), 0);

  // A second scrape sees the traffic in between.
  auto more = alice->message("bob", "one more");
  ASSERT_TRUE(more);
  auto again = c.get("/metrics");
  ASSERT_TRUE(again);
  EXPECT_GT(parse(again->body).sum.at("imswitch_sip_requests_received_total"),
            s.sum.at("imswitch_sip_requests_received_total"));
  EXPECT_TRUE(exits_cleanly(*sw));
}

}  // namespace
}  // namespace ims::test
