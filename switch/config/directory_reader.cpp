// The directory section of the config and sip.domains: queues and routing points here, agents in
// agent_reader.cpp and csv_agents.cpp; then Directory::build's checks, placed at file:line:key.

#include <filesystem>

#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "switch/config/directory_sources.hpp"

namespace ims::sw::config {

namespace {

namespace dir = directory;

void read_domains(YamlReader& r, const YAML::Node& root, Sources& s) {
  const YAML::Node sip = root["sip"];
  const YAML::Node n = sip && sip.IsMap() ? sip["domains"] : YAML::Node();
  if (!n || n.IsNull()) {
    s.data.domains = dir::default_domains();
    return;
  }
  if (!n.IsSequence() || n.size() == 0) {
    r.error(n, "sip.domains", "must be a list of host names or addresses, at least one");
    s.data.domains = dir::default_domains();
    return;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string key = fmt::format("sip.domains[{}]", i);
    auto text = r.scalar(n[i], key);
    if (!text) continue;
    s.origins.add(dir::EntityKind::Domain, Origin{0, n[i].Mark().line, key, {}});
    s.data.domains.emplace_back(util::trim(*text));
  }
}

void read_members(YamlReader& r, const YAML::Node& n, const std::string& key, Origin& o,
                  dir::Queue& q) {
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.error(n, key + ".members", "must be a list of agent logins");
    return;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string field = fmt::format("members[{}]", i);
    o.field_lines.emplace_back(field, n[i].Mark().line);
    if (auto login = r.scalar(n[i], key + "." + field)) q.members.push_back(std::move(*login));
  }
}

void read_queue(YamlReader& r, const YAML::Node& n, const std::string& key, Sources& s) {
  if (!n.IsMap()) {
    r.error(n, key, "must be a map {number, name, members, ...}");
    return;
  }
  r.check_map(n, key, {"number", "name", "members", "skills", "distribution", "wait_limit_s",
                       "overflow", "no_answer_s", "max_waiting"});
  Origin& o = s.origins.add(dir::EntityKind::Queue, Origin{0, n.Mark().line, key, {}});
  dir::Queue q;
  if (auto v = field_text(r, n, key, "number", o)) q.number = *v;
  if (auto v = field_text(r, n, key, "name", o)) q.name = *v;
  read_members(r, n["members"], key, o, q);
  if (auto v = field_text(r, n, key, "skills", o)) {
    if (auto e = dir::SkillExpr::parse(*v)) {
      q.skills = std::move(e).value();
    } else {
      r.error(n["skills"], key + ".skills", e.error().message);
    }
  }
  if (auto v = field_text(r, n, key, "distribution", o)) {
    if (auto d = dir::parse_distribution(*v)) {
      q.distribution = *d;
    } else {
      r.error(n["distribution"], key + ".distribution",
              "must be longest_idle, round_robin or least_busy");
    }
  }
  std::uint64_t wait = q.wait_limit_s;
  r.read_uint(n, key, "wait_limit_s", 1, dir::kMaxWaitLimitS, wait);
  q.wait_limit_s = static_cast<unsigned>(wait);
  std::uint64_t no_answer = q.no_answer_s, max_waiting = q.max_waiting;
  r.read_uint(n, key, "no_answer_s", 1, dir::kMaxNoAnswerS, no_answer);
  r.read_uint(n, key, "max_waiting", 1, dir::kMaxWaiting, max_waiting);
  q.no_answer_s = static_cast<unsigned>(no_answer);
  q.max_waiting = static_cast<unsigned>(max_waiting);
  if (auto v = field_text(r, n, key, "overflow", o)) q.overflow = *v;
  s.data.queues.push_back(std::move(q));
}

void read_match(YamlReader& r, const YAML::Node& n, const std::string& key,
                const std::string& field, Origin& o, dir::RouteMatch& m) {
  if (const YAML::Node c = n["caller"]; c && !c.IsNull()) {
    o.field_lines.emplace_back(field + ".caller", c.Mark().line);
    if (auto list = r.scalar_list(c, key + ".caller")) m.callers = std::move(*list);
  }
  if (const YAML::Node sk = n["skill"]; sk && !sk.IsNull()) {
    o.field_lines.emplace_back(field + ".skill", sk.Mark().line);
    if (auto v = r.scalar(sk, key + ".skill")) m.skill = *v;
  }
  if (const YAML::Node cd = n["case_data"]; cd && !cd.IsNull()) {
    if (!cd.IsMap()) {
      r.error(cd, key + ".case_data", "must be a map of key: value (\"*\": any value)");
    } else {
      for (const auto& kv : cd) {
        auto k = r.scalar(kv.first, key + ".case_data");
        auto v = k ? r.scalar(kv.second, key + ".case_data." + *k) : std::nullopt;
        if (!k || !v) continue;
        o.field_lines.emplace_back(field + ".case_data." + *k, kv.second.Mark().line);
        m.case_data.emplace_back(*k, *v);
      }
    }
  }
  const YAML::Node time = n["time"], days = n["days"];
  if ((time && !time.IsNull()) || (days && !days.IsNull())) m.time.emplace();
  if (auto v = time ? r.scalar(time, key + ".time") : std::nullopt) {
    if (auto ok = m.time->set_hours(util::trim(*v)); !ok) {
      r.error(time, key + ".time", ok.error().message);
    }
  }
  if (auto list = days && !days.IsNull() ? r.scalar_list(days, key + ".days") : std::nullopt) {
    for (const std::string& d : *list) {
      if (auto ok = m.time->add_days(d); !ok) r.error(days, key + ".days", ok.error().message);
    }
  }
}

void read_routing_point(YamlReader& r, const YAML::Node& n, const std::string& key, Sources& s) {
  if (!n.IsMap()) {
    r.error(n, key, "must be a map {number, name, rules, default}");
    return;
  }
  r.check_map(n, key, {"number", "name", "rules", "default"});
  Origin& o = s.origins.add(dir::EntityKind::RoutingPoint, Origin{0, n.Mark().line, key, {}});
  dir::RoutingPoint rp;
  if (auto v = field_text(r, n, key, "number", o)) rp.number = *v;
  if (auto v = field_text(r, n, key, "name", o)) rp.name = *v;
  if (auto v = field_text(r, n, key, "default", o)) rp.default_target = *v;
  const YAML::Node rules = n["rules"];
  if (rules && !rules.IsNull() && !rules.IsSequence()) {
    r.error(rules, key + ".rules", "must be a list of {match conditions..., target}");
  } else if (rules) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const YAML::Node rule = rules[i];
      const std::string field = fmt::format("rules[{}]", i);
      const std::string rule_key = key + "." + field;
      if (!rule.IsMap()) {
        r.error(rule, rule_key, "must be a map {caller, skill, case_data, time, days, target}");
        continue;
      }
      r.check_map(rule, rule_key, {"caller", "skill", "case_data", "time", "days", "target"});
      o.field_lines.emplace_back(field, rule.Mark().line);
      dir::RouteRule rr;
      read_match(r, rule, rule_key, field, o, rr.match);
      if (const YAML::Node t = rule["target"]; t && !t.IsNull()) {
        o.field_lines.emplace_back(field + ".target", t.Mark().line);
        if (auto v = r.scalar(t, rule_key + ".target")) rr.target = *v;
      }
      rp.rules.push_back(std::move(rr));
    }
  }
  s.data.routing_points.push_back(std::move(rp));
}

