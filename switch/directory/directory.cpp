#include "switch/directory/directory.hpp"

#include <algorithm>

#include "common/util/strings.hpp"

namespace ims::sw::directory {

namespace {

std::string_view login_of(const Agent& a) { return a.login; }
std::string_view phone_of(const Agent& a) { return a.phone; }
std::string_view queue_number_of(const Queue& q) { return q.number; }
std::string_view rp_number_of(const RoutingPoint& rp) { return rp.number; }

}  // namespace

const std::shared_ptr<const TaskList::List>& TaskList::im_only() {
  static const auto list = std::make_shared<const List>(List{"im"});
  return list;
}

std::ostream& operator<<(std::ostream& out, const TaskList& t) {
  out << '[';
  for (std::size_t i = 0; i < t.size(); ++i) out << (i ? ", " : "") << t[i];
  return out << ']';
}

bool Agent::has_task(std::string_view task) const {
  return std::find(tasks.begin(), tasks.end(), task) != tasks.end();
}

std::optional<unsigned> Agent::skill_level(std::string_view skill) const {
  for (const Skill& s : skills)
    if (s.name == skill) return s.level;
  return std::nullopt;
}

std::optional<Distribution> parse_distribution(std::string_view text) {
  const std::string t = util::to_lower(util::trim(text));
  if (t == "longest_idle") return Distribution::LongestIdle;
  if (t == "round_robin") return Distribution::RoundRobin;
  if (t == "least_busy") return Distribution::LeastBusy;
  return std::nullopt;
}

std::string_view distribution_name(Distribution d) {
  switch (d) {
    case Distribution::LongestIdle: return "longest_idle";
    case Distribution::RoundRobin: return "round_robin";
    case Distribution::LeastBusy: return "least_busy";
  }
  return "longest_idle";
}

std::vector<std::string> default_domains() { return {"127.0.0.1", "localhost", "::1"}; }

std::string describe(const EntityRef& ref) {
  const char* name = "agents";
  switch (ref.kind) {
    case EntityKind::Domain: name = "domains"; break;
    case EntityKind::Agent: name = "agents"; break;
    case EntityKind::Queue: name = "queues"; break;
    case EntityKind::RoutingPoint: name = "routing_points"; break;
  }
  return std::string(name) + "[" + std::to_string(ref.index) + "]";
}

Directory::Built Directory::build(DirectoryData data) {
  Built out;
  out.problems = check(data);
  if (out.problems.empty()) {
    out.directory = std::make_shared<const Directory>(std::move(data), Key{});
  }
  return out;
}

Result<std::shared_ptr<const Directory>> Directory::create(DirectoryData data) {
  Built built = build(std::move(data));
  if (built.problems.empty()) return std::move(built.directory);
  std::string all;
  for (const Problem& p : built.problems) {
    if (!all.empty()) all += '\n';
    all += describe(p.where);
    if (!p.field.empty()) all += "." + p.field;
    all += ": " + p.reason;
    if (p.first) all += " (first: " + describe(*p.first) + ")";
  }
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(all)};
}

std::shared_ptr<const Directory> Directory::empty() {
  DirectoryData data;
  data.domains = default_domains();
  return std::make_shared<const Directory>(std::move(data), Key{});
}

// The vectors are in their final place before the indexes take views into their strings.
Directory::Directory(DirectoryData data, Key)
    : domains_(std::move(data.domains)),
      agents_(std::move(data.agents)),
      queues_(std::move(data.queues)),
      routing_points_(std::move(data.routing_points)) {
  for (const std::string& d : domains_) canonical_domains_.push_back(canonical_host(d));
  by_login_.build(agents_, login_of);
  by_phone_.build(agents_, phone_of);
  queue_by_number_.build(queues_, queue_number_of);
  rp_by_number_.build(routing_points_, rp_number_of);
}

const Agent* Directory::agent(std::string_view login) const {
  return by_login_.find(agents_, login_of, login);
}

const Agent* Directory::by_number(std::string_view number) const {
  return by_phone_.find(agents_, phone_of, number);
}

const Queue* Directory::queue(std::string_view number) const {
  return queue_by_number_.find(queues_, queue_number_of, number);
}

const RoutingPoint* Directory::routing_point(std::string_view number) const {
  return rp_by_number_.find(routing_points_, rp_number_of, number);
}

std::optional<Target> Directory::resolve(std::string_view user) const {
  if (const Agent* a = agent(user)) return Target{a};
  if (const Agent* a = by_number(user)) return Target{a};
  if (const Queue* q = queue(user)) return Target{q};
  if (const RoutingPoint* rp = routing_point(user)) return Target{rp};
  return std::nullopt;
}

bool Directory::is_local_domain(std::string_view host) const {
  const std::string h = canonical_host(host);
  return std::find(canonical_domains_.begin(), canonical_domains_.end(), h) !=
         canonical_domains_.end();
}

}  // namespace ims::sw::directory
