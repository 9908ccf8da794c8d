#include "switch/app/metrics.hpp"

#include <gtest/gtest.h>

namespace ims::sw::app {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(PrometheusText, HistogramBucketsAreCumulativeWithInfEqualToTheCount) {
  Metrics m;
  QueueMetrics q;
  q.number = "2001";
  q.counters.answered = 5;
  q.counters.answered_wait_ms = 3500 + 400 + 400 + 900 + 700'000;
  q.counters.answered_waits[0] = 2;  // <= 0.5 s
  q.counters.answered_waits[1] = 1;  // <= 1 s
  q.counters.answered_waits[3] = 1;  // <= 5 s; the fifth waited past the last bound
  m.queues.push_back(q);
  const std::string t = prometheus_text(m);
  EXPECT_TRUE(has_line(t, "# TYPE imswitch_queue_answer_wait_seconds histogram")) << t;
  EXPECT_TRUE(has_line(t, R"(imswitch_queue_answer_wait_seconds_bucket{queue="2001",le="0.5"} 2)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_queue_answer_wait_seconds_bucket{queue="2001",le="1"} 3)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_queue_answer_wait_seconds_bucket{queue="2001",le="2"} 3)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_queue_answer_wait_seconds_bucket{queue="2001",le="300"} 4)"));
  EXPECT_TRUE(
      has_line(t, R"(imswitch_queue_answer_wait_seconds_bucket{queue="2001",le="+Inf"} 5)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_queue_answer_wait_seconds_count{queue="2001"} 5)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_queue_answer_wait_seconds_sum{queue="2001"} 705.2)"));
}

TEST(PrometheusText, ResponsesAreLabelledByMethodAndCodeAndOnlyWhenSeen) {
  Metrics m;
  m.cores.resize(2);
  for (auto& core : m.cores) core.stack.by_method.enable();  // as a switch core's stack does
  m.cores[1].stack.by_method.add_response(sip::Method::Message, 202);
  m.cores[1].stack.by_method.add_response(sip::Method::Message, 202);
  m.cores[0].stack.by_method.add_response(sip::Method::Unknown, 405);
  m.cores[0].stack.by_method.add_response(sip::Method::Invite, 700);  // not a status: ignored
  m.cores[0].stack.by_method.add_request(sip::Method::Register);
  const std::string t = prometheus_text(m);
  EXPECT_TRUE(has_line(t, R"(imswitch_sip_responses_sent_total{core="1",method="MESSAGE",code="202"} 2)"))
      << t;
  EXPECT_TRUE(has_line(t, R"(imswitch_sip_responses_sent_total{core="0",method="other",code="405"} 1)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_sip_requests_by_method_total{core="0",method="REGISTER"} 1)"));
  EXPECT_EQ(t.find("code=\"700\""), std::string::npos);
  EXPECT_EQ(t.find("method=\"MESSAGE\",code=\"200\""), std::string::npos);
}

TEST(PrometheusText, StoreCommitTimesWhenTheStoreIsKnown) {
  Metrics m;
  EXPECT_EQ(prometheus_text(m).find("imswitch_store_"), std::string::npos);
  store::SqliteStore::Stats st;
  st.commits = 3;
  st.commit_times[0] = 2;  // <= 250 µs
  st.commit_times[4] = 1;  // <= 5 ms
  st.commit_us_total = 4200;
  m.store = st;
  m.store_queue = 7;
  const std::string t = prometheus_text(m);
  EXPECT_TRUE(has_line(t, R"(imswitch_store_commit_seconds_bucket{le="0.00025"} 2)")) << t;
  EXPECT_TRUE(has_line(t, R"(imswitch_store_commit_seconds_bucket{le="0.005"} 3)"));
  EXPECT_TRUE(has_line(t, R"(imswitch_store_commit_seconds_bucket{le="+Inf"} 3)"));
  EXPECT_TRUE(has_line(t, "imswitch_store_commit_seconds_sum 0.0042"));
  EXPECT_TRUE(has_line(t, "imswitch_store_queued_writes 7"));
}

}  // namespace
}  // namespace ims::sw::app
