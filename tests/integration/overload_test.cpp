// The switch under overload and under an unauthenticated flood, on the real binary, made
// deterministic with small configured bounds (never rates or timing): every 503 it sends for
// overload carries Retry-After; a request that waited in the receive queue past
// sip.overload.max_queue_delay_ms is refused while a request within a dialog is still handled,
// and one from an agent that authenticated lately only past trusted_queue_delay_ms;
// a source without valid credentials gets its burst of challenges and is then shed (dropped
// over UDP, 503 over TCP) while an agent on another socket registers and sends; /metrics counts
// what was shed.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/sip_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

// config/imswitch.yaml with `from` replaced by `to` (one occurrence); "" when absent.
std::string yaml_replacing(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) return {};
  return text.replace(at, from.size(), to);
}

std::unique_ptr<SwitchProcess> start_with(const ScratchDir& dir, const std::string& yaml) {
  if (yaml.empty()) return nullptr;
  SwitchOptions o = im_switch_options();
  o.config = dir.write("imswitch.yaml", yaml);
  std::string error;
  auto sw = SwitchProcess::start(o, &error);
  EXPECT_TRUE(sw) << error;
  return sw;
}

// The sum of a metric over its labels, those containing `filter` only; -1 when unreadable.
double metric(const SwitchProcess& sw, const std::string& name, const std::string& filter = {}) {
  if (!sw.http()) return -1;
  HttpClient c(*sw.http());
  auto r = c.get("/metrics");
  if (!r || r->status != 200) return -1;
  double sum = 0;
  std::istringstream in(r->body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0) continue;
    const auto rest = line.substr(name.size());
    if (rest.empty() || (rest[0] != '{' && rest[0] != ' ')) continue;  // a longer name
    if (!filter.empty() && rest.find(filter) == std::string::npos) continue;
    sum += std::stod(rest.substr(rest.rfind(' ') + 1));
  }
  return sum;
}

std::string options_request(const UdpClient& from, const Listener& to, const std::string& call_id,
                            const std::string& to_tag = {}) {
  return "OPTIONS sip:" + to.hostport() + " SIP/2.0\r\nVia: SIP/2.0/UDP " +
         from.local_hostport() + ";branch=z9hG4bK-" + unique_token() + "\r\nMax-Forwards: 70\r\n" +
         "From: <sip:probe@example.test>;tag=p1\r\nTo: <sip:" + to.hostport() + ">" +
         (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\nCall-ID: " + call_id +
         "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

std::string register_without_credentials(const UdpClient& from,
                                         const std::string& call_id) {
  return "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + from.local_hostport() +
         ";branch=z9hG4bK-" + unique_token() + "\r\nMax-Forwards: 70\r\n" +
         "From: <sip:alice@127.0.0.1>;tag=f1\r\nTo: <sip:alice@127.0.0.1>\r\nCall-ID: " + call_id +
         "\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@" + from.local_hostport() +
         ">\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n";
}

// RFC 3261 §20.33: delta-seconds, here within [retry_after_s, 2 * retry_after_s] of the config.
::testing::AssertionResult retry_after_within(const SipMessage& rsp, int low, int high) {
  const auto value = rsp.header("Retry-After");
  if (!value) return ::testing::AssertionFailure() << "503 without Retry-After";
  const int n = std::atoi(value->c_str());
  if (n < low || n > high)
    return ::testing::AssertionFailure() << "Retry-After " << *value << " outside " << low << ".."
                                         << high;
  return ::testing::AssertionSuccess();
}

TEST(Overload, FullTransactionTableIsAnswered503WithRetryAfter) {
  ScratchDir dir("overload");
  auto sw = start_with(dir, yaml_replacing(imswitch_yaml_with({}), "max_transactions: 200000",
                                           "max_transactions: 1000"));
  ASSERT_TRUE(sw);
  std::string error;
  auto udp = UdpClient::open(false, &error);
  ASSERT_TRUE(udp) << error;
  // Each answered OPTIONS stays live (completed, absorbing retransmissions) for 32 s: 1000 of
  // them fill the table.
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "fill-" + std::to_string(i) + "-" + unique_token();
    ASSERT_TRUE(udp->send_to(sw->udp(), options_request(*udp, sw->udp(), id)));
    auto rsp = udp->final_response(5s, id);
    ASSERT_TRUE(rsp) << "OPTIONS " << i << " unanswered";
    ASSERT_EQ(rsp->status, 200) << "OPTIONS " << i;
  }
  const std::string id = "one-too-many-" + unique_token();
  ASSERT_TRUE(udp->send_to(sw->udp(), options_request(*udp, sw->udp(), id)));
  auto rsp = udp->final_response(5s, id);
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 503);
  EXPECT_TRUE(retry_after_within(*rsp, 2, 4));
  EXPECT_GE(metric(*sw, "imswitch_sip_overload_rejected_total"), 1);
}

