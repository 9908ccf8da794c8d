#include "tools/imtool/load/results.hpp"

#include <cmath>

#include <fmt/format.h>

#include "common/util/strings.hpp"

namespace ims::tool::load {

namespace {

struct OpText {
  std::string_view name, answer, key;
};
constexpr std::array<OpText, kOps> kOpText{{
    {"REGISTER (login)", "200", "register_login"},
    {"REGISTER (refresh)", "200", "register_refresh"},
    {"MESSAGE", "200/202", "message"},
    {"INVITE", "180", "invite_180"},
    {"INVITE", "200", "invite_200"},
    {"INVITE to queue", "200", "queue_invite_200"},
    {"MESSAGE in session", "200", "session_message"},
    {"BYE", "200", "bye"},
}};

const OpText& text_of(Op op) { return kOpText[static_cast<std::size_t>(op)]; }

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

double seconds_for(Op op, const Results& r) {
  return op == Op::Login ? r.login_seconds : r.traffic_seconds + r.drain_seconds;
}

bool expected_decline(const LoadPlan& plan) { return plan.answer.decline > 0; }
bool expected_no_answer(const LoadPlan& plan) { return plan.answer.no_answer > 0; }

}  // namespace

std::string_view op_name(Op op) { return text_of(op).name; }
std::string_view op_answer(Op op) { return text_of(op).answer; }
std::string_view op_key(Op op) { return text_of(op).key; }

std::uint64_t OpStats::failed() const {
  std::uint64_t n = 0;
  for (const auto& [cause, count] : failures) n += count;
  return n;
}

std::uint64_t Results::scenarios_started() const {
  std::uint64_t n = 0;
  for (const auto& s : scenarios) n += s.started;
  return n;
}

std::uint64_t Results::scenarios_failed() const {
  std::uint64_t n = unfinished + delivery_lost + delivery_duplicated + session_delivery_lost;
  for (const auto& s : scenarios) n += s.failed;
  return n;
}

double Results::failure_rate(const LoadPlan& plan) const {
  std::uint64_t failed = scenarios_failed() + ops[static_cast<std::size_t>(Op::Login)].failed();
  for (auto s : {Scenario::Session, Scenario::Queue}) {
    if (!expected_decline(plan)) failed += scenario(s).declined;
    if (!expected_no_answer(plan)) failed += scenario(s).not_answered;
  }
  const std::uint64_t tried = scenarios_started() + agents;
  return tried ? static_cast<double>(failed) / static_cast<double>(tried) : 0.0;
}

double metric_sum(std::string_view text, std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& labels) {
  double sum = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, name.size()) != name) continue;
    std::string_view rest = line.substr(name.size());
    std::string_view label_text;
    if (!rest.empty() && rest.front() == '{') {
      const auto close = rest.find('}');
      if (close == std::string_view::npos) continue;
      label_text = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    } else if (rest.empty() || rest.front() != ' ') {
      continue;  // another metric whose name starts with this one
    }
    bool match = true;
    for (const auto& [key, value] : labels) {
      if (label_text.find(fmt::format("{}=\"{}\"", key, value)) == std::string_view::npos) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    rest = util::trim(rest);
    try {
      sum += std::stod(std::string(rest.substr(0, rest.find(' '))));
    } catch (...) {
    }
  }
  return sum;
}

void compare_metrics(std::string_view before, std::string_view after, Results& r) {
  auto delta = [&](std::string_view name,
                   const std::vector<std::pair<std::string, std::string>>& labels) {
    return metric_sum(after, name, labels) - metric_sum(before, name, labels);
  };
  constexpr std::string_view kSent = "imswitch_sip_responses_sent_total";
  auto ok_count = [&](Op op) {
    return static_cast<double>(r.ops[static_cast<std::size_t>(op)].latency.count());
  };
  auto& rows = r.metrics.rows;
  rows.push_back({"REGISTER answered 200", static_cast<double>(r.register_200s),
                  delta(kSent, {{"method", "REGISTER"}, {"code", "200"}})});
  rows.push_back({"MESSAGE answered 2xx", ok_count(Op::Message) + ok_count(Op::SessionMessage),
                  delta(kSent, {{"method", "MESSAGE"}, {"code", "200"}}) +
                      delta(kSent, {{"method", "MESSAGE"}, {"code", "202"}})});
  if (r.scenario(Scenario::Session).started || r.scenario(Scenario::Queue).started) {
    rows.push_back({"INVITE answered 200", ok_count(Op::InviteAnswered) + ok_count(Op::QueueAnswered),
                    delta(kSent, {{"method", "INVITE"}, {"code", "200"}})});
    rows.push_back({"BYE answered 200", ok_count(Op::Bye),
                    delta(kSent, {{"method", "BYE"}, {"code", "200"}})});
  }
}

