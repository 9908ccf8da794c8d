#include "common/txn/client_invite.hpp"

#include <utility>

#include "common/sip/builders.hpp"

namespace ims::txn {

ClientInvite::ClientInvite(sip::Message invite, Reliability transport, const Timers& timers)
    : invite_(std::move(invite)), timers_(timers), a_interval_(timers.t1), transport_(transport) {}

Actions ClientInvite::start() {
  Actions out;
  out.push_back(SendToTransport{invite_});
  // §17.1.1.2: A only on unreliable transports; B always.
  if (transport_ == Reliability::Unreliable) armed_.start(out, TimerId::A, a_interval_);
  armed_.start(out, TimerId::B, timers_.timeout());
  return out;
}

// Any response ends Calling: the request got through, so no more retransmissions (A), and B
// only ever fires in Calling (§17.1.1.2, Figure 5).
void ClientInvite::leave_calling(Actions& out) {
  armed_.cancel(out, TimerId::A);
  armed_.cancel(out, TimerId::B);
}

Actions ClientInvite::on_response(sip::Message response) {
  Actions out;
  const int status = response.status();
  switch (state_) {
    case State::Calling:
    case State::Proceeding:
      leave_calling(out);
      if (status < 200) {
        state_ = State::Proceeding;
        out.push_back(PassToTu{std::move(response)});
      } else if (status < 300) {
        // RFC 6026 §7.2: Accepted, so that retransmitted or forked 2xx still reach the TU.
        state_ = State::Accepted;
        out.push_back(PassToTu{std::move(response)});
        armed_.start(out, TimerId::M, timers_.timeout());
      } else {
        // §17.1.1.3: the transaction ACKs a non-2xx final itself, then waits out D to answer
        // retransmissions of that final with the same ACK.
        ack_ = sip::make_ack_for_non2xx(invite_, response);
        out.push_back(SendToTransport{*ack_});
        out.push_back(PassToTu{std::move(response)});
        const Duration d = timers_.timer_d(transport_);
        if (d == Duration{0}) {
          state_ = State::Terminated;
          terminate(out, armed_, EndReason::Completed);
        } else {
          state_ = State::Completed;
          armed_.start(out, TimerId::D, d);
        }
      }
      break;
    case State::Completed:
      // A retransmitted final: ACK again, do not bother the TU (§17.1.1.2).
      if (status >= 300 && ack_) out.push_back(SendToTransport{*ack_});
      break;
    case State::Accepted:
      // RFC 6026 §7.2: every 2xx goes up; the TU ACKs it. Anything else is absorbed.
      if (status >= 200 && status < 300) out.push_back(PassToTu{std::move(response)});
      break;
    case State::Terminated:
      break;
  }
  return out;
}

Actions ClientInvite::on_timer(TimerId id) {
  Actions out;
  if (!armed_.fire(id)) return out;
  switch (id) {
    case TimerId::A:
      // §17.1.1.2: retransmit and double the interval; INVITE has no T2 cap. A is only armed
      // in Calling.
      out.push_back(SendToTransport{invite_});
      a_interval_ *= 2;
      armed_.start(out, TimerId::A, a_interval_);
      break;
    case TimerId::B:
      state_ = State::Terminated;
      out.push_back(ReportToTu{Failure::Timeout});
      terminate(out, armed_, EndReason::Timeout);
      break;
    case TimerId::D:
    case TimerId::M:
      state_ = State::Terminated;
      terminate(out, armed_, EndReason::Completed);
      break;
    case TimerId::E: case TimerId::F: case TimerId::G: case TimerId::H: case TimerId::I:
    case TimerId::J: case TimerId::K: case TimerId::L: case TimerId::Trying:
      break;  // never armed by this machine
  }
  return out;
}

Actions ClientInvite::on_transport_error() {
  Actions out;
  // Figure 5 (RFC 3261 and RFC 6026): a failed INVITE (Calling) or a failed ACK (Completed)
  // ends the transaction. In Proceeding and Accepted the transaction sends nothing, so a late
  // report about an earlier send changes nothing.
  if (state_ != State::Calling && state_ != State::Completed) return out;
  state_ = State::Terminated;
  out.push_back(ReportToTu{Failure::TransportError});
  terminate(out, armed_, EndReason::TransportError);
  return out;
}

}  // namespace ims::txn
