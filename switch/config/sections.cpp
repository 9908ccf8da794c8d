#include "switch/config/sections.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/util/strings.hpp"

namespace ims::sw::config {

namespace {

using std::uint64_t;

template <class Duration>
void read_duration(YamlReader& r, const YAML::Node& n, std::string_view section,
                   std::string_view name, uint64_t min, uint64_t max, Duration& out) {
  uint64_t v = static_cast<uint64_t>(out.count());
  r.read_uint(n, section, name, min, max, v);
  out = Duration(v);
}

void read_size(YamlReader& r, const YAML::Node& n, std::string_view section,
               std::string_view name, uint64_t min, uint64_t max, std::size_t& out) {
  uint64_t v = out;
  r.read_uint(n, section, name, min, max, v);
  out = static_cast<std::size_t>(v);
}

}  // namespace

std::optional<std::vector<auth::Algorithm>> read_digest_algorithms(YamlReader& r,
                                                                   const YAML::Node& n,
                                                                   const std::string& key) {
  auto names = r.scalar_list(n, key);
  if (!names) return std::nullopt;
  std::vector<auth::Algorithm> algorithms;
  bool ok = !names->empty();
  for (const auto& name : *names) {
    const auto alg = auth::parse_algorithm(name);
    if (!alg || std::find(algorithms.begin(), algorithms.end(), *alg) != algorithms.end()) {
      ok = false;
      break;
    }
    algorithms.push_back(*alg);
  }
  if (!ok) {
    r.error(n, key, "must list SHA-256 and/or MD5, each once, in the order offered");
    return std::nullopt;
  }
  return algorithms;
}

void read_store(YamlReader& r, const YAML::Node& root, Store& out) {
  const YAML::Node n = root["store"];
  if (!r.check_map(n, "store",
                   {"path", "synchronous", "message_expiry_s", "queue_limit", "commit_window_ms"}))
    return;
  r.read_string(n, "store", "path", out.path);
  if (n["path"] && util::trim(out.path).empty()) {
    r.error(n["path"], "store.path", "must not be empty");
  }
  std::string sync;
  r.read_string(n, "store", "synchronous", sync);
  if (!sync.empty()) {
    if (auto s = parse_synchronous(sync)) {
      out.synchronous = *s;
    } else {
      r.error(n["synchronous"], "store.synchronous", "must be full or normal");
    }
  }
  read_duration(r, n, "store", "message_expiry_s", 60, 31536000, out.message_expiry);
  read_size(r, n, "store", "queue_limit", 1, 1000000, out.queue_limit);
  std::uint64_t window = static_cast<std::uint64_t>(out.commit_window.count());
  r.read_uint(n, "store", "commit_window_ms", 0, 100, window);
  out.commit_window = std::chrono::milliseconds(window);
}

void read_registrar(YamlReader& r, const YAML::Node& root, Registrar& out) {
  const YAML::Node n = root["registrar"];
  if (!r.check_map(n, "registrar", {"min_expires_s", "max_expires_s", "default_expires_s",
                                    "max_contacts_per_agent"})) {
    return;
  }
  read_duration(r, n, "registrar", "min_expires_s", 1, 86400, out.min_expires);
  read_duration(r, n, "registrar", "max_expires_s", 1, 604800, out.max_expires);
  read_duration(r, n, "registrar", "default_expires_s", 1, 604800, out.default_expires);
  read_size(r, n, "registrar", "max_contacts_per_agent", 1, 1000, out.max_contacts_per_agent);
  if (out.max_expires < out.min_expires) {
    r.error(n, "registrar.max_expires_s", "must not be smaller than min_expires_s");
  }
  if (out.default_expires < out.min_expires || out.default_expires > out.max_expires) {
    r.error(n, "registrar.default_expires_s", "must lie between min_expires_s and max_expires_s");
  }
}

void read_auth(YamlReader& r, const YAML::Node& root, Auth& out) {
  const YAML::Node n = root["auth"];
  if (!r.check_map(n, "auth", {"nonce_lifetime_s", "max_tracked_nonces", "algorithms",
                                "md5_only_user_agents", "check_digest_uri"})) return;
  read_duration(r, n, "auth", "nonce_lifetime_s", 10, 86400, out.nonce_lifetime);
  read_size(r, n, "auth", "max_tracked_nonces", 100, 100000000, out.max_tracked_nonces);
  if (const YAML::Node a = n["algorithms"]) {
    if (auto algorithms = read_digest_algorithms(r, a, "auth.algorithms"))
      out.algorithms = std::move(*algorithms);
  }
  if (const YAML::Node u = n["md5_only_user_agents"]) {
    if (auto patterns = r.scalar_list(u, "auth.md5_only_user_agents")) {
      out.md5_only_user_agents.clear();
      for (const auto& p : *patterns) {
        if (util::trim(p).empty() || p.size() > 256) {
          r.error(u, "auth.md5_only_user_agents",
                  "each pattern must be 1 to 256 characters, e.g. \"baresip v1.*\"");
          break;
        }
        out.md5_only_user_agents.push_back(util::to_lower(p));
      }
    }
  }
  if (const YAML::Node c = n["check_digest_uri"]) {
    const auto text = r.scalar(c, "auth.check_digest_uri");
    if (text && (*text == "true" || *text == "false")) {
      out.check_digest_uri = *text == "true";
    } else if (text) {
      r.error(c, "auth.check_digest_uri", "must be true or false");
    }
  }
}

void read_proxy(YamlReader& r, const YAML::Node& root, const Timers& timers, Proxy& out) {
  const YAML::Node n = root["proxy"];
  const bool given = n && n.IsMap() && n["fork_timeout_ms"];
  if (r.check_map(n, "proxy", {"udp_size_limit", "fork_timeout_ms"})) {
    read_size(r, n, "proxy", "udp_size_limit", 500, 65507, out.udp_size_limit);
    read_duration(r, n, "proxy", "fork_timeout_ms", 100, 600000, out.fork_timeout);
  }
  // RFC 3261 §17.1.2.2: the sender gives up after 64*T1 (Timer F); its answer must come first.
  const auto timer_f = 64 * timers.t1;
  if (out.fork_timeout < timer_f) return;
  if (!given) {
    out.fork_timeout = 32 * timers.t1;  // the default follows a small T1
    return;
  }
  r.error(n["fork_timeout_ms"], "proxy.fork_timeout_ms",
          fmt::format("must be below 64*T1 = {} ms, the sender's Timer F (RFC 3261 §17.1.2.2)",
                      timer_f.count()));
}

void read_im(YamlReader& r, const YAML::Node& root, Im& out) {
  const YAML::Node n = root["im"];
  if (!r.check_map(n, "im", {"invite_timeout_s", "max_sessions", "default_state",
                              "publish_min_expires_s", "publish_max_expires_s", "max_misses",
                              "bridge_idle_s", "bridge_late_s", "subscribe_min_expires_s",
                              "subscribe_max_expires_s", "max_subscriptions_per_agent",
                              "max_subscriptions"})) {
    return;
  }
  read_duration(r, n, "im", "invite_timeout_s", 1, 600, out.invite_timeout);
  read_duration(r, n, "im", "bridge_idle_s", 1, 86400, out.bridge_idle);
  read_duration(r, n, "im", "bridge_late_s", 0, 86400, out.bridge_late);
  read_size(r, n, "im", "max_sessions", 1, 10000000, out.max_sessions);
  if (const YAML::Node d = n["default_state"]) {
    if (const auto state = r.scalar(d, "im.default_state")) {
      if (*state == "ready") {
        out.default_state = DefaultState::Ready;
      } else if (*state == "not_ready") {
        out.default_state = DefaultState::NotReady;
      } else {
        r.error(d, "im.default_state", "must be ready or not_ready");
      }
    }
  }
  // RFC 3903 §6 step 5: 423 is for intervals under an hour only, so a larger minimum is moot.
  read_duration(r, n, "im", "publish_min_expires_s", 1, 3600, out.publish_min_expires);
  read_duration(r, n, "im", "publish_max_expires_s", 1, 86400, out.publish_max_expires);
  if (out.publish_max_expires < out.publish_min_expires) {
    r.error(n, "im.publish_max_expires_s", "must not be smaller than publish_min_expires_s");
  }
  read_duration(r, n, "im", "subscribe_min_expires_s", 1, 3600, out.subscribe_min_expires);
  read_duration(r, n, "im", "subscribe_max_expires_s", 1, 86400, out.subscribe_max_expires);
  if (out.subscribe_max_expires < out.subscribe_min_expires) {
    r.error(n, "im.subscribe_max_expires_s", "must not be smaller than subscribe_min_expires_s");
  }
  read_size(r, n, "im", "max_subscriptions_per_agent", 1, 100000, out.max_subscriptions_per_agent);
  read_size(r, n, "im", "max_subscriptions", 1, 10000000, out.max_subscriptions);
  std::uint64_t misses = out.max_misses;
  r.read_uint(n, "im", "max_misses", 0, 100, misses);
  out.max_misses = static_cast<unsigned>(misses);
}

void read_http(YamlReader& r, const YAML::Node& root, Http& out) {
  const YAML::Node n = root["http"];
  if (!r.check_map(n, "http", {"listen", "admin_token", "max_body_bytes", "request_timeout_s",
                               "max_connections", "tls"}))
    return;
  std::string listen;
  r.read_string(n, "http", "listen", listen);
  if (n["listen"]) {
    if (util::iequals(util::trim(listen), "off")) {
      out.listen.reset();
    } else if (auto at = parse_endpoint_spec(util::trim(listen))) {
      out.listen = *at;
    } else {
      r.error(n["listen"], "http.listen",
              "must be an IP address and port (127.0.0.1:8080, [::1]:8080) or off");
    }
  }
  r.read_string(n, "http", "admin_token", out.admin_token);
  if (n["admin_token"] && !out.admin_token.empty() && out.admin_token.size() < 16) {
    r.error(n["admin_token"], "http.admin_token", "must be at least 16 characters (or empty)");
  }
  read_size(r, n, "http", "max_body_bytes", 1024, 64 << 20, out.max_body_bytes);
  read_duration(r, n, "http", "request_timeout_s", 1, 3600, out.request_timeout);
  read_size(r, n, "http", "max_connections", 1, 100000, out.max_connections);
  r.read_bool(n, "http", "tls", out.tls);
}

}  // namespace ims::sw::config
