#include "client/session_state.hpp"

#include <string>

#include "client/errors.hpp"

namespace ims::client {
namespace {

Error bad_state(std::string_view op, SessionState s) {
  return Error{ClientErrc::BadState,
               std::string(op) + " is not possible while " + std::string(to_string(s))};
}

}  // namespace

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::NotConnected: return "not connected";
    case SessionState::Establishing: return "establishing";
    case SessionState::Queued: return "queued";
    case SessionState::Connected: return "connected";
    case SessionState::Ended: return "ended";
    case SessionState::Done: return "done";
  }
  return "?";
}

std::string_view to_string(EndReason r) {
  switch (r) {
    case EndReason::Rejected: return "rejected";
    case EndReason::TimedOut: return "timed out";
    case EndReason::Cancelled: return "cancelled";
    case EndReason::Unavailable: return "unavailable";
    case EndReason::Busy: return "busy";
    case EndReason::Forbidden: return "forbidden";
    case EndReason::NotFound: return "not found";
    case EndReason::RemoteEnded: return "ended by the other side";
    case EndReason::LocalEnded: return "ended";
    case EndReason::Failed: return "failed";
  }
  return "?";
}

EndReason reason_for_status(int status) {
  switch (status) {
    case 603: return EndReason::Rejected;
    case 408: return EndReason::TimedOut;
    case 487: return EndReason::Cancelled;
    case 480: return EndReason::Unavailable;
    case 486: return EndReason::Busy;
    case 403: return EndReason::Forbidden;
    case 404: return EndReason::NotFound;
    default: return EndReason::Failed;
  }
}

int queue_position_of(std::string_view phrase) {
  std::size_t i = 0;
  while (i < phrase.size() && (phrase[i] < '0' || phrase[i] > '9')) ++i;
  int n = 0;
  for (; i < phrase.size() && phrase[i] >= '0' && phrase[i] <= '9' && n < 1'000'000; ++i) {
    n = n * 10 + (phrase[i] - '0');
  }
  return n;
}

SessionMachine::SessionMachine(Role role)
    : role_(role),
      state_(role == Role::Initiator ? SessionState::NotConnected : SessionState::Establishing) {}

Result<void> SessionMachine::start() {
  if (role_ != Role::Initiator || state_ != SessionState::NotConnected) {
    return bad_state("start", state_);
  }
  state_ = SessionState::Establishing;
  return {};
}

Result<void> SessionMachine::accept() {
  if (role_ != Role::Recipient || !establishing()) return bad_state("accept", state_);
  state_ = SessionState::Connected;
  return {};
}

Result<void> SessionMachine::reject() {
  if (role_ != Role::Recipient || !establishing()) return bad_state("reject", state_);
  finish(EndReason::Rejected);
  return {};
}

Result<void> SessionMachine::check_send() const {
  if (state_ != SessionState::Connected) return bad_state("send", state_);
  return {};
}

Result<SessionMachine::EndAction> SessionMachine::end() {
  switch (state_) {
    case SessionState::Establishing:
    case SessionState::Queued:
      if (role_ == Role::Recipient) {
        finish(EndReason::Rejected);
        return EndAction::Decline;
      }
      if (cancelling_) return bad_state("end (already cancelling)", state_);
      cancelling_ = true;
      return EndAction::Cancel;
    case SessionState::Connected: finish(EndReason::LocalEnded); return EndAction::Bye;
    case SessionState::NotConnected:
    case SessionState::Ended:
    case SessionState::Done: break;
  }
  return bad_state("end", state_);
}

Result<void> SessionMachine::done() {
  if (state_ != SessionState::Ended) return bad_state("done", state_);
  state_ = SessionState::Done;
  return {};
}

bool SessionMachine::on_provisional(int status, std::string_view phrase) {
  if (role_ != Role::Initiator || !establishing() || status != 182) return false;
  const int position = queue_position_of(phrase);
  if (state_ == SessionState::Queued && position == queue_position_) return false;
  state_ = SessionState::Queued;
  queue_position_ = position;
  return true;
}

bool SessionMachine::on_answered() {
  if (role_ != Role::Initiator || !establishing()) return false;
  if (cancelling_) {
    finish(EndReason::Cancelled);
    return false;
  }
  state_ = SessionState::Connected;
  queue_position_ = 0;
  return true;
}

bool SessionMachine::on_final_failure(int status) {
  if (role_ != Role::Initiator || !establishing()) return false;
  return finish(cancelling_ ? EndReason::Cancelled : reason_for_status(status));
}

bool SessionMachine::on_remote_bye() {
  if (state_ != SessionState::Connected && !establishing()) return false;
  return finish(EndReason::RemoteEnded);
}

bool SessionMachine::on_remote_cancel(EndReason why) {
  if (role_ != Role::Recipient || !establishing()) return false;
  return finish(why);
}

bool SessionMachine::on_failure(EndReason why) {
  if (state_ == SessionState::NotConnected || state_ == SessionState::Ended ||
      state_ == SessionState::Done) {
    return false;
  }
  return finish(why);
}

bool SessionMachine::finish(EndReason why) {
  if (state_ == SessionState::Ended || state_ == SessionState::Done) return false;
  state_ = SessionState::Ended;
  reason_ = why;
  queue_position_ = 0;
  return true;
}

}  // namespace ims::client
