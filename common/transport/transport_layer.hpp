#pragma once
// TransportLayer: every socket of one SIP core (RFC 3261 §18). Owns the UDP sockets, the
// listeners of the connection transports (TCP, TLS, WS, WSS) and the flow table of their
// connections (stream_flow.hpp); parses datagrams, stamps received/rport on
// incoming requests (§18.2.1, RFC 3581), and routes outgoing messages: requests to an endpoint
// over the peer's existing flow when there is one (connection reuse), responses per §18.2.2.
//
// Owner: the stack (unique_ptr). Strand: the executor given to create(); every public call must
// be made on it, and every socket, timer and callback lives on it (STYLE rules 3 and 6). A
// sharded deployment creates one TransportLayer per core thread, each with its own executor and
// its own UDP sockets bound with Options::reuse_port, all joined to one Cores (cores.hpp): a
// message that belongs to another core is passed to it, and so is a send over another core's
// connection.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/sip/message.hpp"
#include "common/transport/cores.hpp"
#include "common/transport/drop_log.hpp"
#include "common/transport/overload.hpp"
#include "common/transport/options.hpp"
#include "common/transport/stream_flow.hpp"
#include "common/transport/tcp_connection.hpp"
#include "common/transport/tcp_listener.hpp"
#include "common/transport/types.hpp"
#include "common/transport/udp_socket.hpp"
#include "common/util/result.hpp"

namespace ims::transport {

// The layer above (the stack). Called on the strand.
class MessageSink {
 public:
  // A parsed message. Requests have had their top Via stamped (§18.2.1). A message with
  // fault set is SIP-shaped but invalid: the sink answers or drops it.
  virtual void on_message(sip::Message message, const Origin& origin) = 0;
  // A connection closed; the sink forgets it.
  virtual void on_flow_closed(FlowId /*flow*/) {}

