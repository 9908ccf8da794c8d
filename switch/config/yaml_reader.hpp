#pragma once
// YamlReader: typed, exception-free access to a yaml-cpp tree for the config loader. Every
// problem is collected as "<file>:<line>: <key>: <reason>" (line 1-based) so one run of
// --check-config reports all of them. yaml-cpp's exceptions stop here (STYLE rule 8).
//
// Keys are dotted paths for people: "sip.listen[1].port".

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace ims::sw::config {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Records an error at node's line.
  void error(const YAML::Node& node, std::string_view key, std::string_view reason);
  // Records an error without a line (file-level).
  void error(std::string_view reason);
  // Records an error at a known 0-based line (yaml-cpp's Mark).
  void error_at(int line0, std::string_view key, std::string_view reason);

  // Records a message already in "<file>:<line>: <key>: <reason>" form (another file's reader).
  void add(std::string message) { errors_.push_back(std::move(message)); }

  // Reports each key of node that is not in `allowed` or appears twice, or node itself when it
  // is not a map.
  // True when node is a map the caller can read (unknown keys are reported, not fatal, so that
  // one run shows every error); false when it is absent, null or not a map.
  bool check_map(const YAML::Node& node, std::string_view key,
                 std::initializer_list<std::string_view> allowed);

  // Reads map[name] into out when present. Wrong types and ranges are errors; out is left
  // unchanged then.
  void read_uint(const YAML::Node& map, std::string_view section, std::string_view name,
                 std::uint64_t min, std::uint64_t max, std::uint64_t& out);
  void read_string(const YAML::Node& map, std::string_view section, std::string_view name,
                   std::string& out);
  // true/false (also yes/no, on/off, as YAML 1.1 spells them).
  void read_bool(const YAML::Node& map, std::string_view section, std::string_view name,
                 bool& out);

  // A scalar's text, or nullopt (and an error) for a sequence or map.
  std::optional<std::string> scalar(const YAML::Node& node, std::string_view key);
  // A scalar or a list of scalars as a list (lists of names: "caller", "days").
  std::optional<std::vector<std::string>> scalar_list(const YAML::Node& node, std::string_view key);

  static std::string join(std::string_view section, std::string_view name);

  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

}  // namespace ims::sw::config
