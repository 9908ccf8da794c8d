#include "switch/app/metrics.hpp"

#include <fmt/format.h>

#include <functional>

namespace ims::sw::app {

namespace {

class Writer {
 public:
  // One metric: HELP and TYPE once, then one sample per core (label core="k").
  void per_core(const Metrics& m, std::string_view name, std::string_view type,
                std::string_view help, const std::function<std::uint64_t(const CoreMetrics&)>& get) {
    head(name, type, help);
    for (std::size_t k = 0; k < m.cores.size(); ++k)
      out_ += fmt::format("{}{{core=\"{}\"}} {}\n", name, k, get(m.cores[k]));
  }
  void single(std::string_view name, std::string_view type, std::string_view help, double value) {
    head(name, type, help);
    out_ += fmt::format("{} {}\n", name, value);
  }
  void head(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, std::string_view labels, double value) {
    out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Queue numbers are digits and the like, but a label value must escape \ " and newlines.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

}  // namespace

std::string prometheus_text(const Metrics& m) {
  Writer w;
  w.single("imswitch_uptime_seconds", "gauge", "Seconds since the switch started.", m.uptime_s);
  w.per_core(m, "imswitch_sip_datagrams_received_total", "counter", "UDP datagrams received.",
             [](const CoreMetrics& c) { return c.transport.datagrams_received; });
  w.per_core(m, "imswitch_sip_stream_messages_received_total", "counter",
             "SIP messages received over TCP, TLS, WS and WSS.",
             [](const CoreMetrics& c) { return c.transport.stream_messages_received; });
  w.per_core(m, "imswitch_sip_messages_sent_total", "counter", "SIP messages sent.",
             [](const CoreMetrics& c) { return c.transport.messages_sent; });
  w.per_core(m, "imswitch_sip_requests_received_total", "counter",
             "SIP requests that reached the transaction layer.",
             [](const CoreMetrics& c) { return c.stack.requests_received; });
  w.per_core(m, "imswitch_sip_responses_received_total", "counter",
             "SIP responses that reached the transaction layer.",
             [](const CoreMetrics& c) { return c.stack.responses_received; });
  w.per_core(m, "imswitch_sip_final_responses_sent_total", "counter",
             "Final responses the switch itself sent.",
             [](const CoreMetrics& c) { return c.tu.answered; });
  w.per_core(m, "imswitch_sip_garbage_dropped_total", "counter",
             "Datagrams and stream bytes that were not SIP, dropped.",
             [](const CoreMetrics& c) { return c.transport.garbage_dropped; });
  w.per_core(m, "imswitch_sip_invalid_requests_answered_total", "counter",
             "Malformed requests answered statelessly (400 and the like).",
             [](const CoreMetrics& c) { return c.stack.bad_requests_answered; });
  w.per_core(m, "imswitch_sip_invalid_dropped_total", "counter",
             "Malformed requests without a usable Via, and malformed responses, dropped.",
             [](const CoreMetrics& c) {
               return c.stack.bad_requests_dropped + c.stack.bad_responses_dropped +
                      c.stack.unmatchable_dropped;
             });
  w.per_core(m, "imswitch_sip_overload_rejected_total", "counter",
             "Requests answered 503 because the transaction table was full.",
             [](const CoreMetrics& c) { return c.stack.overload_rejected; });
  w.per_core(m, "imswitch_connections_accepted_total", "counter",
             "TCP, TLS and WebSocket connections accepted.",
             [](const CoreMetrics& c) { return c.transport.connections_accepted; });
  w.per_core(m, "imswitch_connections_refused_total", "counter",
             "Connections refused over the connection bounds.",
             [](const CoreMetrics& c) { return c.transport.connections_refused; });
  w.per_core(m, "imswitch_handshakes_failed_total", "counter",
             "TLS and WebSocket set-ups that failed or were refused.",
             [](const CoreMetrics& c) { return c.transport.handshakes_failed; });
  w.per_core(m, "imswitch_registrations_total", "counter", "REGISTERs answered 200.",
             [](const CoreMetrics& c) { return c.tu.registrations; });
  w.per_core(m, "imswitch_digest_challenges_total", "counter", "401 and 407 challenges sent.",
             [](const CoreMetrics& c) { return c.auth.challenged; });
  w.per_core(m, "imswitch_digest_rejected_total", "counter",
             "Credentials given but wrong (unknown user or bad response).",
             [](const CoreMetrics& c) { return c.auth.rejected; });
  w.per_core(m, "imswitch_im_sessions_started_total", "counter",
             "IM sessions whose INVITE went to a target.",
             [](const CoreMetrics& c) { return c.im.started; });
  w.per_core(m, "imswitch_im_sessions_connected_total", "counter",
             "IM sessions a target accepted.", [](const CoreMetrics& c) { return c.im.connected; });
  w.per_core(m, "imswitch_im_sessions_refused_total", "counter",
             "IM session INVITEs refused before any target was tried.",
             [](const CoreMetrics& c) { return c.im.refused; });
  w.per_core(m, "imswitch_im_session_messages_total", "counter",
             "Messages relayed and stored within IM sessions.",
             [](const CoreMetrics& c) { return c.im.messages; });
  w.single("imswitch_registered_agents", "gauge", "Agents with at least one registration.",
           static_cast<double>(m.registered_agents));
  w.single("imswitch_im_live_sessions", "gauge", "IM sessions in progress.",
           static_cast<double>(m.live_sessions));
  w.head("imswitch_queue_waiting", "gauge", "Interactions waiting in a queue's line.");
  for (const auto& q : m.queues)
    w.sample("imswitch_queue_waiting", "queue=\"" + label(q.number) + "\"",
             static_cast<double>(q.waiting));
  w.head("imswitch_queue_longest_wait_seconds", "gauge",
         "How long the head of a queue's line has waited.");
  for (const auto& q : m.queues)
    w.sample("imswitch_queue_longest_wait_seconds", "queue=\"" + label(q.number) + "\"",
             static_cast<double>(q.longest_wait_ms) / 1000.0);
  w.head("imswitch_queue_free_members", "gauge", "Members of a queue free to take work now.");
  for (const auto& q : m.queues)
    w.sample("imswitch_queue_free_members", "queue=\"" + label(q.number) + "\"",
             static_cast<double>(q.free_members));
  w.head("imswitch_queue_interactions_total", "counter",
         "Interactions of a queue by outcome (entered, answered, abandoned, ...).");
  for (const auto& q : m.queues) {
    const auto& c = q.counters;
    const std::string l = "queue=\"" + label(q.number) + "\",outcome=";
    w.sample("imswitch_queue_interactions_total", l + "\"entered\"", static_cast<double>(c.entered));
    w.sample("imswitch_queue_interactions_total", l + "\"answered\"",
             static_cast<double>(c.answered));
    w.sample("imswitch_queue_interactions_total", l + "\"abandoned\"",
             static_cast<double>(c.abandoned));
    w.sample("imswitch_queue_interactions_total", l + "\"overflowed\"",
             static_cast<double>(c.overflowed));
    w.sample("imswitch_queue_interactions_total", l + "\"timed_out\"",
             static_cast<double>(c.timed_out));
    w.sample("imswitch_queue_interactions_total", l + "\"refused\"", static_cast<double>(c.refused));
  }
  return w.take();
}

}  // namespace ims::sw::app
