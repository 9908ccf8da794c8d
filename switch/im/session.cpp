#include "switch/im/session.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace ims::sw::im {

Side other(Side side) { return side == Side::Initiator ? Side::Target : Side::Initiator; }

std::string_view side_name(Side side) {
  switch (side) {
    case Side::Initiator: return "initiator";
    case Side::Target: return "target";
  }
  return "initiator";
}

std::string_view state_name(State state) {
  switch (state) {
    case State::Establishing: return "establishing";
    case State::Connected: return "connected";
    case State::Ended: return "ended";
  }
  return "ended";
}

std::string_view end_reason_name(EndReason reason) {
  switch (reason) {
    case EndReason::Rejected: return "rejected";
    case EndReason::Busy: return "busy";
    case EndReason::Unavailable: return "unavailable";
    case EndReason::TimedOut: return "timed-out";
    case EndReason::Cancelled: return "cancelled";
    case EndReason::Bye: return "bye";
    case EndReason::DeadLeg: return "dead-leg";
    case EndReason::Shutdown: return "shutdown";
    case EndReason::Idle: return "idle";
  }
  return "unavailable";
}

std::string_view offer_outcome_name(OfferOutcome outcome) {
  switch (outcome) {
    case OfferOutcome::Declined: return "declined";
    case OfferOutcome::NoAnswer: return "no-answer";
    case OfferOutcome::Unavailable: return "unavailable";
  }
  return "unavailable";
}

std::string format_stamp(const Stamp& stamp) {
  const std::int64_t ms = ((stamp.at_ms % 1000) + 1000) % 1000;
  const std::time_t secs = static_cast<std::time_t>((stamp.at_ms - ms) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ;seq=%u",
                              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec, static_cast<int>(ms), stamp.seq);
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return std::from_chars(text.data() + pos, text.data() + pos + len, out).ec == std::errc{};
}

}  // namespace

std::optional<Stamp> parse_stamp(std::string_view text) {
  // 2026-12-03T08:15:02.123Z;seq=3
  constexpr std::string_view kSeq = "Z;seq=";
  if (text.size() < 23 + kSeq.size() + 1) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != '.' || text.substr(23, kSeq.size()) != kSeq)
    return std::nullopt;
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0, ms = 0;
  if (!read_int(text, 0, 4, year) || !read_int(text, 5, 2, mon) || !read_int(text, 8, 2, day) ||
      !read_int(text, 11, 2, hour) || !read_int(text, 14, 2, min) ||
      !read_int(text, 17, 2, sec) || !read_int(text, 20, 3, ms))
    return std::nullopt;
  const std::string_view seq_text = text.substr(23 + kSeq.size());
  std::uint32_t seq = 0;
  auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (ec != std::errc{} || end != seq_text.data() + seq_text.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  const std::time_t secs = timegm(&tm);
  return Stamp{seq, static_cast<std::int64_t>(secs) * 1000 + ms};
}

Session::Session(std::size_t branches, std::chrono::milliseconds invite_timeout)
    : invite_timeout_(invite_timeout), branches_(branches) {}

Session Session::queued() {
  Session s(0, std::chrono::milliseconds(0));
  s.queued_ = true;
  return s;
}

Actions Session::start() {
  if (queued_) return {};  // each offer has its own timer
  return {StartInviteTimer{invite_timeout_}};
}

Actions Session::offer(std::size_t devices, std::chrono::milliseconds no_answer) {
  if (!queued_ || offer_active_ || state_ != State::Establishing || devices == 0) return {};
  offer_begin_ = branches_.size();
  branches_.resize(branches_.size() + devices);
  offer_active_ = true;
  return {StartInviteTimer{no_answer}};
}

Actions Session::give_up(int status) {
  Actions out;
  if (state_ != State::Establishing) return out;
  out.push_back(StopInviteTimer{});
  cancel_pending(kReasonCancelled, out);
  offer_active_ = false;
  out.push_back(AnswerInitiator{status, std::nullopt});
  end(EndReason::Unavailable, std::nullopt, out);
  return out;
}

