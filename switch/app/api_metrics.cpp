// GET /metrics: the Prometheus text format (metrics.hpp). The SIP cores' counters are read on
// their own threads (Application's sampler); the switch-wide gauges - registered agents, live
// IM sessions, each queue's line and counters - from their thread-safe holders.

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "switch/app/api.hpp"
#include "switch/app/heap_trim.hpp"
#include "switch/app/queue_desk.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

namespace {

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return ec ? -1 : n - 1;  // the iterator's own descriptor
}

}  // namespace

void Api::metrics(http::Reply reply) const {
  if (!sample_cores_) return reply(http::error_response(503, "no metrics yet"));
  const double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  sample_cores_([shared = shared_, index = index_, uptime, store = store_stats_, heap = heap_,
                 reply = std::move(reply)](std::vector<CoreMetrics> cores) {
    Metrics m;
    if (store) {
      m.store = store->stats();
      m.store_queue = store->queue_depth();
    }
    m.uptime_s = uptime;
    m.cores = std::move(cores);
    m.registered_agents =
        shared->bindings.with([](const registrar::BindingTable& t) { return t.aor_count(); });
    m.live_sessions = shared->im_sessions.total();
    m.resident_bytes = static_cast<double>(resident_bytes());
    if (heap) {
      m.heap_trims = heap->trims();
      m.heap_released_bytes = heap->released_bytes();
    }
    m.open_fds = open_fds();
    for (const auto& q : index->directory()->queues()) {
      QueueMetrics qm;
      qm.number = q.number;
      if (auto view = shared->queues ? shared->queues->queue(q.number) : std::nullopt) {
        qm.waiting = view->waiting.size();
        qm.longest_wait_ms = view->longest_wait_ms;
        qm.members = view->members;
        qm.free_members = view->free_members;
        qm.counters = view->counters;
      }
      m.queues.push_back(std::move(qm));
    }
    http::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = prometheus_text(m);
    reply(std::move(r));
  });
}

}  // namespace ims::sw::app
