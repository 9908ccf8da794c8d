#include "common/transport/transport_layer.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/sip/parser.hpp"
#include "common/transport/tls_connection.hpp"
#include "common/transport/via_routing.hpp"
#include "common/transport/ws_connection.hpp"
#include "common/util/random.hpp"

namespace ims::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Error no_route(std::string what) {
  return Error{std::make_error_code(std::errc::network_unreachable), std::move(what)};
}

Endpoint address_key(const Endpoint& e) { return Endpoint{e.address, 0}; }

// Remotes whose last connection failed in its set-up, remembered with the reason; a switch
// that cannot reach many devices forgets them all past this many.
constexpr std::size_t kMaxSetupFailures = 1024;

}  // namespace

TransportLayer::TransportLayer(asio::any_io_executor strand, Options options, MessageSink& sink)
    : strand_(std::move(strand)),
      options_(std::move(options)),
      sink_(&sink),
      late_gate_(options_.max_rejections_per_s),
      read_buffer_(std::make_shared<std::vector<char>>(options_.tcp_read_chunk_bytes)) {}

TransportLayer::~TransportLayer() { close(); }

void TransportLayer::join(Cores& cores, std::size_t core) {
  cores_ = &cores;
  core_ = core;
}

std::string TransportLayer::new_call_id(std::string_view host) const {
  if (cores_) return cores_->new_call_id(core_, host);
  std::string id = util::random_token(20);
  if (!host.empty()) id.append("@").append(host);
  return id;
}

Result<ListenerInfo> TransportLayer::listen(Protocol protocol, const Endpoint& where) {
  ListenerInfo info{protocol, where};
  switch (protocol) {
    case Protocol::Udp: {
      auto s = UdpSocket::open(strand_, where, options_, next_flow_id(), udp_events(), counters_);
      if (!s) return s.error();
      info.local = (*s)->local();
      (*s)->start();
      udp_sockets_.push_back(std::move(*s));
      break;
    }
    case Protocol::Tls:
    case Protocol::Wss:
      if (!options_.tls.server) {
        return Error{std::make_error_code(std::errc::invalid_argument),
                     fmt::format("{} {}: no TLS certificate is configured", protocol_name(protocol),
                                 to_string(where))};
      }
      [[fallthrough]];
    case Protocol::Tcp:
    case Protocol::Ws: {
      auto l = TcpListener::open(strand_, protocol, where, options_, listener_events());
      if (!l) return l.error();
      info.local = (*l)->local();
      (*l)->start();
      tcp_listeners_.push_back(std::move(*l));
      break;
    }
  }
  listeners_.push_back(info);
  return info;
}

void TransportLayer::close() {
  if (closed_) return;
  closed_ = true;
  alive_.reset();
  for (auto& s : udp_sockets_) s->close();
  for (auto& l : tcp_listeners_) l->close();
  auto conns = std::move(connections_);
  for (auto& [id, c] : conns) c->detach();
  udp_sockets_.clear();
  tcp_listeners_.clear();
  flow_by_remote_.clear();
  inbound_per_address_.clear();
}

void TransportLayer::hold_open(FlowId flow, std::chrono::steady_clock::time_point until) {
  if (closed_) return;
  if (foreign(flow)) {
    cores_->post(flow_core(flow), [flow, until](TransportLayer& t) { t.hold_open(flow, until); });
    return;
  }
  auto it = connections_.find(static_cast<std::uint64_t>(flow));
  if (it != connections_.end()) it->second->hold_open_until(until);
}

bool TransportLayer::flow_open(FlowId flow) const {
  if (foreign(flow)) return true;  // another core's connection: that core knows
  auto it = connections_.find(static_cast<std::uint64_t>(flow));
  if (it != connections_.end()) return it->second->is_open();
  for (const auto& s : udp_sockets_)
    if (s->id() == flow) return true;
  return false;
}

// ---- receiving ---------------------------------------------------------------------------------

