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
#include "tests/integration/session_peer.hpp"
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

// The breakdowns: requests by method, responses by method and code (the switch's own and the
// ones it relays), sessions by how they ended, the store's commits and each core's CPU time.
TEST(ApiMetrics, ResponsesByMethodAndCodeSessionEndsStoreCommitsAndCoreLoad) {
  std::string error;
  auto sw = SwitchProcess::start(im_switch_options(), &error);
  ASSERT_TRUE(sw) << error;
  ASSERT_TRUE(sw->http());
  auto alice = SessionPeer::open(*sw, "alice", &error);
  auto bob = SessionPeer::open(*sw, "bob", &error);
  ASSERT_TRUE(alice && bob) << error;
  ASSERT_EQ(alice->register_device(true), 200);  // 401, then 200
  ASSERT_EQ(bob->register_device(true), 200);
  // alice invites bob twice; bob declines both (603): two sessions ended "rejected".
  for (int i = 0; i < 2; ++i) {
    PeerDialog a = alice->invite("bob", "text/plain", "a question");
    auto invite = bob->next_request("INVITE");
    ASSERT_TRUE(invite);
    bob->reply(*invite, 603);
    auto declined = alice->final(a);
    ASSERT_EQ(status_of(declined), 603);
    alice->ack(a, *declined);
  }
  ASSERT_TRUE(sw->wait_for_log("ended: rejected", 2, 5s)) << sw->log_tail(10);

  HttpClient c(*sw->http());
  auto r = c.get("/metrics");
  ASSERT_TRUE(r);
  const Scrape s = parse(r->body);
  EXPECT_TRUE(s.bad_lines.empty()) << s.bad_lines.front();
  auto total = [&](const std::string& name, const std::string& labels) {
    double sum = 0;  // over the cores
    for (const auto& [key, value] : s.samples) {
      if (key.rfind(name + "{", 0) == 0 && key.find(labels) != std::string::npos) sum += value;
    }
    return sum;
  };
  EXPECT_EQ(total("imswitch_sip_requests_by_method_total", "method=\"REGISTER\""), 4);
  EXPECT_EQ(total("imswitch_sip_responses_sent_total", "method=\"REGISTER\",code=\"401\""), 2);
  EXPECT_EQ(total("imswitch_sip_responses_sent_total", "method=\"REGISTER\",code=\"200\""), 2);
  // The 603s bob sent, relayed to alice by the B2BUA.
  EXPECT_EQ(total("imswitch_sip_responses_sent_total", "method=\"INVITE\",code=\"603\""), 2)
      << r->body;
  EXPECT_EQ(s.samples.at("imswitch_im_sessions_ended_total{reason=\"rejected\"}"), 2);
  EXPECT_EQ(s.samples.at("imswitch_im_sessions_ended_total{reason=\"bye\"}"), 0);
  // Two bindings and two sessions' start and end, at least, were committed.
  EXPECT_GE(s.sum.at("imswitch_store_commits_total"), 2);
  EXPECT_EQ(s.samples.at("imswitch_store_commit_seconds_count"),
            s.sum.at("imswitch_store_commits_total"));
  EXPECT_EQ(s.samples.at("imswitch_store_commit_seconds_bucket{le=\"+Inf\"}"),
            s.sum.at("imswitch_store_commits_total"));
  EXPECT_GT(s.sum.at("imswitch_core_cpu_seconds_total"), 0);
  EXPECT_EQ(s.samples.count("imswitch_queue_answer_wait_seconds_count{queue=\"2001\"}"), 1u);
  // What a soak run watches: the REGISTERs' and INVITEs' completed transactions still linger
  // (over UDP, Timer J/K), and the process's memory and descriptors are there to follow.
  EXPECT_GE(s.sum.at("imswitch_sip_transactions"), 4);
  EXPECT_GT(s.samples.at("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(s.samples.at("process_open_fds"), 3);
  EXPECT_LT(s.samples.at("process_open_fds"), 1000);
  EXPECT_TRUE(exits_cleanly(*sw));
}

}  // namespace
}  // namespace ims::test
