#pragma once
// Non-INVITE client transaction: RFC 3261 §17.1.2.
//
//   Trying --1xx--> Proceeding --200-699--> Completed --K--> Terminated
//      +--------------200-699--------------^
//   Trying, Proceeding --F / transport error--> Terminated (TU told)
//
// Timer E retransmits the request on unreliable transports, doubling from T1 up to T2 while
// Trying and every T2 while Proceeding. Sans-I/O: owned and driven by a TransactionTable (or a
// test) on one strand.

#include <cstdint>

#include "common/sip/message.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/timers.hpp"

namespace ims::txn {

class ClientNonInvite {
 public:
  enum class State : std::uint8_t { Trying, Proceeding, Completed, Terminated };

  ClientNonInvite(sip::Message request, Reliability transport, const Timers& timers);

  // Sends the request and arms E (unreliable transports only) and F.
  Actions start();
  Actions on_response(sip::Message response);
  Actions on_timer(TimerId id);
  Actions on_transport_error();

  State state() const { return state_; }
  // The request being sent; empty once a final response has arrived (nothing is re-sent).
  const sip::Message& request() const { return request_; }

 private:
  sip::Message request_;
  Timers timers_;
  Duration e_interval_;
  ArmedTimers armed_;
  Reliability transport_;
  State state_ = State::Trying;
};

}  // namespace ims::txn