TEST(Overload, RequestThatWaitedPastTheBoundIsRefusedButWorkInADialogGoesOn) {
  ScratchDir dir("overload");
  // A bound of 50 ms: well above what a request waits in a running switch, sanitized builds
  // included (at 1 ms the first OPTIONS of a slow build was shed too).
  auto sw = start_with(dir, yaml_replacing(imswitch_yaml_with({}), "max_queue_delay_ms: 100",
                                           "max_queue_delay_ms: 50"));
  ASSERT_TRUE(sw);
  std::string error;
  auto udp = UdpClient::open(false, &error);
  ASSERT_TRUE(udp) << error;
  ASSERT_TRUE(answers_options(sw->udp()));
  // The switch is stopped while the requests wait in its socket's queue, longer than the bound.
  ASSERT_EQ(::kill(sw->pid(), SIGSTOP), 0);
  const std::string fresh = "late-" + unique_token();
  const std::string in_dialog = "dialog-" + unique_token();
  ASSERT_TRUE(udp->send_to(sw->udp(), options_request(*udp, sw->udp(), fresh)));
  ASSERT_TRUE(udp->send_to(sw->udp(), options_request(*udp, sw->udp(), in_dialog, "t0")));
  // The switch stays stopped 10 times the bound: the wait is the condition under test.
  const auto stopped_until = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < stopped_until) std::this_thread::yield();
  ASSERT_EQ(::kill(sw->pid(), SIGCONT), 0);

  std::map<std::string, SipMessage> answers;
  for (int i = 0; i < 2; ++i) {
    auto rsp = udp->final_response(5s);
    ASSERT_TRUE(rsp) << "answer " << i << " missing";
    answers[rsp->header("Call-ID").value_or("")] = *rsp;
  }
  ASSERT_TRUE(answers.count(fresh));
  EXPECT_EQ(answers[fresh].status, 503);
  EXPECT_TRUE(retry_after_within(answers[fresh], 2, 4));
  ASSERT_TRUE(answers.count(in_dialog));
  EXPECT_NE(answers[in_dialog].status, 503) << "a request within a dialog is never shed";
  EXPECT_EQ(metric(*sw, "imswitch_sip_overload_shed_total"), 1);
}

TEST(Overload, AnAgentThatAuthenticatedWaitsLongerBeforeItIsShedThanAStranger) {
  ScratchDir dir("overload");
  // A stranger is shed past 50 ms, an agent that authenticated only past 10 s: the switch is
  // held between the two bounds.
  std::string yaml = yaml_replacing(imswitch_yaml_with({}), "max_queue_delay_ms: 100",
                                    "max_queue_delay_ms: 50");
  yaml = yaml_replacing(yaml, "trusted_queue_delay_ms: 400", "trusted_queue_delay_ms: 10000");
  auto sw = start_with(dir, yaml);
  ASSERT_TRUE(sw);
  std::string error;
  auto bob = Agent::open(*sw, sample_agent("bob"), &error);
  ASSERT_TRUE(bob) << error;
  auto reg = bob->register_contact();  // answers its challenge: bob's socket is now known
  ASSERT_TRUE(reg);
  ASSERT_EQ(reg->status, 200);
  auto stranger = UdpClient::open(false, &error);
  ASSERT_TRUE(stranger) << error;

  ASSERT_EQ(::kill(sw->pid(), SIGSTOP), 0);
  const std::string from_stranger = "stranger-" + unique_token();
  ASSERT_TRUE(stranger->send_to(sw->udp(), options_request(*stranger, sw->udp(), from_stranger)));
  bob->send(bob->message_request("carol", "sent while the switch was behind"));
  const auto stopped_until = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < stopped_until) std::this_thread::yield();
  ASSERT_EQ(::kill(sw->pid(), SIGCONT), 0);

  auto refused = stranger->final_response(5s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->header("Call-ID").value_or(""), from_stranger);
  EXPECT_EQ(refused->status, 503);
  auto served = bob->next_final(5s);  // its 407 round included
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 202) << "stored for carol, who is not logged in";
  EXPECT_EQ(metric(*sw, "imswitch_sip_overload_shed_total"), 1);
}