// A list under `name` in the directory section, each item read by `read`.
template <class F>
void for_each_item(YamlReader& r, const YAML::Node& section, const char* name, F read) {
  const YAML::Node list = section[name];
  if (!list || list.IsNull()) return;
  const std::string key = std::string("directory.") + name;
  if (!list.IsSequence()) {
    r.error(list, key, "must be a list");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) read(list[i], fmt::format("{}[{}]", key, i));
}

}  // namespace

std::shared_ptr<const dir::Directory> read_directory(YamlReader& r, const YAML::Node& root) {
  Sources s;
  s.origins.add_file(r.file());  // file 0: the config itself
  read_domains(r, root, s);
  const YAML::Node section = root && root.IsMap() ? root["directory"] : YAML::Node();
  if (r.check_map(section, "directory",
                  {"agents", "generate", "agents_file", "queues", "routing_points"})) {
    for_each_item(r, section, "agents", [&](const YAML::Node& n, const std::string& key) {
      read_yaml_agent(r, n, key, 0, s);
    });
    for_each_item(r, section, "generate", [&](const YAML::Node& n, const std::string& key) {
      read_generate(r, n, key, 0, s);
    });
    if (const YAML::Node files = section["agents_file"]; files && !files.IsNull()) {
      const std::string base = std::filesystem::path(r.file()).parent_path().string();
      read_agents_files(r, files, "directory.agents_file", base, s);
    }
    for_each_item(r, section, "queues", [&](const YAML::Node& n, const std::string& key) {
      read_queue(r, n, key, s);
    });
    for_each_item(r, section, "routing_points", [&](const YAML::Node& n, const std::string& key) {
      read_routing_point(r, n, key, s);
    });
  }
  dir::Directory::Built built = dir::Directory::build(std::move(s.data));
  for (const dir::Problem& p : built.problems) r.add(s.origins.format(p));
  return built.directory;
}

}  // namespace ims::sw::config
