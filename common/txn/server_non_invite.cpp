#include "common/txn/server_non_invite.hpp"

#include <utility>

namespace ims::txn {

ServerNonInvite::ServerNonInvite(Reliability transport, const Timers& timers)
    : timer_j_(timers.timer_j(transport)), transport_(transport) {}

Actions ServerNonInvite::start(sip::Message request) {
  Actions out;
  out.push_back(PassToTu{std::move(request)});
  return out;
}

Actions ServerNonInvite::on_retransmitted_request() {
  Actions out;
  switch (state_) {
    case State::Proceeding:
    case State::Completed:
      // §17.2.2: answer with the most recent provisional (Proceeding) or the final (Completed).
      if (last_response_) out.push_back(SendToTransport{*last_response_});
      break;
    case State::Trying:  // §17.2.2: discarded until the TU says something
    case State::Terminated:
      break;
  }
  return out;
}

Actions ServerNonInvite::on_response_from_tu(sip::Message response) {
  Actions out;
  if (state_ != State::Trying && state_ != State::Proceeding) return out;  // one final only
  const bool provisional = response.status() < 200;
  // The copy is kept and the response itself is sent: a copy is exactly as large as its text,
  // where a response built by appends has grown room to spare, and the final one is kept for
  // Timer J (5-32 s, thousands of them under load).
  last_response_ = response;
  out.push_back(SendToTransport{std::move(response)});
  if (provisional) {
    state_ = State::Proceeding;
    return out;
  }
  if (timer_j_ == Duration{0}) {
    state_ = State::Terminated;
    terminate(out, armed_, EndReason::Completed);
  } else {
    state_ = State::Completed;
    armed_.start(out, TimerId::J, timer_j_);
  }
  return out;
}

Actions ServerNonInvite::on_timer(TimerId id) {
  Actions out;
  if (!armed_.fire(id)) return out;
  switch (id) {
    case TimerId::J:
      state_ = State::Terminated;
      terminate(out, armed_, EndReason::Completed);
      break;
    case TimerId::A: case TimerId::B: case TimerId::D: case TimerId::E: case TimerId::F:
    case TimerId::G: case TimerId::H: case TimerId::I: case TimerId::K: case TimerId::L:
    case TimerId::M: case TimerId::Trying:
      break;  // never armed by this machine
  }
  return out;
}

Actions ServerNonInvite::on_transport_error() {
  Actions out;
  // Figure 8: a response that cannot be sent ends the transaction (Proceeding, Completed).
  if (state_ != State::Proceeding && state_ != State::Completed) return out;
  state_ = State::Terminated;
  out.push_back(ReportToTu{Failure::TransportError});
  terminate(out, armed_, EndReason::TransportError);
  return out;
}

}  // namespace ims::txn
