#include "common/txn/server_invite.hpp"

#include <algorithm>
#include <utility>

#include "common/sip/builders.hpp"

namespace ims::txn {

ServerInvite::ServerInvite(Reliability transport, const Timers& timers)
    : timers_(timers), g_interval_(timers.t1), transport_(transport) {}

Actions ServerInvite::start(sip::Message invite) {
  Actions out;
  invite_ = invite;
  out.push_back(PassToTu{std::move(invite)});
  // §17.2.1: 100 (Trying) unless the TU answers within 200 ms. A zero delay sends it at once.
  if (timers_.trying == Duration{0}) {
    last_response_ = sip::make_response(*invite_, 100);
    invite_.reset();
    out.push_back(SendToTransport{*last_response_});
  } else {
    armed_.start(out, TimerId::Trying, timers_.trying);
  }
  return out;
}

Actions ServerInvite::on_retransmitted_request() {
  Actions out;
  switch (state_) {
    case State::Proceeding:
    case State::Completed:
      // §17.2.1: re-send the most recent provisional (Proceeding) or the final (Completed).
      if (last_response_) out.push_back(SendToTransport{*last_response_});
      break;
    case State::Confirmed:
    case State::Accepted:  // RFC 6026 §7.1: absorbed, not passed to the TU
    case State::Terminated:
      break;
  }
  return out;
}

Actions ServerInvite::on_ack(sip::Message ack) {
  Actions out;
  switch (state_) {
    case State::Completed: {
      // §17.2.1: the ACK for our non-2xx; stop G and H, absorb stray ACKs for T4.
      armed_.cancel(out, TimerId::G);
      armed_.cancel(out, TimerId::H);
      last_response_.reset();
      const Duration i = timers_.timer_i(transport_);
      if (i == Duration{0}) {
        state_ = State::Terminated;
        terminate(out, armed_, EndReason::Completed);
      } else {
        state_ = State::Confirmed;
        armed_.start(out, TimerId::I, i);
      }
      break;
    }
    case State::Accepted:
      // RFC 6026 §7.1: an ACK while Accepted is the 2xx's; the TU (dialog, proxy) takes it.
      out.push_back(PassToTu{std::move(ack)});
      break;
    case State::Proceeding:  // no final response yet: nothing to acknowledge
    case State::Confirmed:   // retransmitted ACK, absorbed
    case State::Terminated:
      break;
  }
  return out;
}

void ServerInvite::send_final(Actions& out, sip::Message response) {
  armed_.cancel(out, TimerId::Trying);
  invite_.reset();
  if (auto to = response.to()) final_to_tag_ = std::string(to->tag);
  const int status = response.status();
  if (status < 300) {
    // RFC 6026 §7.1: Accepted for 64*T1; the TU retransmits the 2xx itself (§13.3.1.4).
    last_response_.reset();
    out.push_back(SendToTransport{std::move(response)});
    state_ = State::Accepted;
    armed_.start(out, TimerId::L, timers_.timeout());
    return;
  }
  // §17.2.1: G retransmits the final on unreliable transports until the ACK; H gives up.
  last_response_ = std::move(response);
  out.push_back(SendToTransport{*last_response_});
  state_ = State::Completed;
  if (transport_ == Reliability::Unreliable) armed_.start(out, TimerId::G, g_interval_);
  armed_.start(out, TimerId::H, timers_.timeout());
}

Actions ServerInvite::on_response_from_tu(sip::Message response) {
  Actions out;
  const int status = response.status();
  switch (state_) {
    case State::Proceeding:
      if (status < 200) {
        armed_.cancel(out, TimerId::Trying);
        invite_.reset();
        last_response_ = response;
        out.push_back(SendToTransport{std::move(response)});
      } else {
        send_final(out, std::move(response));
      }
      break;
    case State::Accepted:
      // RFC 6026 §7.1: the TU's 2xx retransmissions go out through the transaction.
      if (status >= 200 && status < 300) out.push_back(SendToTransport{std::move(response)});
      break;
    case State::Completed:  // one final response per transaction; later ones are dropped
    case State::Confirmed:
    case State::Terminated:
      break;
  }
  return out;
}

Actions ServerInvite::on_timer(TimerId id) {
  Actions out;
  if (!armed_.fire(id)) return out;
  switch (id) {
    case TimerId::Trying:
      // Armed only in Proceeding until the TU's first response.
      if (invite_) {
        last_response_ = sip::make_response(*invite_, 100);
        invite_.reset();
        out.push_back(SendToTransport{*last_response_});
      }
      break;
    case TimerId::G:
      // §17.2.1: re-send the final, doubling the interval up to T2.
      if (last_response_) out.push_back(SendToTransport{*last_response_});
      g_interval_ = std::min(2 * g_interval_, timers_.t2);
      armed_.start(out, TimerId::G, g_interval_);
      break;
    case TimerId::H:
      // §17.2.1: the ACK never came; the TU learns of the failure.
      state_ = State::Terminated;
      out.push_back(ReportToTu{Failure::Timeout});
      terminate(out, armed_, EndReason::Timeout);
      break;
    case TimerId::I:
    case TimerId::L:
      state_ = State::Terminated;
      terminate(out, armed_, EndReason::Completed);
      break;
    case TimerId::A: case TimerId::B: case TimerId::D: case TimerId::E: case TimerId::F:
    case TimerId::J: case TimerId::K: case TimerId::M:
      break;  // never armed by this machine
  }
  return out;
}

Actions ServerInvite::on_transport_error() {
  Actions out;
  // RFC 6026 Figure 7: Proceeding, Completed and Accepted inform the TU and stay, so that
  // retransmitted INVITEs keep being absorbed; H or L still ends the transaction.
  switch (state_) {
    case State::Proceeding:
    case State::Completed:
    case State::Accepted:
      out.push_back(ReportToTu{Failure::TransportError});
      break;
    case State::Confirmed:
    case State::Terminated:
      break;
  }
  return out;
}

}  // namespace ims::txn