void TransportLayer::block_requests(const Endpoint& source,
                                    std::chrono::steady_clock::time_point until) {
  if (blocked_.size() >= kMaxBlocked) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(blocked_, [&](const auto& b) { return b.second <= now; });
    if (blocked_.size() >= kMaxBlocked && !blocked_.count(source)) return;
  }
  blocked_[source] = until;
}

void TransportLayer::on_datagram(UdpSocket& socket, std::string_view data, const Endpoint& from,
                                 std::chrono::system_clock::time_point received) {
  // Far behind: a new request that waited too long is not even parsed once the core has spent
  // its share of 503s (overload.hpp). Checked before passing it to its core, which is as late.
  if (options_.max_queue_delay.count() > 0 &&
      received != std::chrono::system_clock::time_point{} &&
      std::chrono::system_clock::now() - received > options_.max_queue_delay &&
      peek_new_request(data) && !late_gate_.pass(std::chrono::steady_clock::now())) {
    ++counters_.late_dropped;
    return;
  }
  if (cores_) {
    if (const std::size_t owner = cores_->owner_of(peek_call_id(data)); owner != core_) {
      ++counters_.passed_to_other_core;
      cores_->post(owner, [serial = flow_serial(socket.id()), bytes = std::string(data), from,
                           received](TransportLayer& t) {
        t.on_passed_datagram(serial, bytes, from, received);
      });
      return;
    }
  }
  accept_datagram(socket, data, from, received);
}

void TransportLayer::on_passed_datagram(std::uint64_t serial, const std::string& data,
                                        const Endpoint& from,
                                        std::chrono::system_clock::time_point received) {
  if (closed_) return;
  for (auto& s : udp_sockets_) {
    if (flow_serial(s->id()) == serial) return accept_datagram(*s, data, from, received);
  }
}

void TransportLayer::accept_datagram(UdpSocket& socket, std::string_view data,
                                     const Endpoint& from,
                                     std::chrono::system_clock::time_point received) {
  ++counters_.datagrams_received;
  if (!blocked_.empty()) {
    if (auto b = blocked_.find(from); b != blocked_.end()) {
      if (std::chrono::steady_clock::now() >= b->second) {
        blocked_.erase(b);
      } else if (data.substr(0, 4) != "SIP/") {  // responses still complete our requests
        ++counters_.blocked_dropped;
        return;
      }
    }
  }
  auto parsed = sip::parse_datagram(data, options_.limits);
  if (!parsed) {
    // RFC 5626 §4.4.1 clients may send CRLF keep-alives over UDP; they are not garbage.
    if (parsed.error().code == sip::make_error_code(sip::ParseErrc::Empty)) {
      ++counters_.keepalives_received;
      return;
    }
    ++counters_.garbage_dropped;
    drop_log_.note("datagram", to_string(from), parsed.error().message);
    return;
  }
  deliver(std::move(*parsed), Origin{Protocol::Udp, from, socket.local(), socket.id(), received});
}

Result<std::shared_ptr<StreamFlow>> TransportLayer::make_flow(Protocol protocol,
                                                              tcp::socket socket, bool inbound) {
  const FlowId id = next_flow_id();
  auto& tls = options_.tls;
  asio::ssl::context* context = (inbound ? tls.server : tls.client).get();
  if (is_secure(protocol) && !context) {
    return Error{std::make_error_code(std::errc::protocol_not_supported),
                 fmt::format("{}: TLS is not set up", protocol_name(protocol))};
  }
  switch (protocol) {
    case Protocol::Tcp:
      return std::shared_ptr<StreamFlow>(std::make_shared<TcpConnection>(
          std::move(socket), id, inbound, options_, read_buffer_, connection_events(),
          counters_));
    case Protocol::Tls:
      return std::shared_ptr<StreamFlow>(
          std::make_shared<TlsConnection>(std::move(socket), *context, id, inbound, options_,
                                          tls.server_name, connection_events(), counters_));
    case Protocol::Ws:
      return std::shared_ptr<StreamFlow>(
          std::make_shared<WsConnection<false>>(std::move(socket), context, id, inbound, options_,
                                                tls.server_name, connection_events(), counters_));
    case Protocol::Wss:
      return std::shared_ptr<StreamFlow>(
          std::make_shared<WsConnection<true>>(std::move(socket), context, id, inbound, options_,
                                               tls.server_name, connection_events(), counters_));
    case Protocol::Udp:
      break;
  }
  return Error{std::make_error_code(std::errc::protocol_not_supported), "not a connection"};
}

