#pragma once
// Cores: several SIP cores, one thread each, behind one set of addresses. Every core binds the
// same listeners (SO_REUSEPORT), so the kernel spreads datagrams and connections over the cores
// by the sender's address; which core receives a message is chance, which core handles it is
// not. A message belongs to owner_of(its Call-ID): every message of a transaction and of a
// dialog is handled by one core, so transactions, forks and dialogs never cross threads. A
// request a core starts itself (a B2BUA's second leg, a stored message's delivery) gets a
// Call-ID from new_call_id(), one that the same core owns.
//
// A core that receives another core's message passes it over: a datagram unparsed (the
// owner's socket of the same listener stands in for the one it arrived on), a TCP message
// parsed, with the connection's flow id. Flow ids carry the core that holds the connection in
// their low bits (flow_core()), so a send over another core's connection is passed to that
// core, and when a connection closes every core is told.
//
// Owner: the application, which attaches every core's transport before the cores run and
// keeps this and every transport until all core threads have stopped. After attach(), any
// thread may call it (the mailboxes lock).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "common/transport/types.hpp"

namespace ims::transport {

class TransportLayer;

// The core that holds a flow: the low bits of its id (ids are made by flow_id()).
inline constexpr unsigned kFlowCoreBits = 6;
inline constexpr std::size_t kMaxCores = std::size_t{1} << kFlowCoreBits;
constexpr FlowId flow_id(std::uint64_t serial, std::size_t core) {
  return FlowId{(serial << kFlowCoreBits) | static_cast<std::uint64_t>(core)};
}
constexpr std::size_t flow_core(FlowId flow) {
  return static_cast<std::size_t>(static_cast<std::uint64_t>(flow) & (kMaxCores - 1));
}
// The flow's serial number without its core: the same listener has the same serial on every
// core, since every core binds the listeners in the same order before anything else.
constexpr std::uint64_t flow_serial(FlowId flow) {
  return static_cast<std::uint64_t>(flow) >> kFlowCoreBits;
}

// The Call-ID of a SIP message's header section (long or compact form, surrounding white space
// trimmed), found without parsing the message; empty when there is none.
std::string_view peek_call_id(std::string_view message);

class Cores {
 public:
  // count: 1 .. kMaxCores.
  explicit Cores(std::size_t count);

  std::size_t size() const { return layers_.size(); }
  // The core that handles every message with this Call-ID.
  std::size_t owner_of(std::string_view call_id) const;
  // A fresh random Call-ID ("<random>@<host>", or just <random> when host is empty) that
  // `core` owns.
  std::string new_call_id(std::size_t core, std::string_view host) const;

  // Before the cores run: core `core`'s transport and the executor it runs on.
  void attach(std::size_t core, boost::asio::any_io_executor executor, TransportLayer& layer);
  // Runs fn on core `core`, with its transport. Work for a core collects in its mailbox and
  // runs in one handler, so that a busy core is woken once per batch, not once per message.
  void post(std::size_t core, std::function<void(TransportLayer&)> fn);

 private:
  struct Mailbox {
    std::mutex lock;
    std::vector<std::function<void(TransportLayer&)>> items;
    bool scheduled = false;  // a drain() is posted and has not taken the items yet
  };
  void drain(std::size_t core);

  std::vector<TransportLayer*> layers_;
  std::vector<boost::asio::any_io_executor> executors_;
  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
};

}  // namespace ims::transport
