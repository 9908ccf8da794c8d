// Agents from YAML: entries of directory.agents, directory.generate ranges, and agents files.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "switch/config/directory_sources.hpp"
#include "switch/config/sections.hpp"

namespace ims::sw::config {

namespace {

namespace dir = directory;

void read_tasks(YamlReader& r, const YAML::Node& map, const std::string& key, Origin& o,
                directory::TaskList& tasks) {
  const YAML::Node n = map["tasks"];
  if (!n || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.error(n, key + ".tasks", "must be a list, e.g. [im, voice]");
    return;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string field = fmt::format("tasks[{}]", i);
    o.field_lines.emplace_back(field, n[i].Mark().line);
    if (auto t = r.scalar(n[i], key + "." + field)) out.push_back(std::move(*t));
  }
  tasks = std::move(out);
}

void read_skills(YamlReader& r, const YAML::Node& map, const std::string& key, Origin& o,
                 std::vector<dir::Skill>& out) {
  const YAML::Node n = map["skills"];
  if (!n || n.IsNull()) return;
  if (!n.IsMap()) {
    r.error(n, key + ".skills", "must be a map of skill: level, e.g. { billing: 5, french: 3 }");
    return;
  }
  for (const auto& kv : n) {
    auto name = r.scalar(kv.first, key + ".skills");
    if (!name) continue;
    const std::string field = "skills." + *name;
    o.field_lines.emplace_back(field, kv.second.Mark().line);
    auto text = r.scalar(kv.second, key + "." + field);
    if (!text) continue;
    auto level = util::parse_uint(util::trim(*text), dir::kMaxSkillLevel);
    if (!level) {
      r.error(kv.second, key + "." + field, "must be a level from 0 to 100");
      continue;
    }
    out.push_back(dir::Skill{*name, static_cast<unsigned>(*level)});
  }
}

void read_capacity(YamlReader& r, const YAML::Node& map, const std::string& key, Origin& o,
                   unsigned& out) {
  if (const YAML::Node n = map["im_capacity"]) {
    o.field_lines.emplace_back("im_capacity", n.Mark().line);
  }
  std::uint64_t v = out;
  r.read_uint(map, key, "im_capacity", dir::kMinImCapacity, dir::kMaxImCapacity, v);
  out = static_cast<unsigned>(v);
}

// The keys generate entries and agent maps share, apart from login.
void read_common(YamlReader& r, const YAML::Node& n, const std::string& key, Origin& o,
                 dir::Agent& a) {
  if (auto v = field_text(r, n, key, "display_name", o)) a.display_name = *v;
  if (auto v = field_text(r, n, key, "email", o)) a.email = *v;
  if (auto v = field_text(r, n, key, "phone", o)) a.phone = *v;
  if (auto v = field_text(r, n, key, "password", o)) a.credentials.password = *v;
  read_tasks(r, n, key, o, a.tasks);
  read_skills(r, n, key, o, a.skills);
  read_capacity(r, n, key, o, a.im_capacity);
  if (const YAML::Node d = n["digest_algorithms"]; d && !d.IsNull()) {
    o.field_lines.emplace_back("digest_algorithms", d.Mark().line);
    if (auto offered = read_digest_algorithms(r, d, key + ".digest_algorithms"))
      a.credentials.offered = std::move(*offered);
  }
}

// "{login}" and "{n}" in generate templates; any other "{...}" is an error.
std::optional<std::string> expand(std::string_view tpl, std::string_view login,
                                  std::string_view n) {
  std::string out;
  for (std::size_t i = 0; i < tpl.size();) {
    if (tpl[i] != '{') {
      out += tpl[i++];
      continue;
    }
    if (tpl.substr(i, 7) == "{login}") {
      out += login, i += 7;
    } else if (tpl.substr(i, 3) == "{n}") {
      out += n, i += 3;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

void read_yaml_agents_text(YamlReader& r, const std::string& text, const std::string& path,
                           Sources& out) {
  YamlReader fr(path);
  try {
    const YAML::Node root = YAML::Load(text);
    const std::uint32_t file = out.origins.add_file(path);
    if (!root || root.IsNull()) {
      fr.error("empty file: expected agents: [...]");
    } else if (fr.check_map(root, "", {"agents"})) {
      const YAML::Node list = root["agents"];
      if (!list || !list.IsSequence()) {
        fr.error(list ? list : root, "agents", "must be a list of agents");
      } else {
        for (std::size_t i = 0; i < list.size(); ++i) {
          read_yaml_agent(fr, list[i], fmt::format("agents[{}]", i), file, out);
        }
      }
    }
  } catch (const YAML::Exception& e) {
    fr.error_at(e.mark.line, "yaml", e.msg);
  }
  for (const auto& e : fr.errors()) r.add(e);
}

}  // namespace

std::optional<std::string> field_text(YamlReader& r, const YAML::Node& map,
                                      const std::string& key, const std::string& name,
                                      Origin& o) {
  const YAML::Node n = map[name];
  if (!n || n.IsNull()) return std::nullopt;
  o.field_lines.emplace_back(name, n.Mark().line);
  return r.scalar(n, YamlReader::join(key, name));
}

void read_yaml_agent(YamlReader& r, const YAML::Node& n, const std::string& key,
                     std::uint32_t file, Sources& out) {
  if (!n.IsMap()) {
    r.error(n, key, "must be a map {login, password, ...}");
    return;
  }
  r.check_map(n, key, {"login", "display_name", "email", "phone", "password", "ha1_md5",
                       "ha1_sha256", "tasks", "skills", "im_capacity", "digest_algorithms"});
  Origin& o = out.origins.add(dir::EntityKind::Agent, Origin{file, n.Mark().line, key, {}});
  dir::Agent a;
  if (auto v = field_text(r, n, key, "login", o)) a.login = *v;
  read_common(r, n, key, o, a);
  if (auto v = field_text(r, n, key, "ha1_md5", o)) a.credentials.ha1_md5 = *v;
  if (auto v = field_text(r, n, key, "ha1_sha256", o)) a.credentials.ha1_sha256 = *v;
  out.data.agents.push_back(std::move(a));
}

void read_generate(YamlReader& r, const YAML::Node& n, const std::string& key, std::uint32_t file,
                   Sources& out) {
  if (!n.IsMap()) {
    r.error(n, key, "must be a map {prefix, from, to, digits, password, ...}");
    return;
  }
  if (!r.check_map(n, key, {"prefix", "from", "to", "digits", "display_name", "email", "phone",
                            "password", "tasks", "skills", "im_capacity",
                            "digest_algorithms"})) {
    return;
  }
  const std::size_t errors_before = r.errors().size();
  Origin scratch{file, n.Mark().line, key, {}};
  dir::Agent tpl;
  read_common(r, n, key, scratch, tpl);
  std::string prefix;
  if (!n["prefix"]) r.error(n, key + ".prefix", "missing (e.g. prefix: agent)");
  r.read_string(n, key, "prefix", prefix);
  std::uint64_t from = 1, to = 0, digits = 0;
  r.read_uint(n, key, "from", 0, 999999999, from);
  if (!n["to"]) r.error(n, key + ".to", "missing: the last number of the range");
  r.read_uint(n, key, "to", 0, 999999999, to);
  r.read_uint(n, key, "digits", 0, 9, digits);
  if (!tpl.credentials.password) {
    r.error(n, key + ".password", "missing: a template such as \"pw-{login}\"");
  }
  if (n["to"] && to < from) r.error(n["to"], key + ".to", "must not be smaller than from");
  if (to >= from && to - from + 1 > kMaxGeneratedAgents) {
    r.error(n["to"], key + ".to", "at most 1000000 agents per generate entry");
  }
  if (digits > 0 && std::to_string(to).size() > digits) {
    r.error(n["digits"], key + ".digits", "is too small for the numbers up to 'to'");
  }
  for (const char* name : {"display_name", "email", "phone", "password"}) {
    if (const YAML::Node t = n[name]; t && t.IsScalar() && !expand(t.Scalar(), "", "")) {
      r.error(t, key + "." + name, "unknown placeholder: only {login} and {n} are replaced");
    }
  }
  if (r.errors().size() != errors_before) return;
  out.data.agents.reserve(out.data.agents.size() + (to - from + 1));
  for (std::uint64_t i = from; i <= to; ++i) {
    const std::string number = fmt::format("{:0{}}", i, digits);
    dir::Agent a = tpl;
    a.login = prefix + number;
    a.display_name = *expand(tpl.display_name, a.login, number);
    a.email = *expand(tpl.email, a.login, number);
    a.phone = *expand(tpl.phone, a.login, number);
    a.credentials.password = *expand(*tpl.credentials.password, a.login, number);
    out.origins.add(dir::EntityKind::Agent, Origin{file, n.Mark().line, key, {}});
    out.data.agents.push_back(std::move(a));
  }
}

void read_agents_files(YamlReader& r, const YAML::Node& node, const std::string& key,
                       const std::string& base_dir, Sources& out) {
  auto paths = r.scalar_list(node, key);
  if (!paths) return;
  for (const std::string& p : *paths) {
    std::filesystem::path path(util::trim(p));
    if (path.is_relative() && !base_dir.empty()) path = std::filesystem::path(base_dir) / path;
    const std::string name = path.lexically_normal().string();
    const std::string ext = util::to_lower(path.extension().string());
    const bool csv = ext == ".csv";
    if (!csv && ext != ".yaml" && ext != ".yml") {
      r.error(node, key, "'" + p + "': must end in .csv, .yaml or .yml");
      continue;
    }
    auto text = read_text_file(name, kMaxAgentsFileBytes);
    if (!text) {
      r.error(node, key, text.error().message);
    } else if (csv) {
      read_agents_csv(r, *text, name, out);
    } else {
      read_yaml_agents_text(r, *text, name, out);
    }
  }
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && util::is_lws(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !util::is_lws(text[i])) ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

Result<std::string> read_text_file(const std::string& path, std::uint64_t max_bytes) {
  auto fail = [&](std::string_view what) {
    return Error{std::make_error_code(std::errc::invalid_argument),
                 fmt::format("{}: {}", path, what)};
  };
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail("cannot open file");
  if (size > max_bytes) return fail(fmt::format("larger than {} bytes", max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail("cannot read file");
  return text.str();
}

}  // namespace ims::sw::config
