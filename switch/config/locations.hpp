#pragma once
// Where imswitch looks for its configuration and keeps its state when no --config is given, and
// what relative paths inside a config file mean. One build serves a checkout and an installed
// package: the answer depends on where the running binary lies, not on a compiled-in prefix.
//
//   checkout   the binary lies in the build folder it was compiled in: the config is
//              <source>/config/imswitch.yaml
//   installed  the binary is <prefix>/bin/imswitch: the config folder is /etc/imswitch and the
//              state folder /var/lib/imswitch when <prefix> ends in "usr" (/usr, or <root>/usr
//              in a throwaway root: <root>/etc/imswitch ...), else <prefix>/etc/imswitch and
//              <prefix>/var/lib/imswitch (/usr/local, /opt/imswitch)
//
// A relative path in a config file (store.path, sip.tls files, sip.websocket.web_root, agents
// files) starts at that file's folder, never at the caller's working directory; a relative
// store.path in the installed config folder starts at the state folder instead (/etc is no
// place for a database, and a hardened service cannot write there).
//
// The functions over paths are plain values (tests give any layout); running_binary() and
// choose_config() look at the file system.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.hpp"
#include "switch/config/config.hpp"

namespace ims::sw::config {

enum class Layout : std::uint8_t { Checkout, Installed };

struct Locations {
  Layout layout = Layout::Checkout;
  std::filesystem::path config_file;  // the config read when --config is not given
  std::filesystem::path config_dir;   // its folder
  std::filesystem::path state_dir;    // installed: relative store paths of config_dir's files
  std::filesystem::path web_root;     // sip.websocket.web_root when the config leaves it empty
};

// The locations for a binary at `binary` (absolute, symlinks resolved), built in `build_dir`
// from `source_dir`.
Locations locate(const std::filesystem::path& binary, const std::filesystem::path& build_dir,
                 const std::filesystem::path& source_dir);

// The running program's own file (/proc/self/exe), symlinks resolved.
Result<std::filesystem::path> running_binary();

// Why a config file was read: named on the command line, or found in the default place.
enum class ConfigSource : std::uint8_t { Given, Installed, Checkout };
std::string_view config_source_name(ConfigSource source);

struct ConfigChoice {
  std::string path;  // as given, or the default file's absolute path
  ConfigSource source = ConfigSource::Given;
};

// `given` (--config) when set, as it is; else the default file of `at`, which must exist. The
// error names the places looked in and says how to give one.
Result<ConfigChoice> choose_config(const std::optional<std::string>& given,
                                   const Locations& at);

// Makes the relative file paths of `config` (loaded from config.path) absolute as the header
// says, and fills an empty web_root with at.web_root.
void resolve_paths(Config& config, const Locations& at);

}  // namespace ims::sw::config
