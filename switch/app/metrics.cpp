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
    if (labels.empty()) {
      out_ += fmt::format("{} {}\n", name, value);
    } else {
      out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
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

// A method as a label: its name, or "other" for extension methods the switch does not know.
std::string_view method_label(sip::Method m) {
  const auto name = sip::method_name(m);
  return name.empty() ? std::string_view("other") : name;
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
  w.per_core(m, "imswitch_sip_overload_shed_total", "counter",
             "New requests answered 503 because they waited in the receive queue past "
             "sip.overload.max_queue_delay_ms.",
             [](const CoreMetrics& c) { return c.stack.overload_shed; });
  w.per_core(m, "imswitch_sip_overload_dropped_total", "counter",
             "New requests that waited past sip.overload.max_queue_delay_ms when the core had "
             "spent its sip.overload.max_rejections_per_s: dropped before parsing.",
             [](const CoreMetrics& c) { return c.transport.late_dropped; });
  w.per_core(m, "imswitch_sip_retransmissions_received_total", "counter",
             "Requests that matched a live server transaction (retransmissions).",
             [](const CoreMetrics& c) { return c.txn_retransmissions; });
  w.per_core(m, "imswitch_sip_unauthenticated_shed_total", "counter",
             "Requests needing credentials from a source that has not authenticated lately, "
             "shed over sip.overload.unauthenticated_per_source_per_s (dropped over UDP, 503 "
             "otherwise).",
             [](const CoreMetrics& c) { return c.source_limit.shed; });
  w.per_core(m, "imswitch_sip_blocked_dropped_total", "counter",
             "Requests from a UDP source over its limit, dropped before parsing while it waits "
             "for its next token.",
             [](const CoreMetrics& c) { return c.transport.blocked_dropped; });
  w.per_core(m, "imswitch_sip_limited_sources", "gauge",
             "Sources (address and port) the per-source limit tracks.",
             [](const CoreMetrics& c) { return c.limited_sources; });
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
  w.head("imswitch_core_cpu_seconds_total", "counter",
         "CPU time of a SIP core's thread; its rate is the core's load (1 = fully busy).");
  for (std::size_t k = 0; k < m.cores.size(); ++k)
    w.sample("imswitch_core_cpu_seconds_total", fmt::format("core=\"{}\"", k),
             m.cores[k].cpu_seconds);
  w.head("imswitch_sip_requests_by_method_total", "counter",
         "SIP requests that reached the transaction layer, by method.");
  for (std::size_t k = 0; k < m.cores.size(); ++k) {
    for (std::size_t i = 0; i < stack::MethodCounts::kMethods; ++i) {
      const auto method = static_cast<sip::Method>(i);
      if (const auto n = m.cores[k].stack.by_method.requests(method))
        w.sample("imswitch_sip_requests_by_method_total",
                 fmt::format("core=\"{}\",method=\"{}\"", k, method_label(method)),
                 static_cast<double>(n));
    }
  }
  w.head("imswitch_sip_responses_sent_total", "counter",
         "SIP responses sent (relayed or the switch's own, not retransmissions), by the "
         "request's method and the status code.");
  for (std::size_t k = 0; k < m.cores.size(); ++k) {
    for (std::size_t i = 0; i < stack::MethodCounts::kMethods; ++i) {
      const auto method = static_cast<sip::Method>(i);
      for (int code = stack::MethodCounts::kLowestStatus;
           code <= stack::MethodCounts::kHighestStatus; ++code) {
        if (const auto n = m.cores[k].stack.by_method.responses(method, code))
          w.sample("imswitch_sip_responses_sent_total",
                   fmt::format("core=\"{}\",method=\"{}\",code=\"{}\"", k,
                               method_label(method), code),
                   static_cast<double>(n));
      }
    }
  }
  w.head("imswitch_im_sessions_ended_total", "counter", "IM sessions ended, by reason.");
  for (std::size_t r = 0; r < im::kEndReasons; ++r) {
    std::uint64_t n = 0;
    for (const auto& c : m.cores) n += c.im.ended[r];
    w.sample("imswitch_im_sessions_ended_total",
             fmt::format("reason=\"{}\"", im::end_reason_name(static_cast<im::EndReason>(r))),
             static_cast<double>(n));
  }
  w.per_core(m, "imswitch_presence_subscriptions", "gauge",
             "Presence subscriptions (SUBSCRIBE, Event: presence) active.",
             [](const CoreMetrics& c) { return c.presence_subscriptions; });
  w.per_core(m, "imswitch_presence_subscribes_refused_total", "counter",
             "Presence SUBSCRIBEs refused (4xx/5xx, challenges not counted).",
             [](const CoreMetrics& c) { return c.presence.refused; });
  w.per_core(m, "imswitch_presence_notifies_total", "counter", "Presence NOTIFYs sent.",
             [](const CoreMetrics& c) { return c.presence.notifies; });
  w.per_core(m, "imswitch_presence_notify_failures_total", "counter",
             "Presence NOTIFYs answered with an error or not at all (the subscription ends).",
             [](const CoreMetrics& c) { return c.presence.notify_failures; });
  w.per_core(m, "imswitch_sip_transactions", "gauge",
             "SIP transactions live on a core, completed ones lingering included.",
             [](const CoreMetrics& c) { return c.transactions; });
  w.single("imswitch_registered_agents", "gauge", "Agents with at least one registration.",
           static_cast<double>(m.registered_agents));
  if (m.resident_bytes >= 0)
    w.single("process_resident_memory_bytes", "gauge", "Resident memory of the process.",
             m.resident_bytes);
  if (m.open_fds >= 0)
    w.single("process_open_fds", "gauge", "Open file descriptors (sockets included).",
             m.open_fds);
  w.single("imswitch_heap_trims_total", "counter",
           "Times free heap was handed back to the system (malloc_trim).",
           static_cast<double>(m.heap_trims));
  w.single("imswitch_heap_released_bytes_total", "counter",
           "Resident bytes those heap trims gave back.",
           static_cast<double>(m.heap_released_bytes));
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
  w.head("imswitch_queue_answer_wait_seconds", "histogram",
         "How long a queue's answered interactions waited, arrival to answer.");
  for (const auto& q : m.queues) {
    const auto& c = q.counters;
    const std::string l = "queue=\"" + label(q.number) + "\"";
    std::uint64_t below = 0;
    for (std::size_t i = 0; i < routing::kWaitBucketsMs.size(); ++i) {
      below += c.answered_waits[i];
      w.sample("imswitch_queue_answer_wait_seconds_bucket",
               fmt::format("{},le=\"{}\"", l,
                           static_cast<double>(routing::kWaitBucketsMs[i]) / 1000.0),
               static_cast<double>(below));
    }
    w.sample("imswitch_queue_answer_wait_seconds_bucket", l + ",le=\"+Inf\"",
             static_cast<double>(c.answered));
    w.sample("imswitch_queue_answer_wait_seconds_sum", l,
             static_cast<double>(c.answered_wait_ms) / 1000.0);
    w.sample("imswitch_queue_answer_wait_seconds_count", l, static_cast<double>(c.answered));
  }
  if (m.store) {
    const auto& st = *m.store;
    w.single("imswitch_store_commits_total", "counter", "Store transactions committed.",
             static_cast<double>(st.commits));
    w.single("imswitch_store_operations_total", "counter",
             "Store operations completed (writes and API reads), failed ones included.",
             static_cast<double>(st.operations));
    w.single("imswitch_store_operations_failed_total", "counter",
             "Store operations that failed, refused ones included.",
             static_cast<double>(st.failed));
    w.single("imswitch_store_operations_refused_total", "counter",
             "Store operations refused without running (queue full or closing).",
             static_cast<double>(st.rejected));
    w.single("imswitch_store_queued_writes", "gauge", "Writes waiting for the store's writer.",
             static_cast<double>(m.store_queue));
    w.head("imswitch_store_commit_seconds", "histogram",
           "Time of a store transaction, BEGIN to COMMIT done (fsync included).");
    std::uint64_t below = 0;
    for (std::size_t i = 0; i < store::SqliteStore::kCommitBucketsUs.size(); ++i) {
      below += st.commit_times[i];
      w.sample("imswitch_store_commit_seconds_bucket",
               fmt::format("le=\"{}\"",
                           static_cast<double>(store::SqliteStore::kCommitBucketsUs[i]) / 1e6),
               static_cast<double>(below));
    }
    w.sample("imswitch_store_commit_seconds_bucket", "le=\"+Inf\"",
             static_cast<double>(st.commits));
    w.sample("imswitch_store_commit_seconds_sum", "",
             static_cast<double>(st.commit_us_total) / 1e6);
    w.sample("imswitch_store_commit_seconds_count", "", static_cast<double>(st.commits));
  }
  return w.take();
}

}  // namespace ims::sw::app
