#pragma once
// The switch's directory (PRODUCT §1): agents, queues and routing points as plain values, the SIP
// domains that are local, and hash indexes by login and number. Every target is addressable as
// sip:<login-or-number>@<domain>, so logins, agent phone numbers, queue numbers and routing-point
// numbers share one address space and are unique across it.
//
// A Directory is immutable once built, so any thread may read it. The app holds a
// std::shared_ptr<const Directory> on its SIP strand and swaps it on reload (SIGHUP); work in
// flight keeps the one it started with. No
// I/O, no clock, no yaml-cpp: switch/config fills DirectoryData from the YAML and CSV files.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/auth/digest.hpp"
#include "common/util/result.hpp"
#include "switch/directory/compact.hpp"
#include "switch/directory/fields.hpp"
#include "switch/directory/name_index.hpp"
#include "switch/directory/schedule.hpp"
#include "switch/directory/skill_expr.hpp"

namespace ims::sw::directory {

struct Skill {
  std::string name;
  unsigned level = 0;  // 0 .. kMaxSkillLevel
};

// At least one is set. HA1 values are bound to the realm (the first domain): changing the
// domains makes them useless (RFC 3261 §22.4, RFC 7616 §3.4.2). Stored lowercase.
struct Credentials {
  std::optional<std::string> password;
  OptionalText ha1_md5;     // MD5(login ":" realm ":" password), 32 hex digits
  OptionalText ha1_sha256;  // SHA-256 of the same, 64 hex digits
  // The digest algorithms this agent's challenges offer, in order (digest_algorithms): for a
  // device that fails on a SHA-256 challenge, [MD5]. Empty: the switch's auth.algorithms.
  AlgorithmList offered;
};

struct Agent {
  std::string login;         // the SIP user part and digest username
  std::string display_name;  // empty: people see the login
  std::string email;         // may be empty
  std::string phone;         // extension or E.164 number, may be empty; an address too
  Credentials credentials;
  TaskList tasks;  // ["im"] unless told: "im" lets the agent start and accept IM (PRODUCT §2)
  std::vector<Skill> skills;
  unsigned im_capacity = kDefaultImCapacity;  // concurrent IM sessions

  bool has_task(std::string_view task) const;
  std::optional<unsigned> skill_level(std::string_view skill) const;
  // display_name, or the login when it is empty.
  const std::string& shown_name() const { return display_name.empty() ? login : display_name; }
};

enum class Distribution : std::uint8_t { LongestIdle, RoundRobin, LeastBusy };
std::optional<Distribution> parse_distribution(std::string_view text);
std::string_view distribution_name(Distribution d);

struct Queue {
  std::string number;
  std::string name;                  // empty: the number
  std::vector<std::string> members;  // agent logins
  std::optional<SkillExpr> skills;   // agents matching it are members too
  Distribution distribution = Distribution::LongestIdle;
  unsigned wait_limit_s = kDefaultWaitLimitS;  // longest wait for an agent; then overflow
  unsigned no_answer_s = kDefaultNoAnswerS;    // one offer's no-answer timer (RONA)
  unsigned max_waiting = kDefaultMaxWaiting;   // interactions waiting at once; then overflow/486
  std::string overflow;  // address of an agent, queue or routing point; empty: none (480)
};

// One condition set of a routing rule; every condition given must hold, none given = always.
struct RouteMatch {
  std::vector<std::string> callers;  // login patterns with '*'; any one matches; empty = anyone
  std::string skill;                 // the interaction asks for this skill; empty = any
  std::vector<std::pair<std::string, std::string>> case_data;  // key = value; value "*" = present
  std::optional<TimeWindow> time;    // switch local time
  bool always() const { return callers.empty() && skill.empty() && case_data.empty() && !time; }
};

struct RouteRule {
  RouteMatch match;
  std::string target;  // address of an agent, queue or routing point
};

struct RoutingPoint {
  std::string number;
  std::string name;                  // empty: the number
  std::vector<RouteRule> rules;      // tried in order, first match wins
  std::string default_target;        // when no rule matches
};

using Target = std::variant<const Agent*, const Queue*, const RoutingPoint*>;

// What Directory::build takes: everything the configuration names, not yet checked.
struct DirectoryData {
  std::vector<std::string> domains;  // the first is the digest realm
  std::vector<Agent> agents;
  std::vector<Queue> queues;
  std::vector<RoutingPoint> routing_points;
};

// [127.0.0.1, localhost, ::1]: what a switch reachable on the loopback needs.
std::vector<std::string> default_domains();

enum class EntityKind : std::uint8_t { Domain, Agent, Queue, RoutingPoint };
struct EntityRef {
  EntityKind kind = EntityKind::Agent;
  std::size_t index = 0;  // into DirectoryData's vector of that kind
};

// One validation problem, for the loader to place at a file, line and key.
struct Problem {
  EntityRef where;
  std::string field;   // "email", "members[2]", "rules[0].target"; empty = the entry itself
  std::string reason;
  std::optional<EntityRef> first;  // duplicates: the entry that holds the value already
};

// "agents[3].email" style name of a problem's place, for messages without a file.
std::string describe(const EntityRef& ref);

class Directory {
  struct Key {};

 public:
  struct Built {
    std::shared_ptr<const Directory> directory;  // null when problems is not empty
    std::vector<Problem> problems;
  };

  // Checks every entry (field shapes and ranges, duplicate addresses, members and targets that
  // exist, fallback loops) and builds the indexes. Reports every problem, not just the first.
  static Built build(DirectoryData data);
  // The same, the problems joined one per line as "agents[3].email: <reason>".
  static Result<std::shared_ptr<const Directory>> create(DirectoryData data);
  // No agents, default_domains().
  static std::shared_ptr<const Directory> empty();

  Directory(DirectoryData data, Key);
  Directory(const Directory&) = delete;  // the indexes point into the owned strings
  Directory& operator=(const Directory&) = delete;

  const Agent* agent(std::string_view login) const;        // exact, case-sensitive
  const Agent* by_number(std::string_view number) const;   // an agent's phone
  const Queue* queue(std::string_view number) const;
  const RoutingPoint* routing_point(std::string_view number) const;
  // A Request-URI user part: login, agent phone, queue or routing-point number.
  std::optional<Target> resolve(std::string_view user) const;

  // A Request-URI host naming this switch: equal to one of the domains, case-insensitively,
  // IPv6 with or without brackets.
  bool is_local_domain(std::string_view host) const;
  const std::string& realm() const { return domains_.front(); }
  const std::vector<std::string>& domains() const { return domains_; }

  const std::vector<Agent>& agents() const { return agents_; }
  const std::vector<Queue>& queues() const { return queues_; }
  const std::vector<RoutingPoint>& routing_points() const { return routing_points_; }
  // Number of agents.
  std::size_t size() const { return agents_.size(); }

 private:
  std::vector<std::string> domains_;   // as configured
  std::vector<std::string> canonical_domains_;
  std::vector<Agent> agents_;
  std::vector<Queue> queues_;
  std::vector<RoutingPoint> routing_points_;
  NameIndex by_login_;
  NameIndex by_phone_;
  NameIndex queue_by_number_;
  NameIndex rp_by_number_;
};

// The checks Directory::build runs; the data is normalised on the way (HA1 lowercase).
std::vector<Problem> check(DirectoryData& data);

}  // namespace ims::sw::directory
