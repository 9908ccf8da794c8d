#pragma once
// LoadPlan: what one `imtool load` run does, as values: who logs in, what traffic it offers at
// which pace, how the answering side behaves, and when it stops. Built from the command line and
// an optional YAML profile (the command line wins), checked whole before anything is sent. No
// I/O here but reading the files named.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"

namespace ims::tool::load {

using Millis = std::chrono::milliseconds;

// Bounds (STYLE rule 9).
inline constexpr std::size_t kMaxAgents = 200'000;
inline constexpr double kMaxRate = 1'000'000;
inline constexpr std::size_t kMaxOutstanding = 1'000'000;
inline constexpr int kMaxSessionMessages = 1000;
inline constexpr std::size_t kMaxTextBytes = 60'000;

// The kinds of traffic, each a scenario started at the run's pace.
enum class Scenario { Message, Session, Queue, Register };
inline constexpr std::size_t kScenarios = 4;
std::string_view scenario_name(Scenario s);  // "message", "session", "queue", "register"

// Relative weights of the scenarios (any non-negative numbers, not all zero).
struct Mix {
  std::array<double, kScenarios> weight{1, 0, 0, 0};
  double operator[](Scenario s) const { return weight[static_cast<std::size_t>(s)]; }
  double total() const;
};

// How this process's agents answer the invitations they get (the shares sum to 1).
struct Answering {
  double accept = 1;
  double decline = 0;
  double no_answer = 0;
  Millis think{0};  // before accepting or declining
};

struct LoadPlan {
  std::vector<std::string> agents;   // logged in by this process
  std::vector<std::string> targets;  // addressees; empty: the agents themselves
  std::string password_pattern = "pw-{login}";
  std::map<std::string, std::string> passwords;  // from an agents file; else the pattern

  double register_rate = 200;        // logins per second before the traffic starts
  std::chrono::seconds expires{600};  // asked for in REGISTER

  Mix mix;
  double rate = 100;  // scenarios started per second; 0: flat out (max_outstanding in flight)
  Millis ramp{0};
  std::optional<Millis> duration;      // of the traffic phase
  std::optional<std::uint64_t> count;  // scenarios in all
  std::size_t max_outstanding = 0;     // 0: 200 flat out, 10,000 paced
  int session_messages = 3;            // the initiator's in-session MESSAGEs
  Millis message_think{0};             // between them
  std::string queue;                   // the queue or routing point of `queue` scenarios
  Millis ring_timeout{20'000};         // an unanswered invitation is cancelled then
  Millis drain{35'000};                // the wait for answers after the last scenario started
  std::size_t text_bytes = 20;         // the size of each message text
  std::uint64_t seed = 1;

  Answering answer;
  bool answer_only = false;            // --answer: log in and answer, send nothing

  double max_failure_rate = 0.01;

  std::size_t outstanding_bound() const;
  bool flat_out() const { return rate == 0; }
  std::string password_for(const std::string& login) const;
  const std::vector<std::string>& addressees() const { return targets.empty() ? agents : targets; }
};

// "agent{0001..1000}" into agent0001 .. agent1000 (the width of the first bound is kept);
// several patterns separated by commas; a plain login stands for itself. Fails for a bad range,
// an empty login or more than kMaxAgents.
Result<std::vector<std::string>> expand_logins(std::string_view patterns);

// An agents file: CSV with a header naming `login` and optionally `password` (RFC 4180).
struct AgentsFile {
  std::vector<std::string> logins;
  std::map<std::string, std::string> passwords;
};
Result<AgentsFile> read_agents_file(std::string_view text);

// "message=80,session=15,queue=5,register=0" (missing ones weigh 0).
Result<Mix> parse_mix(std::string_view text);

// "250ms", "30s", "2m", "1h", or a plain number of seconds.
Result<Millis> parse_duration(std::string_view text);

// A YAML profile's keys applied over `plan` (see the README's `imtool load` section for the
// keys). Fails with "file:line: key: why".
Result<void> apply_profile(std::string_view yaml_text, std::string_view file_name, LoadPlan& plan);

// The plan as a whole makes sense: agents, a stop condition, shares, a queue for queue
// scenarios, targets other than oneself. Returns the problem in a sentence.
Result<void> check(const LoadPlan& plan);

}  // namespace ims::tool::load
