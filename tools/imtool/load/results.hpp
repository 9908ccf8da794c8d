#pragma once
// Results: what one `imtool load` run counted, as values, and its report as a table for people
// and as JSON for scripts (the schema is in the README's `imtool load` section). The runner
// records into it on its one thread; the renderers are plain functions over it.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/imtool/load/histogram.hpp"
#include "tools/imtool/load/plan.hpp"

namespace ims::tool::load {

// The SIP exchanges measured, each from its request to the answer that completes it.
enum class Op {
  Login,           // REGISTER → 200, before the traffic
  Refresh,         // REGISTER → 200 of a `register` scenario
  Message,         // pager MESSAGE → 200 or 202
  InviteRinging,   // INVITE → 180 (to an agent)
  InviteAnswered,  // INVITE → 200 (to an agent)
  QueueAnswered,   // INVITE → 200 (to a queue or routing point)
  SessionMessage,  // in-session MESSAGE → 200
  Bye,             // BYE → 200
};
inline constexpr std::size_t kOps = 8;
std::string_view op_name(Op op);    // "REGISTER", "MESSAGE" ...
std::string_view op_answer(Op op);  // "200", "200/202", "180" ...
std::string_view op_key(Op op);     // JSON: "register_login", "message" ...

struct OpStats {
  LatencyHistogram latency;  // of the successes
  std::map<std::string, std::uint64_t> failures;  // by cause ("486", "timeout" ...)
  std::uint64_t failed() const;
};

struct ScenarioStats {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;     // every step answered as hoped
  std::uint64_t failed = 0;        // a step failed (its cause is under the operation)
  std::uint64_t declined = 0;      // sessions: 603
  std::uint64_t not_answered = 0;  // sessions: 408, 480 or cancelled after the ring timeout
};

// What the answering side of this process saw.
struct AnsweringStats {
  std::uint64_t invitations = 0;
  std::uint64_t accepted = 0;
  std::uint64_t declined = 0;
  std::uint64_t ignored = 0;
  std::uint64_t pager_received = 0;
  std::uint64_t session_messages_received = 0;
};

// The switch's /metrics counters against ours, read before and after the run.
struct MetricsCheck {
  struct Row {
    std::string what;      // "MESSAGE answered 2xx"
    double ours = 0;       // what the tool counted
    double theirs = 0;     // the switch's counter's increase
  };
  bool attempted = false;
  std::string error;  // why no check was possible
  std::vector<Row> rows;
};

struct Results {
  std::array<OpStats, kOps> ops;
  std::array<ScenarioStats, kScenarios> scenarios;
  AnsweringStats answering;
  LatencyHistogram all;  // every success, for the progress line
  std::uint64_t agents = 0;
  std::uint64_t logged_in = 0;
  std::uint64_t register_200s = 0;  // every REGISTER answered 200 (automatic refreshes too)
  std::uint64_t retransmissions = 0;
  std::uint64_t unfinished = 0;     // scenarios without an outcome when the run ended
  std::uint64_t late_starts = 0;    // paced scenarios sent after their time (outstanding bound)
  double login_seconds = 0;
  double traffic_seconds = 0;
  double drain_seconds = 0;
  double cpu_seconds = 0;  // this process's CPU time over the traffic and the drain
  bool interrupted = false;
  // Pager messages sent to this process's own agents: those answered 2xx that never arrived,
  // and arrivals of one message more than once (checked only then).
  bool delivery_checked = false;
  std::uint64_t delivery_lost = 0;
  std::uint64_t delivery_duplicated = 0;
  // Sessions between its own agents: messages answered 200 that the recipient never got.
  bool session_delivery_checked = false;
  std::uint64_t session_delivery_lost = 0;
  MetricsCheck metrics;

  void ok(Op op, std::uint64_t micros) {
    ops[static_cast<std::size_t>(op)].latency.record(micros);
    all.record(micros);
  }
  void failed(Op op, const std::string& cause) {
    ++ops[static_cast<std::size_t>(op)].failures[cause];
  }
  ScenarioStats& scenario(Scenario s) { return scenarios[static_cast<std::size_t>(s)]; }
  const ScenarioStats& scenario(Scenario s) const {
    return scenarios[static_cast<std::size_t>(s)];
  }

  std::uint64_t scenarios_started() const;
  std::uint64_t scenarios_failed() const;  // failed + unfinished, + declined/not answered when
                                           // the plan does not expect them
  // Failed scenarios and logins over those started and attempted; 0 when nothing was tried.
  double failure_rate(const LoadPlan& plan) const;
};

// Parses Prometheus text: the sum of the samples of `name` whose labels include every pair of
// `labels` (e.g. {{"method","MESSAGE"},{"code","200"}}).
double metric_sum(std::string_view text, std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& labels);

// Fills results.metrics from the two /metrics texts.
void compare_metrics(std::string_view before, std::string_view after, Results& results);

std::string render_table(const LoadPlan& plan, const Results& results);
nlohmann::json to_json(const LoadPlan& plan, const Results& results);

}  // namespace ims::tool::load
