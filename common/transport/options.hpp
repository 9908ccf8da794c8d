#pragma once
// Settings and counters of the transport layer. Every bound on what a peer can make us hold is
// named here and settable from the configuration (STYLE rule 9).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/limits.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ims::transport {

// A page served to a plain HTTP GET on a WebSocket listener (the demo page).
struct WebPage {
  std::string content_type;
  std::string body;
};

struct WebSocketOptions {
  // Origin header values allowed to open a connection (RFC 6455 §10.2); empty: any origin,
  // and requests without one.
  std::vector<std::string> allowed_origins;
  std::size_t max_upgrade_bytes = 8192;           // the HTTP upgrade request, headers included
  std::chrono::seconds ping_interval{30};         // a silent peer is pinged, and dropped if mute
  // Answers a GET that is not an upgrade, by request target; nullopt is a 404. Unset: 426.
  std::function<std::optional<WebPage>(std::string_view target)> pages;
};

struct TlsOptions {
  // For tls and wss listeners (tls_context.hpp makes them); unset: those cannot listen.
  std::shared_ptr<boost::asio::ssl::context> server;
  // For flows we open; unset: we open none over TLS.
  std::shared_ptr<boost::asio::ssl::context> client;
  // Outbound: SNI, the WebSocket Host, and the name the peer's certificate must carry. Empty:
  // the address connected to.
  std::string server_name;
};

struct Options {
  sip::Limits limits;                                  // message parsing bounds
  std::chrono::seconds tcp_idle_timeout{300};          // a silent connection is closed (any transport)
  std::chrono::seconds tcp_connect_timeout{10};        // connect and TLS/WebSocket handshakes
  std::size_t max_connections = 10000;                 // TCP, inbound and outbound together
  std::size_t max_connections_per_address = 100;       // inbound, per remote IP address
  std::size_t max_write_queue_bytes = 1 << 20;         // per connection (and per UDP socket)
  int udp_receive_buffer_bytes = 4 << 20;              // SO_RCVBUF: absorbs bursts under load
  bool reuse_port = false;                             // SO_REUSEPORT, for one socket per shard
  // Overload (overload.hpp; the stack sets these from its OverloadOptions): a new request that
  // waited in a UDP socket's queue longer than max_queue_delay is passed up to be answered 503
  // at most max_rejections_per_s times a second, and dropped unparsed past that. 0: off.
  std::chrono::milliseconds max_queue_delay{0};
  double max_rejections_per_s = 100;
  std::size_t tcp_read_chunk_bytes = 65536;            // the read buffer all connections share
  WebSocketOptions websocket;
  TlsOptions tls;
};

// What the transport dropped, refused or closed, and why. Read on the transport's strand.
struct Counters {
  std::uint64_t datagrams_received = 0;
  std::uint64_t stream_messages_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t garbage_dropped = 0;           // datagrams or stream bytes that are not SIP
  std::uint64_t keepalives_received = 0;       // CRLFCRLF pings and UDP CRLF datagrams
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_opened = 0;        // outbound
  std::uint64_t connections_refused = 0;       // over max_connections or per-address limit
  std::uint64_t connections_closed = 0;
  std::uint64_t idle_timeouts = 0;
  std::uint64_t write_queue_overflows = 0;     // connection closed (TCP) or datagram dropped (UDP)
  std::uint64_t reads_paused = 0;              // TCP: reading stopped until the outbox drained
  std::uint64_t stream_errors = 0;             // framing errors (closes a byte stream), bad WS messages
  std::uint64_t handshakes_failed = 0;         // TLS or WebSocket set-up failed or was refused
  std::uint64_t send_errors = 0;               // no route, connect failure, socket error
  std::uint64_t passed_to_other_core = 0;      // messages and sends handed to the owning core
  std::uint64_t late_dropped = 0;              // new requests too late to answer: dropped unparsed
  std::uint64_t blocked_dropped = 0;           // requests from a blocked UDP source, unparsed
};

}  // namespace ims::transport