Actions Session::on_provisional(std::size_t branch, int status) {
  Actions out;
  if (branch >= branches_.size()) return out;
  Branch& b = branches_[branch];
  if (b.cancel_wanted) {
    // §9.1: the CANCEL waited for this provisional response.
    b.cancel_wanted = false;
    out.push_back(CancelBranch{branch, b.cancel_reason});
    return out;
  }
  if (b.state != BranchState::Calling && b.state != BranchState::Proceeding) return out;
  b.state = BranchState::Proceeding;
  // The initiator hears the target ringing once, whichever device rings first.
  // An offer of a queued session rings anew: only its own branches count.
  if (state_ == State::Establishing && status == 180 && !b.relayed_180 && branch >= offer_begin_) {
    bool any = false;
    for (std::size_t i = offer_begin_; i < branches_.size(); ++i)
      any = any || branches_[i].relayed_180;
    b.relayed_180 = true;
    if (!any) out.push_back(RelayProvisional{status, branch});
  }
  return out;
}

Actions Session::on_final(std::size_t branch, int status) {
  Actions out;
  if (branch >= branches_.size()) return out;
  Branch& b = branches_[branch];
  const bool success = status >= 200 && status < 300;
  if (success) {
    if (b.state == BranchState::Won) {
      out.push_back(AckBranch{branch});  // a retransmitted 2xx: its ACK again (§13.2.2.4)
      return out;
    }
    if (state_ != State::Establishing || b.state == BranchState::Done) {
      // Decided already (time-out, CANCEL, another device): the dialog is ended at once.
      b.state = BranchState::Done;
      b.status = status;
      out.push_back(AckBranch{branch});
      out.push_back(ByeBranch{branch});
      return out;
    }
    b.state = BranchState::Won;
    b.status = status;
    winner_ = branch;
    state_ = State::Connected;
    offer_active_ = false;
    out.push_back(StopInviteTimer{});
    out.push_back(AckBranch{branch});
    cancel_pending(kReasonAnsweredElsewhere, out);
    out.push_back(AnswerInitiator{200, branch});
    return out;
  }
  if (b.state == BranchState::Done || b.state == BranchState::Won) return out;
  b.state = BranchState::Done;
  b.status = status;
  b.cancel_wanted = false;
  if (state_ != State::Establishing) return out;
  if (queued_ && (!offer_active_ || branch < offer_begin_)) return out;  // an earlier offer's
  for (std::size_t i = offer_begin_; i < branches_.size(); ++i)
    if (branches_[i].state != BranchState::Done) return out;
  // Every device said no: the initiator gets the best of their answers.
  const int best = best_failure(offer_begin_);
  if (queued_) {
    // ... or, in a queue, the next agent is asked: the initiator hears nothing of it.
    offer_active_ = false;
    out.push_back(StopInviteTimer{});
    OfferOutcome outcome = OfferOutcome::Unavailable;
    if (best >= 600 || best == 486) outcome = OfferOutcome::Declined;
    if (best == 408) outcome = OfferOutcome::NoAnswer;
    out.push_back(OfferEnded{outcome, best});
    return out;
  }
  out.push_back(StopInviteTimer{});
  out.push_back(AnswerInitiator{best, std::nullopt});
  EndReason reason = EndReason::Unavailable;
  if (best == 486 || best == 600) {
    reason = EndReason::Busy;
  } else if (best >= 600) {
    reason = EndReason::Rejected;
  } else if (best == 408) {
    reason = EndReason::TimedOut;
  }
  end(reason, best >= 600 || best == 486 ? std::optional<Side>(Side::Target) : std::nullopt, out);
  return out;
}

int Session::best_failure(std::size_t first) const {
  // RFC 3261 §16.7 step 6 in spirit: a 6xx ends the search; a busy device says more than an
  // absent one; a 4xx other than time-outs is passed on; everything else is "not now".
  int six = 0, busy = 0, four = 0, timeouts = 0;
  for (std::size_t i = first; i < branches_.size(); ++i) {
    const Branch& b = branches_[i];
    if (b.status >= 600 && six == 0) six = b.status;
    if (b.status == 486) busy = 486;
    if (b.status >= 400 && b.status < 500 && b.status != 408 && b.status != 480 &&
        b.status != 486 && b.status != 487 && four == 0)
      four = b.status;
    if (b.status == 408) ++timeouts;
  }
  if (six) return six;
  if (busy) return busy;
  if (four) return four;
  if (timeouts == static_cast<int>(branches_.size() - first)) return 408;
  return 480;
}

