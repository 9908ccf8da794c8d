// Directory validation: field shapes and ranges, one address space without duplicates, members
// and targets that exist, fallback routes that end. Collects every problem (one config check
// shows them all).

#include <algorithm>
#include <unordered_map>

#include "common/util/strings.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::directory {

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string index_field(std::string_view name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

// Who holds an address, and through which field.
struct Owner {
  EntityRef ref;
  std::string_view field;  // "login", "phone", "number"
};

class Checker {
 public:
  explicit Checker(DirectoryData& d) : d_(d) {}

  std::vector<Problem> run() {
    check_domains();
    for (std::size_t i = 0; i < d_.agents.size(); ++i) check_agent(i);
    for (std::size_t i = 0; i < d_.queues.size(); ++i) check_queue_fields(i);
    for (std::size_t i = 0; i < d_.routing_points.size(); ++i) check_rp_fields(i);
    collect_addresses();
    for (std::size_t i = 0; i < d_.queues.size(); ++i) check_queue_refs(i);
    for (std::size_t i = 0; i < d_.routing_points.size(); ++i) check_rp_refs(i);
    check_fallback_loops();
    return std::move(problems_);
  }

 private:
  void add(EntityKind kind, std::size_t i, std::string field, std::string reason,
           std::optional<EntityRef> first = std::nullopt) {
    problems_.push_back(Problem{EntityRef{kind, i}, std::move(field), std::move(reason), first});
  }
  void add_if(EntityKind kind, std::size_t i, std::string field, FieldProblem p) {
    if (p) add(kind, i, std::move(field), std::string(*p));
  }

  void check_domains() {
    if (d_.domains.empty()) add(EntityKind::Domain, 0, "", "at least one domain is needed");
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < d_.domains.size(); ++i) {
      if (auto p = domain_problem(d_.domains[i])) {
        add(EntityKind::Domain, i, "", std::string(*p));
        continue;
      }
      auto [it, fresh] = seen.emplace(canonical_host(d_.domains[i]), i);
      if (!fresh) {
        add(EntityKind::Domain, i, "", "duplicate domain " + quoted(d_.domains[i]),
            EntityRef{EntityKind::Domain, it->second});
      }
    }
  }

  void check_agent(std::size_t i) {
    Agent& a = d_.agents[i];
    constexpr auto k = EntityKind::Agent;
    add_if(k, i, "login", login_problem(a.login));
    if (!a.display_name.empty()) add_if(k, i, "display_name", name_problem(a.display_name));
    if (!a.email.empty()) add_if(k, i, "email", email_problem(a.email));
    if (!a.phone.empty()) add_if(k, i, "phone", number_problem(a.phone));
    Credentials& c = a.credentials;
    if (!c.password && !c.ha1_md5 && !c.ha1_sha256) {
      add(k, i, "password", "missing: an agent needs password, ha1_md5 or ha1_sha256");
    }
    if (c.password) add_if(k, i, "password", password_problem(*c.password));
    if (c.ha1_md5) {
      add_if(k, i, "ha1_md5", hex_problem(*c.ha1_md5, 32));
      *c.ha1_md5 = util::to_lower(*c.ha1_md5);
    }
    if (c.ha1_sha256) {
      add_if(k, i, "ha1_sha256", hex_problem(*c.ha1_sha256, 64));
      *c.ha1_sha256 = util::to_lower(*c.ha1_sha256);
    }
    for (std::size_t t = 0; t < a.tasks.size(); ++t) {
      const std::string field = index_field("tasks", t);
      if (auto p = token_problem(a.tasks[t])) {
        add(k, i, field, std::string(*p));
      } else if (!is_known_task(a.tasks[t])) {
        add(k, i, field, "unknown task " + quoted(a.tasks[t]) + " (known: " +
                             std::string(kKnownTasks) + ")");
      } else if (std::find(a.tasks.begin(), a.tasks.begin() + t, a.tasks[t]) !=
                 a.tasks.begin() + t) {
        add(k, i, field, "task " + quoted(a.tasks[t]) + " listed twice");
      }
    }
    for (std::size_t s = 0; s < a.skills.size(); ++s) {
      const Skill& skill = a.skills[s];
      const std::string field = "skills." + skill.name;
      if (auto p = token_problem(skill.name)) {
        add(k, i, field, "skill name " + std::string(*p));
      } else if (skill.level > kMaxSkillLevel) {
        add(k, i, field, "must be a level from 0 to 100");
      }
      for (std::size_t o = 0; o < s; ++o) {
        if (a.skills[o].name == skill.name) {
          add(k, i, field, "skill " + quoted(skill.name) + " listed twice");
          break;
        }
      }
    }
    if (a.im_capacity < kMinImCapacity || a.im_capacity > kMaxImCapacity) {
      add(k, i, "im_capacity", "must be a whole number from 1 to 1000");
    }
  }

  void check_queue_fields(std::size_t i) {
    const Queue& q = d_.queues[i];
    constexpr auto k = EntityKind::Queue;
    if (q.number.empty()) {
      add(k, i, "number", "missing: every queue needs a number");
    } else {
      add_if(k, i, "number", number_problem(q.number));
    }
    if (!q.name.empty()) add_if(k, i, "name", name_problem(q.name));
    if (q.members.empty() && !q.skills) {
      add(k, i, "members", "a queue needs members, skills or both");
    }
    if (q.wait_limit_s < 1 || q.wait_limit_s > kMaxWaitLimitS) {
      add(k, i, "wait_limit_s", "must be a whole number from 1 to 86400");
    }
    if (q.no_answer_s < 1 || q.no_answer_s > kMaxNoAnswerS) {
      add(k, i, "no_answer_s", "must be a whole number from 1 to 600");
    }
    if (q.max_waiting < 1 || q.max_waiting > kMaxWaiting) {
      add(k, i, "max_waiting", "must be a whole number from 1 to 1000000");
    }
  }

  void check_rp_fields(std::size_t i) {
    const RoutingPoint& rp = d_.routing_points[i];
    constexpr auto k = EntityKind::RoutingPoint;
    if (rp.number.empty()) {
      add(k, i, "number", "missing: every routing point needs a number");
    } else {
      add_if(k, i, "number", number_problem(rp.number));
    }
    if (!rp.name.empty()) add_if(k, i, "name", name_problem(rp.name));
    std::optional<std::size_t> catch_all;
    for (std::size_t r = 0; r < rp.rules.size(); ++r) {
      const RouteMatch& m = rp.rules[r].match;
      const std::string rule = index_field("rules", r);
      for (std::size_t c = 0; c < m.callers.size(); ++c) {
        add_if(k, i, rule + "." + index_field("caller", c), caller_pattern_problem(m.callers[c]));
      }
      if (!m.skill.empty()) add_if(k, i, rule + ".skill", token_problem(m.skill));
      for (const auto& [key, value] : m.case_data) {
        add_if(k, i, rule + ".case_data." + key, token_problem(key));
        if (value.empty()) add(k, i, rule + ".case_data." + key, "must not be empty (\"*\": any)");
      }
      if (catch_all) {
        add(k, i, rule, "never used: " + index_field("rules", *catch_all) +
                            " before it has no conditions and matches everything");
      } else if (m.always()) {
        catch_all = r;
      }
    }
    if (rp.default_target.empty()) {
      add(k, i, "default", "missing: the target when no rule matches");
    }
  }

  void claim(const std::string& address, EntityRef ref, std::string_view field) {
    if (address.empty()) return;
    exact_.emplace(address, ref);
    auto [it, fresh] = taken_.emplace(util::to_lower(address), Owner{ref, field});
    if (fresh) return;
    const Owner& first = it->second;
    if (first.ref.kind == ref.kind && first.ref.index == ref.index) return;  // own login = phone
    std::string reason;
    if (first.field == field && first.ref.kind == ref.kind) {
      reason = "duplicate " + std::string(field) + " " + quoted(address);
    } else {
      reason = quoted(address) + " is already the " + std::string(first.field) + " of " +
               who(first.ref) + " (all logins and numbers share one address space)";
    }
    add(ref.kind, ref.index, std::string(field), std::move(reason), first.ref);
  }

  std::string who(EntityRef ref) const {
    switch (ref.kind) {
      case EntityKind::Agent: return "agent " + quoted(d_.agents[ref.index].login);
      case EntityKind::Queue: return "queue " + quoted(d_.queues[ref.index].number);
      case EntityKind::RoutingPoint:
        return "routing point " + quoted(d_.routing_points[ref.index].number);
      case EntityKind::Domain: return "domain " + quoted(d_.domains[ref.index]);
    }
    return {};
  }

  void collect_addresses() {
    const std::size_t n = d_.agents.size() * 2 + d_.queues.size() + d_.routing_points.size();
    taken_.reserve(n);
    exact_.reserve(n);
    for (std::size_t i = 0; i < d_.agents.size(); ++i) {
      claim(d_.agents[i].login, {EntityKind::Agent, i}, "login");
    }
    for (std::size_t i = 0; i < d_.agents.size(); ++i) {
      claim(d_.agents[i].phone, {EntityKind::Agent, i}, "phone");
    }
    for (std::size_t i = 0; i < d_.queues.size(); ++i) {
      claim(d_.queues[i].number, {EntityKind::Queue, i}, "number");
    }
    for (std::size_t i = 0; i < d_.routing_points.size(); ++i) {
      claim(d_.routing_points[i].number, {EntityKind::RoutingPoint, i}, "number");
    }
  }

  const EntityRef* find(const std::string& address) const {
    auto it = exact_.find(address);
    return it == exact_.end() ? nullptr : &it->second;
  }

  // A target must exist and must not be the entry itself.
  void check_target(EntityRef self, const std::string& field, const std::string& target) {
    const EntityRef* ref = find(target);
    if (target.empty()) {
      add(self.kind, self.index, field, "missing: an agent login, queue or routing-point number");
    } else if (!ref) {
      add(self.kind, self.index, field, "no agent, queue or routing point " + quoted(target));
    } else if (ref->kind == self.kind && ref->index == self.index) {
      add(self.kind, self.index, field, "must not be the entry itself");
    }
  }

  void check_queue_refs(std::size_t i) {
    const Queue& q = d_.queues[i];
    for (std::size_t m = 0; m < q.members.size(); ++m) {
      const std::string field = index_field("members", m);
      const EntityRef* ref = find(q.members[m]);
      if (!ref || ref->kind != EntityKind::Agent ||
          d_.agents[ref->index].login != q.members[m]) {
        add(EntityKind::Queue, i, field, "no agent with login " + quoted(q.members[m]));
      } else if (std::find(q.members.begin(), q.members.begin() + m, q.members[m]) !=
                 q.members.begin() + m) {
        add(EntityKind::Queue, i, field, quoted(q.members[m]) + " listed twice");
      }
    }
    if (!q.overflow.empty()) check_target({EntityKind::Queue, i}, "overflow", q.overflow);
  }

  void check_rp_refs(std::size_t i) {
    const RoutingPoint& rp = d_.routing_points[i];
    for (std::size_t r = 0; r < rp.rules.size(); ++r) {
      check_target({EntityKind::RoutingPoint, i}, index_field("rules", r) + ".target",
                   rp.rules[r].target);
    }
    if (!rp.default_target.empty()) {
      check_target({EntityKind::RoutingPoint, i}, "default", rp.default_target);
    }
  }

  // Queue overflows and routing-point defaults are unconditional: a chain of them that comes
  // back to its start would pass an interaction round for ever.
  std::optional<EntityRef> fallback_of(EntityRef ref) const {
    const std::string* next = nullptr;
    if (ref.kind == EntityKind::Queue) next = &d_.queues[ref.index].overflow;
    if (ref.kind == EntityKind::RoutingPoint) next = &d_.routing_points[ref.index].default_target;
    if (!next || next->empty()) return std::nullopt;
    const EntityRef* to = find(*next);
    if (!to || to->kind == EntityKind::Agent) return std::nullopt;
    if (to->kind == ref.kind && to->index == ref.index) return std::nullopt;  // reported already
    return *to;
  }

  std::string number_of(EntityRef ref) const {
    return ref.kind == EntityKind::Queue ? d_.queues[ref.index].number
                                         : d_.routing_points[ref.index].number;
  }

  void check_fallback_loops() {
    const std::size_t nq = d_.queues.size();
    std::vector<std::uint8_t> state(nq + d_.routing_points.size(), 0);  // 0 new, 1 on path, 2 done
    auto slot = [&](EntityRef r) { return r.kind == EntityKind::Queue ? r.index : nq + r.index; };
    auto walk_from = [&](EntityRef start) {
      std::vector<EntityRef> path;
      std::optional<EntityRef> at = start;
      while (at && state[slot(*at)] == 0) {
        state[slot(*at)] = 1;
        path.push_back(*at);
        at = fallback_of(*at);
      }
      if (at && state[slot(*at)] == 1) {
        std::string chain;
        bool in_loop = false;
        for (const EntityRef& r : path) {
          in_loop = in_loop || (r.kind == at->kind && r.index == at->index);
          if (in_loop) chain += number_of(r) + " -> ";
        }
        chain += number_of(*at);
        add(at->kind, at->index, at->kind == EntityKind::Queue ? "overflow" : "default",
            "loops back: " + chain +
                " (overflow and default routes must end at an agent or a queue without overflow)");
      }
      for (const EntityRef& r : path) state[slot(r)] = 2;
    };
    for (std::size_t i = 0; i < nq; ++i) walk_from({EntityKind::Queue, i});
    for (std::size_t i = 0; i < d_.routing_points.size(); ++i) {
      walk_from({EntityKind::RoutingPoint, i});
    }
  }

  DirectoryData& d_;
  std::vector<Problem> problems_;
  std::unordered_map<std::string, Owner> taken_;     // lowercase address -> first holder
  std::unordered_map<std::string, EntityRef> exact_;  // address as written -> holder
};

}  // namespace

std::vector<Problem> check(DirectoryData& data) { return Checker(data).run(); }

}  // namespace ims::sw::directory