void TransportLayer::on_accepted(TcpListener& listener, tcp::socket socket) {
  boost::system::error_code ec;
  auto r = socket.remote_endpoint(ec);
  if (ec) return;  // the peer already went away
  Endpoint remote = Endpoint::make(r.address(), r.port());
  auto& per_address = inbound_per_address_[address_key(remote)];
  if (connections_.size() >= options_.max_connections ||
      per_address >= options_.max_connections_per_address) {
    ++counters_.connections_refused;
    spdlog::debug("{}: refused connection from {} (limit)", protocol_name(listener.protocol()),
                  to_string(remote));
    if (per_address == 0) inbound_per_address_.erase(address_key(remote));
    socket.close(ec);
    return;
  }
  auto c = make_flow(listener.protocol(), std::move(socket), true);
  if (!c) {
    if (per_address == 0) inbound_per_address_.erase(address_key(remote));
    return;  // a listener only exists once its TLS context does
  }
  ++per_address;
  ++counters_.connections_accepted;
  const FlowId id = (*c)->id();
  connections_.emplace(static_cast<std::uint64_t>(id), *c);
  flow_by_remote_[remote] = id;
  spdlog::debug("{}: accepted {} (flow {})", protocol_name(listener.protocol()),
                to_string(remote), static_cast<std::uint64_t>(id));
  (*c)->start();
}

void TransportLayer::on_stream_message(StreamFlow& c, sip::Message message) {
  ++counters_.stream_messages_received;
  const Origin origin{c.protocol(), c.remote(), c.local(), c.id()};
  if (cores_) {
    if (const std::size_t owner = cores_->owner_of(message.call_id()); owner != core_) {
      ++counters_.passed_to_other_core;
      auto shared = std::make_shared<sip::Message>(std::move(message));
      cores_->post(owner, [shared, origin](TransportLayer& t) {
        if (!t.closed_) t.deliver(std::move(*shared), origin);
      });
      return;
    }
  }
  deliver(std::move(message), origin);
}

void TransportLayer::on_stream_error(StreamFlow& c, const Error& error) {
  ++counters_.stream_errors;
  ++counters_.garbage_dropped;
  drop_log_.note(protocol_name(c.protocol()), to_string(c.remote()), error.message);
}

void TransportLayer::on_connection_closed(StreamFlow& c, std::string_view why) {
  spdlog::debug("{}: flow {} to {} closed: {}", protocol_name(c.protocol()),
                static_cast<std::uint64_t>(c.id()), to_string(c.remote()), why);
  auto self = c.shared_from_this();  // keep c alive while we erase it
  connections_.erase(static_cast<std::uint64_t>(c.id()));
  auto it = flow_by_remote_.find(c.remote());
  if (it != flow_by_remote_.end() && it->second == c.id()) flow_by_remote_.erase(it);
  if (!c.inbound()) {
    // Kept for whoever sent over it and wants to tell its user why (the client library).
    if (c.was_open()) {
      setup_failures_.erase(c.remote());
    } else {
      if (setup_failures_.size() >= kMaxSetupFailures) setup_failures_.clear();
      setup_failures_[c.remote()] = std::string(why);
    }
  }
  if (c.inbound()) {
    auto pa = inbound_per_address_.find(address_key(c.remote()));
    if (pa != inbound_per_address_.end() && --pa->second == 0) inbound_per_address_.erase(pa);
  }
  tell_flow_closed(c.id());
}

