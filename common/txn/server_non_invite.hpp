#pragma once
// Non-INVITE server transaction: RFC 3261 §17.2.2.
//
//   Trying --1xx from TU--> Proceeding --200-699 from TU--> Completed --J--> Terminated
//      +---------------200-699 from TU----------------------^
//   Proceeding, Completed --transport error--> Terminated (TU told)
//
// Retransmitted requests are absorbed while Trying and answered with the last response sent
// afterwards; J (64*T1 on unreliable transports, zero on reliable ones) keeps the final response
// for them. Sans-I/O: owned and driven by a TransactionTable (or a test) on one strand.

#include <cstdint>
#include <optional>

#include "common/sip/message.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/timers.hpp"

namespace ims::txn {

class ServerNonInvite {
 public:
  enum class State : std::uint8_t { Trying, Proceeding, Completed, Terminated };

  ServerNonInvite(Reliability transport, const Timers& timers);

  // The request that created the transaction: passed up.
  Actions start(sip::Message request);
  Actions on_retransmitted_request();
  Actions on_response_from_tu(sip::Message response);
  Actions on_timer(TimerId id);
  Actions on_transport_error();

  State state() const { return state_; }
  // What a retransmitted request is answered with: the last response sent; null before one.
  const sip::Message* last_response() const { return last_response_ ? &*last_response_ : nullptr; }

 private:
  std::optional<sip::Message> last_response_;
  Duration timer_j_;  // the only timer it arms; thousands of these linger under load
  ArmedTimers armed_;
  Reliability transport_;
  State state_ = State::Trying;
};

}  // namespace ims::txn