// The sample config with a per-source limit of a burst of 3, then 1 a second.
std::unique_ptr<SwitchProcess> start_with_tight_source_limit(const ScratchDir& dir) {
  std::string yaml = yaml_replacing(imswitch_yaml_with({}), "unauthenticated_per_source_per_s: 20",
                                    "unauthenticated_per_source_per_s: 1");
  yaml = yaml_replacing(yaml, "unauthenticated_burst: 100", "unauthenticated_burst: 3");
  return start_with(dir, yaml);
}

TEST(Overload, UnauthenticatedSourceIsShedOverItsLimitWhileAnAgentGoesOn) {
  ScratchDir dir("overload");
  auto sw = start_with_tight_source_limit(dir);
  ASSERT_TRUE(sw);
  std::string error;
  auto flood = UdpClient::open(false, &error);
  ASSERT_TRUE(flood) << error;
  constexpr int kSent = 30;
  for (int i = 0; i < kSent; ++i) {
    ASSERT_TRUE(flood->send_to(
        sw->udp(), register_without_credentials(*flood, "flood-" + unique_token())));
  }
  // Every one of them is either challenged or shed (dropped by the core or, once the source is
  // known to be over its limit, before parsing).
  auto challenged = [&] {
    return metric(*sw, "imswitch_sip_responses_sent_total", "method=\"REGISTER\",code=\"401\"");
  };
  auto shed = [&] {
    return metric(*sw, "imswitch_sip_unauthenticated_shed_total") +
           metric(*sw, "imswitch_sip_blocked_dropped_total");
  };
  // The challenges come back to the flooding socket: wait on them (each wait bounded), reading
  // the counters after each answer or quiet spell, until every request is accounted for.
  int received = 0;
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (challenged() + shed() != kSent && std::chrono::steady_clock::now() < until) {
    if (flood->receive(50ms)) ++received;
  }
  ASSERT_EQ(challenged() + shed(), kSent) << "challenged " << challenged() << ", shed " << shed();
  EXPECT_GE(challenged(), 3) << "the burst is challenged";
  EXPECT_GE(shed(), kSent - 3 - 20) << "past the burst, the source is shed";
  while (flood->receive(200ms)) ++received;
  EXPECT_EQ(received, challenged()) << "over UDP a shed request gets no answer";

  // An agent on another socket of the same address logs in and sends meanwhile.
  auto bob = Agent::open(*sw, sample_agent("bob"), &error);
  ASSERT_TRUE(bob) << error;
  auto carol = Agent::open(*sw, sample_agent("carol"), &error);
  ASSERT_TRUE(carol) << error;
  auto reg = bob->register_contact();
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->status, 200);
  reg = carol->register_contact();
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->status, 200);
  // carol answers on her own thread while bob waits for his answer (the 407 round included).
  auto at_carol =
      std::async(std::launch::async, [&carol] { return carol->receive_request(5s, 200); });
  auto sent = bob->message("carol", "still served");
  EXPECT_TRUE(at_carol.get());
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 200);
}

TEST(Overload, UnauthenticatedSourceOverTcpGets503WithRetryAfter) {
  ScratchDir dir("overload");
  auto sw = start_with_tight_source_limit(dir);
  ASSERT_TRUE(sw);
  std::string error;
  auto mallory = Agent::open(*sw, sample_agent("alice", "tcp"), &error);
  ASSERT_TRUE(mallory) << error;
  std::optional<SipMessage> refused;
  int challenges = 0;
  for (int i = 0; i < 20 && !refused; ++i) {  // a token a second: the burst runs out first
    AgentRequest r;
    r.method = "REGISTER";
    r.uri = "sip:127.0.0.1";
    r.to = "<" + mallory->aor() + ">";
    r.authenticate = false;
    auto rsp = mallory->request(r);
    ASSERT_TRUE(rsp) << "request " << i << " unanswered over TCP";
    if (rsp->status == 401) ++challenges;
    if (rsp->status == 503) refused = *rsp;
  }
  EXPECT_GE(challenges, 3);
  ASSERT_TRUE(refused) << "no 503 after " << challenges << " challenges";
  EXPECT_TRUE(retry_after_within(*refused, 2, 4));
  EXPECT_GE(metric(*sw, "imswitch_sip_unauthenticated_shed_total"), 1);
}

}  // namespace
}  // namespace ims::test
