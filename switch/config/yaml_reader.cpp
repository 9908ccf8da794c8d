#include "switch/config/yaml_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/util/strings.hpp"

namespace ims::sw::config {

void YamlReader::error_at(int line0, std::string_view key, std::string_view reason) {
  if (line0 >= 0) {
    errors_.push_back(fmt::format("{}:{}: {}: {}", file_, line0 + 1, key, reason));
  } else {
    errors_.push_back(fmt::format("{}: {}: {}", file_, key, reason));
  }
}

void YamlReader::error(const YAML::Node& node, std::string_view key, std::string_view reason) {
  error_at(node.Mark().line, key, reason);
}

void YamlReader::error(std::string_view reason) {
  errors_.push_back(fmt::format("{}: {}", file_, reason));
}

std::string YamlReader::join(std::string_view section, std::string_view name) {
  if (section.empty()) return std::string(name);
  return fmt::format("{}.{}", section, name);
}

bool YamlReader::check_map(const YAML::Node& node, std::string_view key,
                           std::initializer_list<std::string_view> allowed) {
  if (!node || node.IsNull()) return false;
  if (!node.IsMap()) {
    error(node, key.empty() ? "(top level)" : key, "must be a map of keys");
    return false;
  }
  std::vector<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      error(kv.first, key, "keys must be plain names");
      continue;
    }
    const std::string name = kv.first.Scalar();
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      // yaml-cpp keeps the first and ignores the rest: a silent surprise.
      error(kv.first, join(key, name), "key given twice");
      continue;
    }
    seen.push_back(name);
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    if (!known) {
      // A typo must not silently fall back to a default.
      std::string expected;
      for (auto a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
      error(kv.first, join(key, name), "unknown key (expected one of: " + expected + ")");
    }
  }
  return true;
}

std::optional<std::string> YamlReader::scalar(const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) {
    error(node, key, "must be a single value");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::vector<std::string>> YamlReader::scalar_list(const YAML::Node& node,
                                                                std::string_view key) {
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) {
    error(node, key, "must be a value or a list of values");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto text = scalar(node[i], fmt::format("{}[{}]", key, i));
    if (!text) return std::nullopt;
    out.push_back(std::move(*text));
  }
  return out;
}

void YamlReader::read_uint(const YAML::Node& map, std::string_view section, std::string_view name,
                           std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  if (!map || !map.IsMap()) return;
  const YAML::Node node = map[std::string(name)];
  if (!node) return;
  const std::string key = join(section, name);
  auto text = scalar(node, key);
  if (!text) return;
  auto v = util::parse_uint(util::trim(*text));
  if (!v || *v < min || *v > max) {
    error(node, key, fmt::format("must be a whole number from {} to {}", min, max));
    return;
  }
  out = *v;
}

void YamlReader::read_string(const YAML::Node& map, std::string_view section,
                             std::string_view name, std::string& out) {
  if (!map || !map.IsMap()) return;
  const YAML::Node node = map[std::string(name)];
  if (!node) return;
  auto text = scalar(node, join(section, name));
  if (text) out = *text;
}

void YamlReader::read_bool(const YAML::Node& map, std::string_view section,
                           std::string_view name, bool& out) {
  if (!map || !map.IsMap()) return;
  const YAML::Node node = map[std::string(name)];
  if (!node) return;
  auto text = scalar(node, join(section, name));
  if (!text) return;
  const std::string_view t = util::trim(*text);
  for (std::string_view yes : {"true", "yes", "on"})
    if (util::iequals(t, yes)) return void(out = true);
  for (std::string_view no : {"false", "no", "off"})
    if (util::iequals(t, no)) return void(out = false);
  error(node, join(section, name), "must be true or false");
}

}  // namespace ims::sw::config
