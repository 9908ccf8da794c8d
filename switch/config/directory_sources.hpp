#pragma once
// Internal to the config loader: the pieces that read the directory from YAML nodes and from
// agents files (CSV or YAML) into DirectoryData, keeping each entry's Origin so that
// Directory::build's problems come out as "<file>:<line>: <key>: <reason>".

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "switch/config/origins.hpp"
#include "switch/config/yaml_reader.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::config {

// Bounds on what one agents file and one generate entry may bring in (STYLE rule 9).
inline constexpr std::uint64_t kMaxAgentsFileBytes = 64u << 20;
inline constexpr std::uint64_t kMaxGeneratedAgents = 1000000;

struct Sources {
  directory::DirectoryData data;
  Origins origins;
};

// map[name] as text, its line noted in o; absent and null (`phone: ~`) are "not given".
std::optional<std::string> field_text(YamlReader& r, const YAML::Node& map,
                                      const std::string& key, const std::string& name,
                                      Origin& o);

// One agent map {login, password, ...}; key names it in messages ("directory.agents[3]").
void read_yaml_agent(YamlReader& r, const YAML::Node& node, const std::string& key,
                     std::uint32_t file, Sources& out);

// One directory.generate entry: agents <prefix><n> for n in from..to.
void read_generate(YamlReader& r, const YAML::Node& node, const std::string& key,
                   std::uint32_t file, Sources& out);

// directory.agents_file: one path or a list; each relative to base_dir, read as CSV (.csv) or
// YAML (.yaml, .yml). Problems in those files name those files.
void read_agents_files(YamlReader& r, const YAML::Node& node, const std::string& key,
                       const std::string& base_dir, Sources& out);

// Agents from CSV text (header row first; see config/agents-example.csv). Problems are added to
// r under `file_name`.
void read_agents_csv(YamlReader& r, std::string_view text, const std::string& file_name,
                     Sources& out);

// Words separated by spaces or tabs: CSV task lists ("im voice"), skill lists ("billing:5").
std::vector<std::string> split_words(std::string_view text);

// Reads a whole file of at most `max_bytes`.
Result<std::string> read_text_file(const std::string& path, std::uint64_t max_bytes);

// sip.domains and the directory section of the config root; agents files are found relative
// to the directory of r.file(). Problems go to r; the directory is null when there were any in
// the directory itself.
std::shared_ptr<const directory::Directory> read_directory(YamlReader& r, const YAML::Node& root);

}  // namespace ims::sw::config
