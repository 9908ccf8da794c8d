#include "switch/config/locations.hpp"

#include <system_error>

#include <fmt/format.h>

namespace ims::sw::config {

namespace fs = std::filesystem;

namespace {

// Is `p` inside folder `dir`? By whole path components: /b/build2 is not inside /b/build.
bool is_inside(const fs::path& p, const fs::path& dir) {
  const fs::path rel = p.lexically_normal().lexically_relative(dir.lexically_normal());
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

// The absolute, normalised form of `p` with symlinks resolved as far as the path exists; `p` as
// it is when the file system cannot say.
fs::path real(const fs::path& p) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : out;
}

// `p` made absolute against `base` when relative; empty stays empty.
std::string against(const fs::path& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

}  // namespace

Locations locate(const fs::path& binary, const fs::path& build_dir, const fs::path& source_dir) {
  Locations at;
  if (is_inside(binary, build_dir)) {
    at.layout = Layout::Checkout;
    at.config_dir = source_dir / "config";
    at.config_file = at.config_dir / "imswitch.yaml";
    // Where `npm ci` in tools/web puts JsSIP.
    at.web_root = source_dir / "tools/web/node_modules/jssip/dist";
    return at;
  }
  // <prefix>/bin/imswitch
  const fs::path prefix = binary.parent_path().parent_path();
  const fs::path root = prefix.filename() == "usr" ? prefix.parent_path() : prefix;
  at.layout = Layout::Installed;
  at.config_dir = root / "etc/imswitch";
  at.config_file = at.config_dir / "imswitch.yaml";
  at.state_dir = root / "var/lib/imswitch";
  at.web_root = prefix / "share/imswitch/web";
  return at;
}

Result<fs::path> running_binary() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return Error{ec, "cannot find the running program (/proc/self/exe): " + ec.message()};
  }
  return real(self);
}

std::string_view config_source_name(ConfigSource source) {
  switch (source) {
    case ConfigSource::Given: return "given with --config";
    case ConfigSource::Installed: return "installed: the default for an installed binary";
    case ConfigSource::Checkout: return "checkout: the default for a binary in its build folder";
  }
  return "given with --config";
}

Result<ConfigChoice> choose_config(const std::optional<std::string>& given, const Locations& at) {
  if (given) return ConfigChoice{*given, ConfigSource::Given};
  const ConfigSource source =
      at.layout == Layout::Installed ? ConfigSource::Installed : ConfigSource::Checkout;
  std::error_code ec;
  if (fs::is_regular_file(at.config_file, ec)) {
    return ConfigChoice{at.config_file.string(), source};
  }
  const std::string why =
      at.layout == Layout::Installed
          ? "the place for an installed imswitch"
          : "the place for an imswitch run from the build folder of a checkout";
  return Error{std::make_error_code(std::errc::no_such_file_or_directory),
               fmt::format("no configuration file: looked for {} ({}); give one with "
                           "--config FILE",
                           at.config_file.string(), why)};
}

void resolve_paths(Config& config, const Locations& at) {
  const fs::path folder = fs::absolute(fs::path(config.path)).lexically_normal().parent_path();
  const bool in_installed_folder =
      at.layout == Layout::Installed && real(folder) == real(at.config_dir);
  Store& store = config.store;
  if (store.path != ":memory:") {
    store.path = against(in_installed_folder ? at.state_dir : folder, store.path);
  }
  Tls& tls = config.sip.tls;
  tls.certificate = against(folder, tls.certificate);
  tls.key = against(folder, tls.key);
  tls.client_ca = against(folder, tls.client_ca);
  WebSocket& ws = config.sip.websocket;
  ws.web_root = ws.web_root.empty() ? at.web_root.string() : against(folder, ws.web_root);
}

}  // namespace ims::sw::config
