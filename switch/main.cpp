// imswitch: the SIP instant-messaging switch. Command line, configuration, logging; the work is
// done by sw::app::Application.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "ims_version.hpp"

#include "switch/app/application.hpp"
#include "switch/app/transcripts.hpp"
#include "switch/config/config.hpp"
#include "switch/config/loader.hpp"
#include "switch/config/locations.hpp"
#include "switch/store/schema.hpp"

namespace {

namespace cfg = ims::sw::config;
using cfg::LogLevel;

// "imswitch 0.2.0 (git 1a2b3c4d, store schema 6)": what an operator quotes in a report, and the
// store version this binary migrates files to.
std::string version_line() {
  return fmt::format("imswitch {} (git {}, store schema {})", ims::build::kVersion,
                     ims::build::kGitRevision, ims::sw::store::schema_version());
}

// Where this binary looks for its config: by its own location (switch/config/locations.hpp).
cfg::Locations own_locations() {
  auto self = cfg::running_binary();
  const std::filesystem::path binary =
      self ? self.value() : std::filesystem::path("/proc/self/exe is unreadable");
  std::error_code ec;
  std::filesystem::path build = std::filesystem::weakly_canonical(IMS_BINARY_DIR, ec);
  if (ec) build = IMS_BINARY_DIR;
  return cfg::locate(binary, build, IMS_SOURCE_DIR);
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::Trace: return spdlog::level::trace;
    case LogLevel::Debug: return spdlog::level::debug;
    case LogLevel::Info: return spdlog::level::info;
    case LogLevel::Warn: return spdlog::level::warn;
    case LogLevel::Error: return spdlog::level::err;
    case LogLevel::Off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

void setup_logging(LogLevel level) {
  // One line per event on stderr: time, level, text.
  auto logger = spdlog::stderr_color_mt("imswitch");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Whether the switch is to listen on a port that only a privileged process may bind.
bool low_port(const ims::sw::config::Config& config) {
  for (const auto& l : config.sip.listen)
    if (l.endpoint.port != 0 && l.endpoint.port < 1024) return true;
  return config.http.listen && config.http.listen->port != 0 && config.http.listen->port < 1024;
}

struct Cli {
  std::string config_path;
  std::vector<std::string> listen;
  std::string ports_file;
  std::string http;
  std::string log_level;
  std::string store_path;
  bool check_config = false;
  std::size_t transcripts = 0;
  std::size_t threads = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Cli cli;
  const cfg::Locations locations = own_locations();
  CLI::App app{"imswitch: SIP instant-messaging switch (registrar, proxy and IM sessions)"};
  app.set_version_flag("--version", version_line(),
                       "Print \"imswitch <version> (git <revision>, store schema <n>)\" and exit");
  auto* config_option = app.add_option(
      "-c,--config", cli.config_path,
      "YAML configuration file; a relative path starts at the current directory. Without it: "
      "/etc/imswitch/imswitch.yaml when installed in /usr (<prefix>/etc/imswitch/imswitch.yaml "
      "for another prefix), <source>/config/imswitch.yaml when run from the build folder. "
      "This binary's: " + locations.config_file.string() + ". Relative paths inside the file "
      "start at its folder (store.path in /etc/imswitch: at /var/lib/imswitch)");
  app.add_option("--listen", cli.listen,
                 "transport:address:port to listen on, replacing the config's sip.listen; "
                 "repeatable. IPv6 in brackets; port 0 picks a free port. "
                 "Examples: udp:127.0.0.1:5060, tcp:[::1]:0");
  app.add_option("--http", cli.http,
                 "address:port of the HTTP/JSON API, replacing the config's http.listen, or off. "
                 "IPv6 in brackets; port 0 picks a free port. Example: 127.0.0.1:8080");
  app.add_option("--ports-file", cli.ports_file,
                 "After binding, write one line per listener, \"<transport> <address> <port>\" "
                 "(e.g. \"udp 127.0.0.1 40312\"; the API's is \"http ...\"), atomically "
                 "(temporary file + rename)");
  app.add_option("--store", cli.store_path,
                 "SQLite file for registrations and stored messages, replacing the config's "
                 "store.path (created if missing); a relative path starts at the current "
                 "directory");
  app.add_option("--threads", cli.threads,
                 "SIP cores (threads), replacing the config's sip.threads: each runs a share of "
                 "the SIP work, divided by Call-ID; every core listens on every listener")
      ->check(CLI::Range(1, 64));
  app.add_option("--log-level", cli.log_level,
                 "trace, debug, info, warn, error or off; overrides the config's log.level");
  app.add_option("--transcripts", cli.transcripts,
                 "Print the last N IM sessions kept in the store (newest first) with every "
                 "message, its time (UTC) and sender, then exit; works while the switch runs")
      ->check(CLI::Range(1, 100000));
  app.add_flag("--check-config", cli.check_config,
               "Validate the configuration (and --listen), print \"config OK: <path>\" or each "
               "error as file:line: key: reason, and exit 0 or 1");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  std::optional<std::string> given;
  if (config_option->count() > 0) given = cli.config_path;
  auto chosen = cfg::choose_config(given, locations);
  if (!chosen) {
    std::cerr << chosen.error().message << "\n";
    return 1;
  }
  const std::string& config_path = chosen->path;
  auto loaded = cfg::load_file(config_path);
  bool ok = loaded.ok();
  if (!ok) std::cerr << loaded.error().message << "\n";
  cfg::Config config = ok ? loaded.value() : cfg::Config{};
  config.path = config_path;
  cfg::resolve_paths(config, locations);

  if (!cli.listen.empty()) {
    config.sip.listen.clear();
    for (const auto& spec : cli.listen) {
      if (auto l = cfg::parse_listen_spec(spec)) {
        config.sip.listen.push_back(*l);
      } else {
        std::cerr << "--listen " << spec
                  << ": expected transport:address:port, e.g. udp:127.0.0.1:5060 or tcp:[::1]:0\n";
        ok = false;
      }
    }
  }
  if (!cli.http.empty()) {
    if (cli.http == "off") {
      config.http.listen.reset();
    } else if (auto at = cfg::parse_endpoint_spec(cli.http)) {
      config.http.listen = *at;
    } else {
      std::cerr << "--http " << cli.http << ": expected address:port (e.g. 127.0.0.1:8080) or off\n";
      ok = false;
    }
  }
  if (!cli.store_path.empty()) config.store.path = cli.store_path;
  if (cli.threads > 0) config.sip.threads = cli.threads;
  if (!cli.log_level.empty()) {
    if (auto level = cfg::parse_log_level(cli.log_level)) {
      config.log.level = *level;
    } else {
      std::cerr << "--log-level " << cli.log_level
                << ": expected trace, debug, info, warn, error or off\n";
      ok = false;
    }
  }
  if (cli.transcripts > 0) {
    if (!ok) return 1;
    auto printed = ims::sw::app::print_transcripts(config.store.path, cli.transcripts, std::cout);
    if (!printed) std::cerr << printed.error().message << "\n";
    return printed ? 0 : 1;
  }
  if (cli.check_config) {
    if (ok) std::cout << "config OK: " << config_path << "\n";
    return ok ? 0 : 1;
  }
  if (!ok) return 1;

  setup_logging(config.log.level);
  spdlog::info("{} starting, config {} ({})", version_line(), config_path,
               cfg::config_source_name(chosen->source));
  auto created = ims::sw::app::Application::create(config);
  if (!created) {
    spdlog::error("cannot start: {}", created.error().message);
    if (created.error().code == std::errc::permission_denied && low_port(config)) {
      spdlog::error("a port below 1024 needs the CAP_NET_BIND_SERVICE capability (or root). For "
                    "the imswitch service: `systemctl edit imswitch`, add [Service] "
                    "AmbientCapabilities=CAP_NET_BIND_SERVICE and "
                    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE, then restart it");
    }
    return 1;
  }
  auto& application = *created.value();
  if (!cli.ports_file.empty()) {
    auto written = ims::sw::app::write_ports_file(cli.ports_file, application.listeners(),
                                                  application.http_endpoint());
    if (!written) {
      spdlog::error("ports file: {}", written.error().message);
      return 1;
    }
  }
  application.run();
  return 0;
}
