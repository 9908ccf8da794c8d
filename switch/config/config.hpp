#pragma once
// imswitch's configuration as values: one struct per section of the YAML file. Defaults here are
// the defaults of a key left out; config/imswitch.yaml documents each key. The directory (agents,
// queues, routing points and sip.domains) is built and validated here too, and is the one part a
// reload (SIGHUP) replaces: see reload.hpp.

#include <chrono>
#include <memory>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/digest.hpp"
#include "common/sip/limits.hpp"
#include "common/transport/types.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::config {

// sip.listen[]: one socket to bind. Port 0 lets the system pick.
struct Listen {
  transport::Protocol protocol = transport::Protocol::Udp;
  transport::Endpoint endpoint;
};

// sip.timers: RFC 3261 §17.1.1.1 timer bases.
struct Timers {
  std::chrono::milliseconds t1{500};
  std::chrono::milliseconds t2{4000};
  std::chrono::milliseconds t4{5000};
  std::chrono::milliseconds completed_linger{0};  // 0: RFC 3261's 64*T1 for Timer J
};

// sip.tcp: bounds on connections (STYLE rule 9).
struct Tcp {
  std::chrono::seconds idle_timeout{300};
  // A connection not set up by then (TCP connect, TLS handshake, WebSocket upgrade) is closed.
  std::chrono::seconds handshake_timeout{10};
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 100;
  std::size_t max_write_queue_bytes = 1 << 20;
};

// sip.tls: the identity of the tls and wss listeners (RFC 3261 §26.3.1, RFC 5630).
// Relative file names start at the config file's folder (locations.hpp).
struct Tls {
  std::string certificate;     // PEM chain; empty: self-signed, generated into the store's folder
  std::string key;             // PEM; set together with certificate
  std::string client_ca;       // when set, TLS clients must present a certificate chained to it
  bool verify_peers = false;   // check the certificate of a device the switch connects to
};

// sip.websocket: the ws and wss listeners (RFC 7118).
struct WebSocket {
  std::vector<std::string> allowed_origins;  // empty: any
  std::size_t max_upgrade_bytes = 8192;
  std::chrono::seconds ping_interval{30};
  bool demo_page = true;  // GET / on a WebSocket port serves the browser demo
  // The folder the demo page's /jssip.min.js is read from (only that file). Relative: to the
  // config file's folder. Empty: resolve_paths (locations.hpp) names the checkout's
  // tools/web/node_modules/jssip/dist (where `npm ci` in tools/web puts it) or, installed,
  // <prefix>/share/imswitch/web; kDefaultWebRoot, relative to the working directory, is left
  // only for a Config that never went through resolve_paths.
  std::string web_root;
  static constexpr const char* kDefaultWebRoot = "tools/web/node_modules/jssip/dist";
};

// sip.overload: how a SIP core sheds what it cannot carry (stack.hpp OverloadOptions,
// switch/app/source_limit.hpp).
struct Overload {
  // A new request that waited longer in the UDP receive queue is answered 503; 0: never.
  std::chrono::milliseconds max_queue_delay{100};
  // The same for a source that authenticated within trusted_source: it waits longer.
  std::chrono::milliseconds trusted_queue_delay{400};
  // Retry-After of the overload 503s: a value in [retry_after, 2 * retry_after].
  std::chrono::seconds retry_after{2};
  // Late new requests answered 503 a second, at most; the rest are dropped unparsed.
  std::size_t max_rejections_per_s = 100;
  // Requests needing credentials from a source (address and port) that has not authenticated
  // within trusted_source: this many a second, after a burst; past it dropped (UDP) or 503.
  // 0: no limit.
  std::size_t unauthenticated_per_source_per_s = 20;
  std::size_t unauthenticated_burst = 100;
  std::size_t max_limited_sources = 10000;
  std::chrono::seconds trusted_source{300};
};

struct Sip {
  std::vector<Listen> listen;  // default_listeners() when the key is absent
  std::size_t threads = 1;     // SIP cores, one thread each (1 .. 64)
  sip::Limits limits;
  // Live transactions per SIP core; past it a new request is answered 503 (1000 .. 10000000).
  std::size_t max_transactions = 200'000;
  Timers timers;
  Overload overload;
  Tcp tcp;
  Tls tls;
  WebSocket websocket;
};

enum class LogLevel : std::uint8_t { Trace, Debug, Info, Warn, Error, Off };
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view log_level_name(LogLevel level);

struct Log {
  LogLevel level = LogLevel::Info;
};

// store: the SQLite file of registrations, stored messages and transcripts.
enum class Synchronous : std::uint8_t { Full, Normal };
std::optional<Synchronous> parse_synchronous(std::string_view text);
std::string_view synchronous_name(Synchronous s);

struct Store {
  // Relative: to the config file's folder (locations.hpp), or absolute.
  std::string path = "imswitch.db";
  Synchronous synchronous = Synchronous::Full;
  std::chrono::seconds message_expiry{604800};  // undelivered messages are dropped after this
  std::size_t queue_limit = 1000;               // stored messages waiting for one agent
  std::chrono::milliseconds commit_window{0};   // writes gathered into one commit, at most
};

