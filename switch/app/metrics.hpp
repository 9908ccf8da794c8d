#pragma once
// The switch's counters in the Prometheus text format (version 0.0.4), for GET /metrics: per SIP
// core what its transports, transaction layer, TU, digest checks and IM sessions counted, and
// switch-wide gauges (registered agents, live IM sessions, each queue's line). A sample is taken
// on each core's own thread (Application::sample_metrics), so no counter is read while it moves.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/stack/stack.hpp"
#include "common/transport/options.hpp"
#include "switch/app/authn.hpp"
#include "switch/app/subscribe.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/im/b2bua.hpp"
#include "switch/routing/types.hpp"
#include "switch/store/sqlite_store.hpp"

namespace ims::sw::app {

struct CoreMetrics {
  transport::Counters transport;
  stack::Counters stack;
  TuCounters tu;
  AuthCounters auth;
  SourceLimitCounters source_limit;  // requests shed over the per-source limit
  std::size_t limited_sources = 0;   // sources the limit tracks
  im::ImCounters im;
  std::uint64_t txn_retransmissions = 0;  // requests matched to a live server transaction
  double cpu_seconds = 0;  // CPU time of the core's thread since it started
  NotifierCounters presence;             // SUBSCRIBE/NOTIFY for agents' presence
  std::size_t presence_subscriptions = 0;  // active on this core
  std::size_t transactions = 0;            // live in the core's table (completed ones linger)
};

struct QueueMetrics {
  std::string number;
  std::size_t waiting = 0;
  std::int64_t longest_wait_ms = 0;
  std::size_t members = 0;
  std::size_t free_members = 0;
  routing::QueueCounters counters;
};

struct Metrics {
  double uptime_s = 0;
  std::vector<CoreMetrics> cores;  // by core number
  std::size_t registered_agents = 0;
  std::size_t live_sessions = 0;
  // The process: resident memory and open file descriptors (sockets included), for a soak run's
  // "flat" and "no leak"; -1 when /proc cannot tell.
  double resident_bytes = -1;
  double open_fds = -1;
  std::uint64_t heap_trims = 0;           // heap_trim.hpp: free heap handed back to the system
  std::uint64_t heap_released_bytes = 0;  // resident bytes those trims gave back
  std::vector<QueueMetrics> queues;
  std::optional<store::SqliteStore::Stats> store;
  std::size_t store_queue = 0;  // writes waiting for the store's writer
};

std::string prometheus_text(const Metrics& m);

}  // namespace ims::sw::app