std::string render_table(const LoadPlan& plan, const Results& r) {
  std::string out;
  auto line = [&](std::string s) { out += s + "\n"; };
  line(fmt::format("agents {} (logged in {}), logins took {:.1f} s, traffic {:.1f} s, drain {:.1f} s{}",
                   r.agents, r.logged_in, r.login_seconds, r.traffic_seconds, r.drain_seconds,
                   r.interrupted ? " (interrupted)" : ""));
  std::string scen;
  for (std::size_t i = 0; i < kScenarios; ++i) {
    const auto& s = r.scenarios[i];
    if (!s.started) continue;
    scen += fmt::format("{}{} {} started, {} completed", scen.empty() ? "" : "; ",
                        scenario_name(static_cast<Scenario>(i)), s.started, s.completed);
    if (s.declined) scen += fmt::format(", {} declined", s.declined);
    if (s.not_answered) scen += fmt::format(", {} not answered", s.not_answered);
    if (s.failed) scen += fmt::format(", {} failed", s.failed);
  }
  if (!scen.empty()) line("scenarios: " + scen);
  line("");
  line(fmt::format("{:<20} {:>7} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}", "operation",
                   "answer", "ok", "failed", "rate/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms",
                   "max ms"));
  for (std::size_t i = 0; i < kOps; ++i) {
    const auto op = static_cast<Op>(i);
    const auto& s = r.ops[i];
    if (s.latency.count() == 0 && s.failed() == 0) continue;
    const double secs = seconds_for(op, r);
    const double rate = secs > 0 ? static_cast<double>(s.latency.count()) / secs : 0;
    const auto& h = s.latency;
    line(fmt::format("{:<20} {:>7} {:>9} {:>7} {:>9.1f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f}",
                     op_name(op), op_answer(op), h.count(), s.failed(), rate,
                     ms(h.percentile(0.5)), ms(h.percentile(0.9)), ms(h.percentile(0.99)),
                     ms(h.percentile(0.999)), ms(h.max())));
  }
  bool any_failure = false;
  for (std::size_t i = 0; i < kOps; ++i) {
    for (const auto& [cause, count] : r.ops[i].failures) {
      if (!any_failure) line("\nfailures by cause:");
      any_failure = true;
      line(fmt::format("  {} {}: {} x{}", op_name(static_cast<Op>(i)),
                       op_answer(static_cast<Op>(i)), cause, count));
    }
  }
  if (r.unfinished) {
    line(fmt::format("{}  {} scenario(s) had no outcome when the run ended", any_failure ? "" : "\n",
                     r.unfinished));
  }
  const auto& a = r.answering;
  if (a.invitations || a.pager_received || a.session_messages_received) {
    line(fmt::format("\nanswering: {} invitations ({} accepted, {} declined, {} left ringing), {} "
                     "pager and {} in-session messages received",
                     a.invitations, a.accepted, a.declined, a.ignored, a.pager_received,
                     a.session_messages_received));
  }
  if (r.delivery_checked) {
    line(fmt::format("\ndelivery: {} pager message(s) answered 2xx never arrived, {} arrived "
                     "more than once",
                     r.delivery_lost, r.delivery_duplicated));
  }
  if (r.session_delivery_checked) {
    line(fmt::format("{}delivery: {} session message(s) answered 200 never reached the recipient",
                     r.delivery_checked ? "" : "\n", r.session_delivery_lost));
  }
  const std::uint64_t started = r.scenarios_started();
  if (started && r.cpu_seconds > 0) {
    line(fmt::format("\nimtool load's own CPU: {:.2f} s over the traffic, {:.1f} us per scenario",
                     r.cpu_seconds, r.cpu_seconds * 1e6 / static_cast<double>(started)));
  }
  line(fmt::format("\nretransmissions: {}{}", r.retransmissions,
                   r.late_starts ? fmt::format("; {} scenarios started late (--max-outstanding "
                                               "reached; their latency counts from their time)",
                                               r.late_starts)
                                 : std::string()));
  if (r.metrics.attempted) {
    if (!r.metrics.error.empty()) {
      line("switch /metrics: not compared (" + r.metrics.error + ")");
    } else {
      bool all_equal = true;
      for (const auto& row : r.metrics.rows) all_equal = all_equal && row.ours == row.theirs;
      line(all_equal ? "switch /metrics: agrees" : "switch /metrics: DIFFERS");
      for (const auto& row : r.metrics.rows) {
        line(fmt::format("  {:<24} ours {:>10.0f}  switch {:>10.0f}{}", row.what, row.ours,
                         row.theirs,
                         row.ours == row.theirs
                             ? ""
                             : fmt::format("  difference {:+.0f}", row.theirs - row.ours)));
      }
    }
  }
  const double rate = r.failure_rate(plan);
  line(fmt::format("failure rate {:.3f} % (limit {:.3f} %): {}", rate * 100,
                   plan.max_failure_rate * 100, rate <= plan.max_failure_rate ? "passed" : "FAILED"));
  return out;
}