std::string TransportLayer::setup_failure(const Endpoint& remote) const {
  auto it = setup_failures_.find(remote);
  return it == setup_failures_.end() ? std::string() : it->second;
}

void TransportLayer::tell_flow_closed(FlowId flow) {
  sink_->on_flow_closed(flow);
  if (!cores_) return;
  for (std::size_t k = 0; k < cores_->size(); ++k) {  // the other cores may have sent over it
    if (k == core_) continue;
    cores_->post(k, [flow](TransportLayer& t) {
      if (!t.closed_) t.sink_->on_flow_closed(flow);
    });
  }
}

void TransportLayer::deliver(sip::Message message, const Origin& origin) {
  // §18.2.1 / RFC 3581 §4: the server transport records where the request really came from.
  if (message.is_request()) stamp_top_via(message, origin.source);
  sink_->on_message(std::move(message), origin);
}

// ---- sending -----------------------------------------------------------------------------------

Result<FlowId> TransportLayer::send(Protocol protocol, const Endpoint& to, std::string bytes,
                                    std::optional<FlowId> flow) {
  if (closed_) return no_route("transport closed");
  if (protocol == Protocol::Udp) return send_udp(to, std::move(bytes), flow);
  return send_stream(protocol, to, std::move(bytes), flow);
}

Result<FlowId> TransportLayer::send_udp(const Endpoint& to, std::string bytes,
                                        std::optional<FlowId> flow) {
  UdpSocket* chosen = nullptr;
  for (auto& s : udp_sockets_) {
    if (s->is_v6() != to.address.is_v6()) continue;
    if (flow && flow_serial(s->id()) == flow_serial(*flow)) {  // this core's socket of that listener
      chosen = s.get();
      break;
    }
    if (!chosen) chosen = s.get();
  }
  if (!chosen) {
    ++counters_.send_errors;
    return no_route("no UDP socket for " + to_string(to));
  }
  if (!chosen->send_to(to, std::move(bytes))) {
    return Error{std::make_error_code(std::errc::no_buffer_space), "UDP outbox full"};
  }
  return chosen->id();
}

Result<FlowId> TransportLayer::send_stream(Protocol protocol, const Endpoint& to,
                                           std::string bytes, std::optional<FlowId> flow) {
  if (flow && foreign(*flow)) {
    // Another core's connection: that core writes it. Should it be gone by then, every core
    // hears that the flow closed, so the transaction that sent over it fails now (the sender
    // cannot be told which new connection its request went over, so none is opened for it).
    ++counters_.passed_to_other_core;
    cores_->post(flow_core(*flow), [protocol, to, bytes = std::move(bytes),
                                    flow](TransportLayer& t) mutable {
      if (t.closed_) return;
      auto it = t.connections_.find(static_cast<std::uint64_t>(*flow));
      if (it != t.connections_.end() && it->second->is_open()) {
        (void)t.send_stream(protocol, to, std::move(bytes), flow);
      } else {
        ++t.counters_.send_errors;
        t.tell_flow_closed(*flow);
      }
    });
    return *flow;
  }
  auto usable = [&](FlowId id) -> std::shared_ptr<StreamFlow> {
    auto it = connections_.find(static_cast<std::uint64_t>(id));
    if (it == connections_.end() || !it->second->is_open()) return nullptr;
    if (it->second->protocol() != protocol) return nullptr;
    return it->second;
  };
  std::shared_ptr<StreamFlow> c;
  if (flow) c = usable(*flow);
  if (!c) {
    auto it = flow_by_remote_.find(to);
    if (it != flow_by_remote_.end()) c = usable(it->second);
  }
  if (!c) {
    if (connections_.size() >= options_.max_connections) {
      ++counters_.connections_refused;
      ++counters_.send_errors;
      return Error{std::make_error_code(std::errc::too_many_files_open),
                   "connection limit reached"};
    }
    auto made = make_flow(protocol, tcp::socket(strand_), false);
    if (!made) {
      ++counters_.send_errors;
      return made.error();
    }
    c = std::move(*made);
    connections_.emplace(static_cast<std::uint64_t>(c->id()), c);
    flow_by_remote_[to] = c->id();
    ++counters_.connections_opened;
    c->connect(to);
  }
  FlowId id = c->id();
  if (!c->send(std::move(bytes))) {
    return Error{std::make_error_code(std::errc::no_buffer_space),
                 fmt::format("{} write queue full", protocol_name(protocol))};
  }
  return id;
}

