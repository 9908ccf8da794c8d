#pragma once
// INVITE server transaction: RFC 3261 §17.2.1 with RFC 6026 §7.1 ("Accepted", Timer L).
//
//   Proceeding --300-699 from TU--> Completed --ACK--> Confirmed --I--> Terminated
//        |                              +--H (no ACK came)--> Terminated (TU told)
//        +--2xx from TU--> Accepted --L--> Terminated
//
// While Accepted the transaction absorbs retransmitted INVITEs, sends the 2xx retransmissions
// the TU makes (§13.3.1.4), and passes ACKs up. Following RFC 6026 Figure 7, a transport error
// is reported to the TU but does not end the transaction, which keeps absorbing retransmissions.
// If the TU has not responded within Timers::trying (200 ms, §17.2.1) the transaction sends
// 100 (Trying) itself. Sans-I/O: owned and driven by a TransactionTable (or a test).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/sip/message.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/timers.hpp"

namespace ims::txn {

class ServerInvite {
 public:
  enum class State : std::uint8_t { Proceeding, Completed, Confirmed, Accepted, Terminated };

  ServerInvite(Reliability transport, const Timers& timers);

  // The INVITE that created the transaction: passed up; 100 (Trying) is sent now (trying == 0)
  // or armed as Timer Trying.
  Actions start(sip::Message invite);
  // The same INVITE again (§17.2.3 matched it here).
  Actions on_retransmitted_request();
  // An ACK matched to this transaction: for a non-2xx it belongs here; while Accepted it is the
  // ACK of the 2xx and goes to the TU (RFC 6026 §7.1).
  Actions on_ack(sip::Message ack);
  Actions on_response_from_tu(sip::Message response);
  Actions on_timer(TimerId id);
  Actions on_transport_error();

  State state() const { return state_; }
  // The To tag of the final response sent, "" before one: an RFC 2543 ACK must carry it
  // (§17.2.3).
  std::string_view final_to_tag() const { return final_to_tag_; }
  // The To tag of the last response sent (provisional or final), "" before one with a tag: the
  // 200 to a CANCEL carries it (§9.2).
  std::string_view response_to_tag() const {
    if (!final_to_tag_.empty()) return final_to_tag_;
    return last_response_ ? last_response_->to_tag() : std::string_view{};
  }

 private:
  void send_final(Actions& out, sip::Message response);

  std::optional<sip::Message> invite_;        // kept until the TU answers, for the 100
  std::optional<sip::Message> last_response_; // re-sent for a retransmitted INVITE, and by G
  std::string final_to_tag_;
  Timers timers_;
  Duration g_interval_;
  ArmedTimers armed_;
  Reliability transport_;
  State state_ = State::Proceeding;
};

}  // namespace ims::txn