// registrar: REGISTER handling, RFC 3261 §10.3.
struct Registrar {
  std::chrono::seconds min_expires{60};
  std::chrono::seconds max_expires{3600};
  std::chrono::seconds default_expires{3600};
  std::size_t max_contacts_per_agent = 10;
};

// auth: digest nonces (RFC 8760, RFC 7616).
struct Auth {
  std::chrono::seconds nonce_lifetime{300};
  std::size_t max_tracked_nonces = 100000;
  // Offered in this order, one WWW-/Proxy-Authenticate each (RFC 8760 §2.4: SHA-256 first).
  std::vector<auth::Algorithm> algorithms{auth::Algorithm::Sha256, auth::Algorithm::Md5};
  // User-Agent patterns ('*' wildcard, case-insensitive, lowercased here) of clients that fail
  // on a SHA-256 challenge: they are offered a single MD5 one (PRODUCT §2).
  std::vector<std::string> md5_only_user_agents{
      "baresip v0.*", "baresip v1.*", "sipsak *", "JsSIP *", "SIP.js/*"};
  // The digest's uri parameter must name the Request-URI (RFC 7616 §3.4.6).
  bool check_digest_uri = true;
};

// proxy: pager MESSAGE forwarding (RFC 3428).
struct Proxy {
  std::size_t udp_size_limit = 1300;             // RFC 3428 §6 / RFC 3261 §18.1.1
  std::chrono::milliseconds fork_timeout{10000};  // then the message is stored, 202
};

// im.default_state: the IM-channel state of an agent that has published none (PRODUCT §2).
enum class DefaultState : std::uint8_t { Ready, NotReady };

// im: the B2BUA for IM sessions (PRODUCT §4), agent state by PUBLISH (PRODUCT §2) and the
// subscriptions to it.
struct Im {
  // The switch's invitation timer: a target that has not answered by then is CANCELled
  // (Reason: SIP;cause=408) and the initiator gets 408.
  std::chrono::seconds invite_timeout{30};
  // IM sessions (establishing or connected) the switch runs at once; past it a new INVITE gets
  // 503 with Retry-After.
  std::size_t max_sessions = 10000;
  DefaultState default_state = DefaultState::Ready;
  // Presence publications (RFC 3903 §6 step 5): a shorter Expires gets 423 with Min-Expires, a
  // longer one is cut down; without Expires, the smaller of an hour and the maximum.
  std::chrono::seconds publish_min_expires{60};
  std::chrono::seconds publish_max_expires{3600};
  // Presence subscriptions (RFC 6665, RFC 3856: SUBSCRIBE with Event: presence): a shorter
  // Expires (other than 0) gets 423 with Min-Expires, a longer one is cut down; without Expires,
  // the smaller of an hour and the maximum.
  std::chrono::seconds subscribe_min_expires{60};
  std::chrono::seconds subscribe_max_expires{3600};
  // Subscriptions one agent holds at once (403 past it), and the switch (503 with Retry-After).
  std::size_t max_subscriptions_per_agent = 100;
  std::size_t max_subscriptions = 20000;
  // Queue offers an agent lets time out in a row (RONA) before the switch sets it Not Ready
  // ("no answer"); 0: never.
  unsigned max_misses = 0;
  // The pager bridge for stock SIP clients (PRODUCT §4b): a session with a plain device ends
  // after this long without a message either way ...
  std::chrono::seconds bridge_idle{600};
  // ... and after the agent ended a stock client's session, the client's replies go to that
  // agent as pager messages for this long (0: a reply opens a new session at once).
  std::chrono::seconds bridge_late{120};
};

// http: the HTTP/JSON API's listener and its bounds (switch/http), and the admin token.
struct Http {
  // Where the API listens; nullopt: no API ("listen: off"). Loopback by default: the API
  // answers agents' look-ups, and an operator opens it wider on purpose.
  std::optional<transport::Endpoint> listen =
      transport::Endpoint{boost::asio::ip::make_address_v4("127.0.0.1"), 8080};
  std::string admin_token;  // Authorization: Bearer <token> for admin calls; empty: none
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::seconds request_timeout{15};
  std::size_t max_connections = 1000;
  // HTTPS on the same address, with the switch's TLS certificate (sip.tls, or the self-signed
  // one); agents may then also use Basic authentication.
  bool tls = false;
};

struct Config {
  std::string path;  // the file it was loaded from
  Sip sip;
  Log log;
  Store store;
  Registrar registrar;
  Auth auth;
  Proxy proxy;
  Im im;
  Http http;
  // Agents, queues, routing points and sip.domains; never null.
  std::shared_ptr<const directory::Directory> directory = directory::Directory::empty();
};

// UDP and TCP on 0.0.0.0:5060 and [::]:5060 (RFC 3261 §19.1.2 default port).
std::vector<Listen> default_listeners();

// Parses "udp:127.0.0.1:5060", "tcp:[::1]:0" (the --listen syntax).
std::optional<Listen> parse_listen_spec(std::string_view spec);
// Parses "127.0.0.1:8080", "[::1]:0": an IP address (IPv6 in brackets) and a port.
std::optional<transport::Endpoint> parse_endpoint_spec(std::string_view spec);

}  // namespace ims::sw::config