nlohmann::json to_json(const LoadPlan& plan, const Results& r) {
  using nlohmann::json;
  json j;
  j["schema"] = "imtool-load/1";
  json mix = json::object();
  for (std::size_t i = 0; i < kScenarios; ++i)
    mix[std::string(scenario_name(static_cast<Scenario>(i)))] = plan.mix.weight[i];
  j["plan"] = {{"agents", r.agents},
               {"rate", plan.rate},
               {"ramp_s", static_cast<double>(plan.ramp.count()) / 1000},
               {"duration_s", plan.duration ? json(static_cast<double>(plan.duration->count()) / 1000) : json()},
               {"count", plan.count ? json(*plan.count) : json()},
               {"max_outstanding", plan.outstanding_bound()},
               {"mix", mix},
               {"session_messages", plan.session_messages},
               {"answer_only", plan.answer_only}};
  j["logged_in"] = r.logged_in;
  j["seconds"] = {{"login", r.login_seconds}, {"traffic", r.traffic_seconds},
                  {"drain", r.drain_seconds}, {"cpu", r.cpu_seconds}};
  j["interrupted"] = r.interrupted;
  json scenarios = json::object();
  for (std::size_t i = 0; i < kScenarios; ++i) {
    const auto& s = r.scenarios[i];
    scenarios[std::string(scenario_name(static_cast<Scenario>(i)))] = {
        {"started", s.started}, {"completed", s.completed}, {"failed", s.failed},
        {"declined", s.declined}, {"not_answered", s.not_answered}};
  }
  j["scenarios"] = scenarios;
  json ops = json::array();
  for (std::size_t i = 0; i < kOps; ++i) {
    const auto op = static_cast<Op>(i);
    const auto& s = r.ops[i];
    const auto& h = s.latency;
    const double secs = seconds_for(op, r);
    json failures = json::object();
    for (const auto& [cause, count] : s.failures) failures[cause] = count;
    ops.push_back({{"operation", op_key(op)},
                   {"request", op_name(op)},
                   {"answer", op_answer(op)},
                   {"ok", h.count()},
                   {"failed", s.failed()},
                   {"failures", failures},
                   {"rate_per_s", secs > 0 ? static_cast<double>(h.count()) / secs : 0.0},
                   {"latency_us",
                    {{"min", h.min()},
                     {"mean", std::round(h.mean())},
                     {"p50", h.percentile(0.5)},
                     {"p90", h.percentile(0.9)},
                     {"p99", h.percentile(0.99)},
                     {"p99_9", h.percentile(0.999)},
                     {"max", h.max()}}}});
  }
  j["operations"] = ops;
  const auto& a = r.answering;
  j["answering"] = {{"invitations", a.invitations}, {"accepted", a.accepted},
                    {"declined", a.declined},       {"ignored", a.ignored},
                    {"pager_received", a.pager_received},
                    {"session_messages_received", a.session_messages_received}};
  if (r.delivery_checked) {
    j["delivery"] = {{"lost", r.delivery_lost}, {"duplicated", r.delivery_duplicated}};
  }
  if (r.session_delivery_checked) j["session_delivery"] = {{"lost", r.session_delivery_lost}};
  j["retransmissions"] = r.retransmissions;
  j["unfinished"] = r.unfinished;
  j["late_starts"] = r.late_starts;
  if (r.metrics.attempted) {
    json rows = json::array();
    for (const auto& row : r.metrics.rows)
      rows.push_back({{"what", row.what}, {"ours", row.ours}, {"switch", row.theirs}});
    j["switch_metrics"] = {{"error", r.metrics.error.empty() ? json() : json(r.metrics.error)},
                           {"rows", rows}};
  }
  const double rate = r.failure_rate(plan);
  j["failure_rate"] = rate;
  j["max_failure_rate"] = plan.max_failure_rate;
  j["passed"] = rate <= plan.max_failure_rate;
  return j;
}

}  // namespace ims::tool::load
