#pragma once
// Internal to the config loader: the store, registrar, auth, proxy and im sections.

#include <yaml-cpp/yaml.h>

#include "switch/config/config.hpp"
#include "switch/config/yaml_reader.hpp"

namespace ims::sw::config {

void read_store(YamlReader& r, const YAML::Node& root, Store& out);
void read_registrar(YamlReader& r, const YAML::Node& root, Registrar& out);
void read_auth(YamlReader& r, const YAML::Node& root, Auth& out);
// Needs the timers: the fork timeout must end before the sender's Timer F (64*T1).
void read_proxy(YamlReader& r, const YAML::Node& root, const Timers& timers, Proxy& out);
void read_im(YamlReader& r, const YAML::Node& root, Im& out);
void read_http(YamlReader& r, const YAML::Node& root, Http& out);
// A list of digest algorithm names ("SHA-256", "MD5"; any case), each once, not empty: the
// algorithms in the order offered. nullopt after reporting an error at `key`.
std::optional<std::vector<auth::Algorithm>> read_digest_algorithms(YamlReader& r,
                                                                   const YAML::Node& n,
                                                                   const std::string& key);

}  // namespace ims::sw::config
