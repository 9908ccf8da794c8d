#include "common/txn/client_non_invite.hpp"

#include <algorithm>
#include <utility>

namespace ims::txn {

ClientNonInvite::ClientNonInvite(sip::Message request, Reliability transport,
                                 const Timers& timers)
    : request_(std::move(request)), timers_(timers), e_interval_(timers.t1),
      transport_(transport) {}

Actions ClientNonInvite::start() {
  Actions out;
  out.push_back(SendToTransport{request_});
  // §17.1.2.2: E only on unreliable transports; F always.
  if (transport_ == Reliability::Unreliable) armed_.start(out, TimerId::E, e_interval_);
  armed_.start(out, TimerId::F, timers_.timeout());
  return out;
}

Actions ClientNonInvite::on_response(sip::Message response) {
  Actions out;
  if (state_ != State::Trying && state_ != State::Proceeding) return out;  // Completed absorbs
  if (response.status() < 200) {
    state_ = State::Proceeding;
    out.push_back(PassToTu{std::move(response)});
    return out;
  }
  // §17.1.2.2: a final response stops E and F; K absorbs retransmitted finals for T4.
  armed_.cancel(out, TimerId::E);
  armed_.cancel(out, TimerId::F);
  out.push_back(PassToTu{std::move(response)});
  // Completed only absorbs retransmitted finals and sends nothing: the request's bytes go now
  // rather than lingering for Timer K (5 s on UDP, thousands of requests under load). Moved
  // out, not assigned over: assigning an empty string keeps the old one's allocation.
  std::exchange(request_, sip::Message{});
  const Duration k = timers_.timer_k(transport_);
  if (k == Duration{0}) {
    state_ = State::Terminated;
    terminate(out, armed_, EndReason::Completed);
  } else {
    state_ = State::Completed;
    armed_.start(out, TimerId::K, k);
  }
  return out;
}

Actions ClientNonInvite::on_timer(TimerId id) {
  Actions out;
  if (!armed_.fire(id)) return out;
  switch (id) {
    case TimerId::E:
      // §17.1.2.2: Trying doubles up to T2; Proceeding retransmits every T2.
      out.push_back(SendToTransport{request_});
      e_interval_ = state_ == State::Trying ? std::min(2 * e_interval_, timers_.t2) : timers_.t2;
      armed_.start(out, TimerId::E, e_interval_);
      break;
    case TimerId::F:
      state_ = State::Terminated;
      out.push_back(ReportToTu{Failure::Timeout});
      terminate(out, armed_, EndReason::Timeout);
      break;
    case TimerId::K:
      state_ = State::Terminated;
      terminate(out, armed_, EndReason::Completed);
      break;
    case TimerId::A: case TimerId::B: case TimerId::D: case TimerId::G: case TimerId::H:
    case TimerId::I: case TimerId::J: case TimerId::L: case TimerId::M: case TimerId::Trying:
      break;  // never armed by this machine
  }
  return out;
}

Actions ClientNonInvite::on_transport_error() {
  Actions out;
  // Figure 6: only Trying and Proceeding send (the request); Completed sends nothing.
  if (state_ != State::Trying && state_ != State::Proceeding) return out;
  state_ = State::Terminated;
  out.push_back(ReportToTu{Failure::TransportError});
  terminate(out, armed_, EndReason::TransportError);
  return out;
}

}  // namespace ims::txn