void Session::cancel_pending(std::string_view reason, Actions& out) {
  for (std::size_t i = 0; i < branches_.size(); ++i) {
    Branch& b = branches_[i];
    if (b.state == BranchState::Proceeding) {
      out.push_back(CancelBranch{i, reason});
      b.state = BranchState::Done;  // its 487 (or a late 2xx) is handled as a decided branch
    } else if (b.state == BranchState::Calling) {
      b.cancel_wanted = true;
      b.cancel_reason = reason;
      b.state = BranchState::Done;
    }
  }
}

Actions Session::on_invite_timeout() {
  Actions out;
  if (state_ != State::Establishing) return out;
  if (queued_) {
    // RONA: the offer is taken back from this agent; the session waits for the next one.
    if (!offer_active_) return out;
    offer_active_ = false;
    cancel_pending(kReasonTimeout, out);
    out.push_back(OfferEnded{OfferOutcome::NoAnswer, 408});
    return out;
  }
  cancel_pending(kReasonTimeout, out);
  out.push_back(AnswerInitiator{408, std::nullopt});
  end(EndReason::TimedOut, std::nullopt, out);
  return out;
}

Actions Session::on_initiator_cancel() {
  Actions out;
  if (state_ != State::Establishing) return out;  // §9.2: too late, the 2xx went already
  out.push_back(StopInviteTimer{});
  cancel_pending(kReasonCancelled, out);
  offer_active_ = false;
  out.push_back(AnswerInitiator{487, std::nullopt});
  end(EndReason::Cancelled, Side::Initiator, out);
  return out;
}

std::variant<Stamp, int> Session::stamp_first(std::int64_t now_ms) {
  if (state_ != State::Establishing || next_seq_ != 1) return 481;
  return Stamp{next_seq_++, now_ms};
}

std::variant<Stamp, int> Session::on_message(Side /*from*/, std::int64_t now_ms) {
  if (state_ != State::Connected) return 481;
  return Stamp{next_seq_++, now_ms};
}

Actions Session::on_bye(Side from) {
  Actions out;
  if (state_ != State::Connected) return out;
  out.push_back(SendBye{other(from)});
  end(EndReason::Bye, from, out);
  return out;
}

Actions Session::on_leg_failure(Side dead) {
  Actions out;
  if (state_ != State::Connected) return out;
  out.push_back(SendBye{other(dead)});
  end(EndReason::DeadLeg, std::nullopt, out);
  return out;
}

Actions Session::on_idle() {
  Actions out;
  if (state_ != State::Connected) return out;
  out.push_back(SendBye{Side::Initiator});
  out.push_back(SendBye{Side::Target});
  end(EndReason::Idle, std::nullopt, out);
  return out;
}

bool Session::branch_open(std::size_t branch) const {
  if (branch >= branches_.size()) return false;
  const BranchState st = branches_[branch].state;
  return st == BranchState::Calling || st == BranchState::Proceeding;
}

Actions Session::on_shutdown() {
  Actions out;
  if (state_ == State::Establishing) {
    out.push_back(StopInviteTimer{});
    cancel_pending(kReasonCancelled, out);
    out.push_back(AnswerInitiator{480, std::nullopt});
  } else if (state_ == State::Connected) {
    out.push_back(SendBye{Side::Initiator});
    out.push_back(SendBye{Side::Target});
  } else {
    return out;
  }
  end(EndReason::Shutdown, std::nullopt, out);
  return out;
}

Refusal Session::on_reinvite(Side /*from*/) {
  if (state_ != State::Connected) return 481;
  if (reinvite_pending_) return 491;
  reinvite_pending_ = true;
  return std::nullopt;
}

void Session::end(EndReason reason, std::optional<Side> by, Actions& out) {
  state_ = State::Ended;
  end_reason_ = reason;
  ended_by_ = by;
  out.push_back(SessionEnded{reason, by});
}

}  // namespace ims::sw::im
