#pragma once
// INVITE client transaction: RFC 3261 §17.1.1 with RFC 6026 §7.2's "Accepted" state.
//
//   Calling --1xx--> Proceeding --2xx--> Accepted --M--> Terminated
//      |                 |--300-699--> Completed --D--> Terminated
//      +--B / transport error--> Terminated (TU told)
//
// Every 2xx, the first and any retransmission or fork while Accepted, goes to the TU, which
// sends the ACK for it (§13.2.2.4); the transaction itself ACKs non-2xx finals (§17.1.1.3).
// Sans-I/O: owned and driven by a TransactionTable (or a test) on one strand.

#include <cstdint>
#include <optional>

#include "common/sip/message.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/timers.hpp"

namespace ims::txn {

class ClientInvite {
 public:
  enum class State : std::uint8_t { Calling, Proceeding, Completed, Accepted, Terminated };

  ClientInvite(sip::Message invite, Reliability transport, const Timers& timers);

  // Sends the INVITE and arms A (unreliable transports only) and B.
  Actions start();
  // A response matched to this transaction (§17.1.3).
  Actions on_response(sip::Message response);
  Actions on_timer(TimerId id);
  // The transport could not send the INVITE or the ACK (§17.1.4).
  Actions on_transport_error();

  State state() const { return state_; }
  const sip::Message& request() const { return invite_; }

 private:
  void leave_calling(Actions& out);

  sip::Message invite_;
  std::optional<sip::Message> ack_;  // built on the first non-2xx final, re-sent on repeats
  Timers timers_;
  Duration a_interval_;
  ArmedTimers armed_;
  Reliability transport_;
  State state_ = State::Calling;
};

}  // namespace ims::txn