 protected:
  ~MessageSink() = default;
};

struct ListenerInfo {
  Protocol protocol = Protocol::Udp;
  Endpoint local;  // the bound address and the real port (port 0 resolved)
};

class TransportLayer final : private UdpSocket::Events,
                             private TcpListener::Events,
                             private StreamFlow::Events {
 public:
  TransportLayer(boost::asio::any_io_executor strand, Options options, MessageSink& sink);
  ~TransportLayer();
  TransportLayer(const TransportLayer&) = delete;
  TransportLayer& operator=(const TransportLayer&) = delete;

  // Makes this transport core `core` of `cores`; before the first listen(), and only when
  // there is more than one core. Without it the transport is core 0 of one.
  void join(Cores& cores, std::size_t core);
  // A Call-ID that this core owns, for a request the layer above starts.
  std::string new_call_id(std::string_view host) const;

  // Binds a UDP socket or a listener of a connection transport. Port 0 picks a free port; the
  // result has the real one. TLS and WSS need Options::tls.server.
  Result<ListenerInfo> listen(Protocol protocol, const Endpoint& where);
  const std::vector<ListenerInfo>& listeners() const { return listeners_; }

  // Sends bytes to `to`. Connection transports: over `flow` when it is an open connection of
  // that protocol, else over the open connection of that protocol to `to` (reuse), else over a
  // new connection (TLS and WSS need Options::tls.client). UDP: from `flow` when it is one of
  // our UDP sockets, else from the first UDP socket of `to`'s address family. Returns the flow
  // used. Failures after this returns (connect refused, write error) are counted and end in
  // on_flow_closed.
  Result<FlowId> send(Protocol protocol, const Endpoint& to, std::string bytes,
                      std::optional<FlowId> flow = std::nullopt);

  // Sends a response to the request that arrived from `origin` (RFC 3261 §18.2.2, RFC 3581 §4):
  // over that connection while it is open; otherwise to response_target(top Via), resolving
  // a host name first (never for WS and WSS, RFC 7118 §5). UDP responses leave from the
  // socket the request arrived on.
  Result<void> send_response(const sip::Message& response, const Origin& origin);

  // Keeps connection `flow` from being closed for idleness before `until` (on whichever
  // core owns it); nothing for UDP or a connection already gone.
  void hold_open(FlowId flow, std::chrono::steady_clock::time_point until);

  bool flow_open(FlowId flow) const;
  std::size_t connection_count() const { return connections_.size(); }
  const Counters& counters() const { return counters_; }
  // Requests (not responses) arriving over UDP from `source` are dropped unparsed until
  // `until`: the upper layer sheds them anyway (a flood over a per-source limit), and dropping
  // them here costs a lookup instead of a parse. At most kMaxBlocked sources at once; past it
  // the call does nothing (the upper layer still sheds, at a parse each).
  void block_requests(const Endpoint& source, std::chrono::steady_clock::time_point until);
  static constexpr std::size_t kMaxBlocked = 4096;
  // Why the last connection we opened to `remote` closed before it was set up (connect, TLS
  // handshake or WebSocket upgrade), e.g. "TLS handshake: certificate verify failed"; empty
  // when it did not, or once one to `remote` has since worked.
  std::string setup_failure(const Endpoint& remote) const;
  const Options& options() const { return options_; }

  // Closes listeners, sockets and connections; no callback follows. Idempotent.
  void close();

 private:
  // UdpSocket::Events, TcpListener::Events, StreamFlow::Events
  void on_datagram(UdpSocket& socket, std::string_view data, const Endpoint& from,
                   std::chrono::system_clock::time_point received) override;
  void on_accepted(TcpListener& listener, boost::asio::ip::tcp::socket socket) override;
  void on_stream_message(StreamFlow& c, sip::Message message) override;
  void on_stream_error(StreamFlow& c, const Error& error) override;
  void on_connection_closed(StreamFlow& c, std::string_view why) override;

  // A flow of `protocol` over `socket`; nullptr (and an error) when TLS is not set up for it.
  Result<std::shared_ptr<StreamFlow>> make_flow(Protocol protocol,
                                                boost::asio::ip::tcp::socket socket,
                                                bool inbound);
  void deliver(sip::Message message, const Origin& origin);
  // A datagram this core handles: parsed and delivered as if it arrived on `socket`.
  void accept_datagram(UdpSocket& socket, std::string_view data, const Endpoint& from,
                       std::chrono::system_clock::time_point received);
  // Another core passed a datagram it received on its socket of listener serial `serial`.
  void on_passed_datagram(std::uint64_t serial, const std::string& data, const Endpoint& from,
                          std::chrono::system_clock::time_point received);
  bool foreign(FlowId flow) const { return cores_ && flow_core(flow) != core_; }
  // A connection of this core closed: the sink, and every other core's, is told.
  void tell_flow_closed(FlowId flow);
  Result<FlowId> send_stream(Protocol protocol, const Endpoint& to, std::string bytes,
                             std::optional<FlowId> flow);
  Result<FlowId> send_udp(const Endpoint& to, std::string bytes, std::optional<FlowId> flow);
  void resolve_and_send(Protocol protocol, std::string host, std::uint16_t port,
                        std::string bytes, std::optional<FlowId> flow);
  FlowId next_flow_id() { return flow_id(++last_flow_id_, core_); }
  UdpSocket::Events& udp_events() { return *this; }
  TcpListener::Events& listener_events() { return *this; }
  StreamFlow::Events& connection_events() { return *this; }

  boost::asio::any_io_executor strand_;
  Cores* cores_ = nullptr;  // set by join(): several cores share the listeners
  std::size_t core_ = 0;
  Options options_;
  MessageSink* sink_;
  Counters counters_;
  DropLog drop_log_;
  LateGate late_gate_;
  std::unordered_map<Endpoint, std::chrono::steady_clock::time_point, EndpointHash> blocked_;
  std::vector<ListenerInfo> listeners_;
  std::vector<std::shared_ptr<UdpSocket>> udp_sockets_;
  std::vector<std::shared_ptr<TcpListener>> tcp_listeners_;
  std::unordered_map<std::uint64_t, std::shared_ptr<StreamFlow>> connections_;
  std::unordered_map<Endpoint, FlowId, EndpointHash> flow_by_remote_;
  std::unordered_map<Endpoint, std::string, EndpointHash> setup_failures_;  // bounded
  std::unordered_map<Endpoint, std::size_t, EndpointHash> inbound_per_address_;  // port 0
  TcpConnection::ReadBuffer read_buffer_;  // shared by every connection (one strand)
  std::uint64_t last_flow_id_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards resolver callbacks
  bool closed_ = false;
};

}  // namespace ims::transport
