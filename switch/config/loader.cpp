#include "switch/config/loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/util/strings.hpp"
#include "switch/config/directory_sources.hpp"
#include "switch/config/sections.hpp"
#include "switch/config/yaml_reader.hpp"

namespace ims::sw::config {

namespace {

using std::uint64_t;

// The config file itself; large directories belong in agents files (STYLE rule 9).
constexpr std::uint64_t kMaxConfigFileBytes = 16u << 20;

Error config_error(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

void read_listen(YamlReader& r, const YAML::Node& sip, Sip& out) {
  const YAML::Node list = sip["listen"];
  if (!list) {
    out.listen = default_listeners();
    return;
  }
  if (!list.IsSequence() || list.size() == 0) {
    r.error(list, "sip.listen", "must be a list of {transport, address, port}, at least one");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    const std::string key = fmt::format("sip.listen[{}]", i);
    if (!item.IsMap()) {
      r.error(item, key, "must be a map {transport, address, port}");
      continue;
    }
    if (!r.check_map(item, key, {"transport", "address", "port"})) continue;
    Listen l;
    bool ok = true;
    std::string transport = "udp";
    r.read_string(item, key, "transport", transport);
    if (auto p = transport::protocol_from_name(transport)) {
      l.protocol = *p;
    } else {
      r.error(item["transport"], key + ".transport", "must be udp, tcp, tls, ws or wss");
      ok = false;
    }
    if (!item["address"]) {
      r.error(item, key + ".address", "missing (an IP address, e.g. 0.0.0.0 or \"::\")");
      ok = false;
    } else {
      std::string address;
      r.read_string(item, key, "address", address);
      if (auto ip = transport::parse_ip(util::trim(address))) {
        l.endpoint.address = *ip;
      } else {
        r.error(item["address"], key + ".address",
                "must be an IPv4 or IPv6 address (host names are not resolved)");
        ok = false;
      }
    }
    uint64_t port = 5060;
    r.read_uint(item, key, "port", 0, 65535, port);
    l.endpoint.port = static_cast<std::uint16_t>(port);
    if (ok) out.listen.push_back(l);
  }
}

void read_limits(YamlReader& r, const YAML::Node& sip, sip::Limits& out,
                 std::size_t& max_transactions) {
  const YAML::Node n = sip["limits"];
  if (!n) return;
  if (!r.check_map(n, "sip.limits", {"max_header_bytes", "max_headers", "max_body_bytes",
                                     "max_vias", "max_transactions"})) return;
  uint64_t txns = max_transactions;
  r.read_uint(n, "sip.limits", "max_transactions", 1000, 10'000'000, txns);
  max_transactions = static_cast<std::size_t>(txns);
  uint64_t v = out.max_header_bytes;
  r.read_uint(n, "sip.limits", "max_header_bytes", 512, 1 << 20, v);
  out.max_header_bytes = v;
  v = out.max_headers;
  r.read_uint(n, "sip.limits", "max_headers", 8, 10000, v);
  out.max_headers = v;
  v = out.max_body_bytes;
  r.read_uint(n, "sip.limits", "max_body_bytes", 0, 64 << 20, v);
  out.max_body_bytes = v;
  v = out.max_vias;
  r.read_uint(n, "sip.limits", "max_vias", 1, 1000, v);
  out.max_vias = v;
}

void read_overload(YamlReader& r, const YAML::Node& sip, Overload& out) {
  const YAML::Node n = sip["overload"];
  if (!n) return;
  if (!r.check_map(n, "sip.overload",
                   {"max_queue_delay_ms", "trusted_queue_delay_ms", "retry_after_s",
                    "max_rejections_per_s", "unauthenticated_per_source_per_s",
                    "unauthenticated_burst", "max_limited_sources", "trusted_source_s"}))
    return;
  uint64_t v = out.max_queue_delay.count();
  r.read_uint(n, "sip.overload", "max_queue_delay_ms", 0, 60000, v);
  out.max_queue_delay = std::chrono::milliseconds(v);
  v = out.trusted_queue_delay.count();
  r.read_uint(n, "sip.overload", "trusted_queue_delay_ms", 0, 60000, v);
  out.trusted_queue_delay = std::chrono::milliseconds(v);
  v = out.retry_after.count();
  r.read_uint(n, "sip.overload", "retry_after_s", 1, 3600, v);
  out.retry_after = std::chrono::seconds(v);
  v = out.max_rejections_per_s;
  r.read_uint(n, "sip.overload", "max_rejections_per_s", 0, 1'000'000, v);
  out.max_rejections_per_s = v;
  v = out.unauthenticated_per_source_per_s;
  r.read_uint(n, "sip.overload", "unauthenticated_per_source_per_s", 0, 1'000'000, v);
  out.unauthenticated_per_source_per_s = v;
  v = out.unauthenticated_burst;
  r.read_uint(n, "sip.overload", "unauthenticated_burst", 1, 1'000'000, v);
  out.unauthenticated_burst = v;
  v = out.max_limited_sources;
  r.read_uint(n, "sip.overload", "max_limited_sources", 1, 10'000'000, v);
  out.max_limited_sources = v;
  v = out.trusted_source.count();
  r.read_uint(n, "sip.overload", "trusted_source_s", 0, 86400, v);
  out.trusted_source = std::chrono::seconds(v);
}

void read_timers(YamlReader& r, const YAML::Node& sip, Timers& out) {
  const YAML::Node n = sip["timers"];
  if (!n) return;
  if (!r.check_map(n, "sip.timers", {"t1_ms", "t2_ms", "t4_ms", "completed_linger_ms"})) return;
  uint64_t t1 = out.t1.count(), t2 = out.t2.count(), t4 = out.t4.count();
  uint64_t linger = out.completed_linger.count();
  r.read_uint(n, "sip.timers", "completed_linger_ms", 0, 600000, linger);
  out.completed_linger = std::chrono::milliseconds(linger);
  r.read_uint(n, "sip.timers", "t1_ms", 1, 60000, t1);
  r.read_uint(n, "sip.timers", "t2_ms", 1, 600000, t2);
  r.read_uint(n, "sip.timers", "t4_ms", 1, 600000, t4);
  if (t2 < t1) r.error(n, "sip.timers.t2_ms", "must not be smaller than t1_ms (RFC 3261 §17.1.2.2)");
  out.t1 = std::chrono::milliseconds(t1);
  out.t2 = std::chrono::milliseconds(t2);
  out.t4 = std::chrono::milliseconds(t4);
}

void read_tcp(YamlReader& r, const YAML::Node& sip, Tcp& out) {
  const YAML::Node n = sip["tcp"];
  if (!n) return;
  if (!r.check_map(n, "sip.tcp", {"idle_timeout_s", "handshake_timeout_s", "max_connections",
                                  "max_connections_per_address", "max_write_queue_bytes"})) {
    return;
  }
  uint64_t idle = out.idle_timeout.count();
  r.read_uint(n, "sip.tcp", "idle_timeout_s", 1, 86400, idle);
  out.idle_timeout = std::chrono::seconds(idle);
  uint64_t handshake = out.handshake_timeout.count();
  r.read_uint(n, "sip.tcp", "handshake_timeout_s", 1, 300, handshake);
  out.handshake_timeout = std::chrono::seconds(handshake);
  uint64_t v = out.max_connections;
  r.read_uint(n, "sip.tcp", "max_connections", 1, 1000000, v);
  out.max_connections = v;
  v = out.max_connections_per_address;
  r.read_uint(n, "sip.tcp", "max_connections_per_address", 1, 1000000, v);
  out.max_connections_per_address = v;
  v = out.max_write_queue_bytes;
  r.read_uint(n, "sip.tcp", "max_write_queue_bytes", 4096, uint64_t{1} << 30, v);
  out.max_write_queue_bytes = v;
}

void read_tls(YamlReader& r, const YAML::Node& sip, Tls& out) {
  const YAML::Node n = sip["tls"];
  if (!r.check_map(n, "sip.tls", {"certificate", "key", "client_ca", "verify_peers"})) return;
  r.read_string(n, "sip.tls", "certificate", out.certificate);
  r.read_string(n, "sip.tls", "key", out.key);
  r.read_string(n, "sip.tls", "client_ca", out.client_ca);
  r.read_bool(n, "sip.tls", "verify_peers", out.verify_peers);
  if (out.certificate.empty() != out.key.empty())
    r.error(n, "sip.tls", "certificate and key go together: set both, or neither for a "
                          "self-signed pair");
}

void read_websocket(YamlReader& r, const YAML::Node& sip, WebSocket& out) {
  const YAML::Node n = sip["websocket"];
  if (!r.check_map(n, "sip.websocket",
                   {"allowed_origins", "max_upgrade_bytes", "ping_interval_s", "demo_page",
                    "web_root"}))
    return;
  if (n["allowed_origins"]) {
    if (auto list = r.scalar_list(n["allowed_origins"], "sip.websocket.allowed_origins"))
      out.allowed_origins = std::move(*list);
  }
  uint64_t v = out.max_upgrade_bytes;
  r.read_uint(n, "sip.websocket", "max_upgrade_bytes", 1024, 65536, v);
  out.max_upgrade_bytes = v;
  v = out.ping_interval.count();
  r.read_uint(n, "sip.websocket", "ping_interval_s", 5, 3600, v);
  out.ping_interval = std::chrono::seconds(v);
  r.read_bool(n, "sip.websocket", "demo_page", out.demo_page);
  r.read_string(n, "sip.websocket", "web_root", out.web_root);
}

void read_log(YamlReader& r, const YAML::Node& root, Log& out) {
  const YAML::Node n = root["log"];
  if (!n) return;
  if (!r.check_map(n, "log", {"level"})) return;
  std::string level;
  r.read_string(n, "log", "level", level);
  if (level.empty()) return;
  if (auto l = parse_log_level(level)) {
    out.level = *l;
  } else {
    r.error(n["level"], "log.level", "must be one of trace, debug, info, warn, error, off");
  }
}

// At most this many problems are listed; a broken 20,000-line agents file must not flood the log.
constexpr std::size_t kMaxReportedErrors = 100;

Result<Config> read_root(YamlReader& r, const YAML::Node& root) {
  Config c;
  c.path = r.file();
  if (r.check_map(root, "", {"sip", "log", "store", "registrar", "auth", "proxy", "im", "http",
                              "directory"})) {
    const YAML::Node sip = root["sip"];
    if (r.check_map(sip, "sip", {"listen", "domains", "threads", "limits", "timers", "overload",
                                 "tcp", "tls", "websocket"})) {
      read_listen(r, sip, c.sip);
      std::uint64_t threads = c.sip.threads;
      r.read_uint(sip, "sip", "threads", 1, 64, threads);
      c.sip.threads = static_cast<std::size_t>(threads);
      read_limits(r, sip, c.sip.limits, c.sip.max_transactions);
      read_timers(r, sip, c.sip.timers);
      read_overload(r, sip, c.sip.overload);
      read_tcp(r, sip, c.sip.tcp);
      read_tls(r, sip, c.sip.tls);
      read_websocket(r, sip, c.sip.websocket);
    } else {
      c.sip.listen = default_listeners();
    }
    read_log(r, root, c.log);
    read_store(r, root, c.store);
    read_registrar(r, root, c.registrar);
    read_auth(r, root, c.auth);
    read_proxy(r, root, c.sip.timers, c.proxy);
    read_im(r, root, c.im);
    read_http(r, root, c.http);
    if (auto d = read_directory(r, root)) c.directory = std::move(d);
  } else {
    c.sip.listen = default_listeners();
  }
  if (!r.errors().empty()) {
    std::string all;
    const auto& errors = r.errors();
    for (std::size_t i = 0; i < errors.size() && i < kMaxReportedErrors; ++i) {
      all += (all.empty() ? "" : "\n") + errors[i];
    }
    if (errors.size() > kMaxReportedErrors) {
      all += fmt::format("\n... and {} more errors", errors.size() - kMaxReportedErrors);
    }
    return config_error(std::move(all));
  }
  return c;
}

}  // namespace

Result<Config> load_text(std::string_view text, const std::string& name) {
  YamlReader r(name);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return read_root(r, root);
  } catch (const YAML::Exception& e) {
    // Syntax errors carry the position; the message without yaml-cpp's own prefix.
    r.error_at(e.mark.line, "yaml", e.msg);
    return config_error(r.errors().back());
  }
}

Result<Config> load_file(const std::string& path) {
  auto text = read_text_file(path, kMaxConfigFileBytes);
  if (!text) return config_error(text.error().message);
  return load_text(*text, path);
}

}  // namespace ims::sw::config