Result<void> TransportLayer::send_response(const sip::Message& response, const Origin& origin) {
  if (closed_) return no_route("transport closed");
  if (is_connection(origin.protocol) && foreign(origin.flow)) {
    // The request came over another core's connection: the response leaves from there.
    ++counters_.passed_to_other_core;
    auto shared = std::make_shared<sip::Message>(response);
    cores_->post(flow_core(origin.flow), [shared, origin](TransportLayer& t) {
      if (!t.closed_) (void)t.send_response(*shared, origin);
    });
    return {};
  }
  std::string bytes = response.serialize();
  // §18.2.2: reliable transports reuse the connection the request came on while it is open.
  if (is_connection(origin.protocol)) {
    auto it = connections_.find(static_cast<std::uint64_t>(origin.flow));
    if (it != connections_.end() && it->second->is_open()) {
      if (!it->second->send(std::move(bytes))) {
        return Error{std::make_error_code(std::errc::no_buffer_space),
                     fmt::format("{} write queue full", protocol_name(origin.protocol))};
      }
      return {};
    }
  }
  auto via = response.top_via();
  if (!via) {
    ++counters_.send_errors;
    return no_route("response without a usable Via");
  }
  // Responses go back the way the request came: a datagram whose Via names another transport
  // (TCP, TLS, WSS: a client that says one thing and does another) is answered over UDP to the
  // datagram's source, as Kamailio does, rather than over a new connection to its Via.
  if (origin.protocol == Protocol::Udp && protocol_from_via(via->transport) != Protocol::Udp) {
    auto sent = send(Protocol::Udp, origin.source, std::move(bytes), origin.flow);
    if (!sent) return sent.error();
    return {};
  }
  auto target = response_target(*via);
  if (!target) {
    ++counters_.send_errors;
    return target.error();
  }
  std::optional<FlowId> flow;
  if (origin.protocol == target->protocol) flow = origin.flow;
  if (auto ip = parse_ip(target->host)) {
    auto sent = send(target->protocol, Endpoint::make(*ip, target->port), std::move(bytes), flow);
    if (!sent) return sent.error();
    return {};
  }
  resolve_and_send(target->protocol, target->host, target->port, std::move(bytes), flow);
  return {};
}

// §18.2.2 sends to sent-by's host name when there is no `received` (only for Vias we did not
// stamp, e.g. responses built for another element). Uses the system resolver (A/AAAA); the
// SRV procedures of RFC 3263 §5 belong to the layer that sends requests.
void TransportLayer::resolve_and_send(Protocol protocol, std::string host, std::uint16_t port,
                                      std::string bytes, std::optional<FlowId> flow) {
  auto resolver = std::make_shared<tcp::resolver>(strand_);
  std::weak_ptr<int> alive = alive_;
  resolver->async_resolve(
      host, std::to_string(port),
      [this, alive, resolver, protocol, host, flow, bytes = std::move(bytes)](
          const boost::system::error_code& ec, const tcp::resolver::results_type& results) mutable {
        if (alive.expired()) return;  // the layer is closed or gone
        if (ec || results.empty()) {
          ++counters_.send_errors;
          spdlog::debug("cannot resolve {}: {}", host, ec ? ec.message() : "no address");
          return;
        }
        auto e = results.begin()->endpoint();
        auto sent = send(protocol, Endpoint::make(e.address(), e.port()), std::move(bytes), flow);
        if (!sent) spdlog::debug("send to {} failed: {}", host, sent.error().message);
      });
}

}  // namespace ims::transport
