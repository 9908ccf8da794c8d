#pragma once
// Session: the decisions of one IM session of the B2BUA (PRODUCT §4), sans-I/O. It knows the
// session's state, the target leg's branches (one INVITE per capable device of the target) and
// the transcript's sequence numbers; it never sees a socket, a timer or a SIP message. Each
// event returns the actions the caller (ImB2bua, on the SIP strand) carries out: answer the
// initiator, CANCEL or ACK a branch, BYE a leg, start or stop the invitation timer, record the
// end. Time comes in as values.
//
//   Establishing --first 2xx--------------------------> Connected --BYE / dead leg--> Ended
//        |  all branches failed: best status (603 Rejected, 486 Busy, 480 Unavailable ...)
//        |  invitation timer: CANCEL (cause=408), 408 TimedOut            ------------> Ended
//        |  initiator's CANCEL: CANCEL branches, 487 Cancelled            ------------> Ended
//
// A session to a queue or routing point (queued()) starts without a target: the caller offers it
// to one agent at a time (offer(): that agent's devices are the next branches). When every
// device of the offer fails, or the offer's no-answer timer fires (RONA: CANCEL with cause=408),
// the offer ends with OfferEnded and the session stays Establishing for the next offer; the
// initiator hears only provisional responses and the final outcome (give_up() when no agent is
// left). Branches of earlier offers keep their indexes, so their late answers are still known.
//
// Races are decided here: a 2xx that arrives after the session was decided otherwise (time-out,
// CANCEL, another branch's 2xx) is acknowledged and the dialog it made is ended at once with BYE
// (RFC 3261 §15: a UAC that no longer wants the session sends BYE after its ACK).
//
// Owner: ImB2bua, one per live session. Not thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ims::sw::im {

enum class Side : std::uint8_t { Initiator, Target };
Side other(Side side);
std::string_view side_name(Side side);  // "initiator", "target"

enum class State : std::uint8_t { Establishing, Connected, Ended };
std::string_view state_name(State state);

enum class EndReason : std::uint8_t {
  Rejected,     // the target declined (6xx)
  Busy,         // the target is busy (486, 600)
  Unavailable,  // no branch could take it (480, 5xx, transport failures ...)
  TimedOut,     // the invitation timer fired
  Cancelled,    // the initiator gave up (CANCEL)
  Bye,          // a party ended a connected session
  DeadLeg,      // a leg stopped answering (481, 408, transport failure, no ACK)
  Shutdown,     // the switch stopped
  Idle,         // a session with a stock client's device saw no message for im.bridge_idle_s
};
std::string_view end_reason_name(EndReason reason);  // "rejected", "busy", ... as stored
inline constexpr std::size_t kEndReasons = static_cast<std::size_t>(EndReason::Idle) + 1;

// RFC 3326 Reason values for the CANCELs the switch sends.
inline constexpr std::string_view kReasonAnsweredElsewhere =
    "SIP;cause=200;text=\"answered elsewhere\"";
inline constexpr std::string_view kReasonTimeout = "SIP;cause=408;text=\"Request Timeout\"";
inline constexpr std::string_view kReasonCancelled = "SIP;cause=487;text=\"Request Terminated\"";

// Actions, in the order they are to be carried out.
struct AnswerInitiator {
  int status = 0;
  std::optional<std::size_t> branch;  // 2xx: the branch whose answer (body) is relayed
};
struct RelayProvisional {  // a 180/183 from a branch, relayed once per status
  int status = 0;
  std::size_t branch = 0;
};
struct CancelBranch {
  std::size_t branch = 0;
  std::string_view reason;  // the Reason header value (RFC 3326)
};
struct AckBranch {  // ACK a 2xx of this branch (§13.2.2.4)
  std::size_t branch = 0;
};
struct ByeBranch {  // end the dialog a 2xx of this branch made, after its ACK
  std::size_t branch = 0;
};
struct SendBye {  // end the leg of this side
  Side to = Side::Initiator;
};
struct StartInviteTimer {
  std::chrono::milliseconds after{0};
};
struct StopInviteTimer {};
// How an offer to one agent of a queue ended without a session (the caller asks for the next).
enum class OfferOutcome : std::uint8_t {
  Declined,     // a device answered 6xx (or 486): the agent said no
  NoAnswer,     // the no-answer timer fired (RONA), or every device timed out
  Unavailable,  // the devices failed otherwise (480, 5xx, transport)
};
std::string_view offer_outcome_name(OfferOutcome outcome);  // "declined", "no-answer", ...
struct OfferEnded {
  OfferOutcome outcome = OfferOutcome::Unavailable;
  int status = 0;  // the best of the devices' answers (408 for a time-out)
};
struct SessionEnded {
  EndReason reason = EndReason::Bye;
  std::optional<Side> by;  // the party who ended it; nullopt when the switch did
};
using Action = std::variant<AnswerInitiator, RelayProvisional, CancelBranch, AckBranch, ByeBranch,
                            SendBye, StartInviteTimer, StopInviteTimer, OfferEnded, SessionEnded>;
using Actions = std::vector<Action>;

// The switch's stamp of one transcript message: its place in the session and the switch's time.
struct Stamp {
  std::uint32_t seq = 0;
  std::int64_t at_ms = 0;  // Unix epoch ms, UTC
};

// "2026-12-03T08:15:02.123Z;seq=3": the value of the Imswitch-Stamp header.
std::string format_stamp(const Stamp& stamp);
// The inverse; nullopt for anything else.
std::optional<Stamp> parse_stamp(std::string_view text);

// Why an in-dialog request is refused (the status to answer), or nullopt to go on.
using Refusal = std::optional<int>;

class Session {
 public:
  // `branches`: the INVITEs the caller sends to the target's devices (at least one).
  Session(std::size_t branches, std::chrono::milliseconds invite_timeout);
  // A session to a queue: no branches until offer().
  static Session queued();

  State state() const { return state_; }
  std::optional<std::size_t> winner() const { return winner_; }
  std::optional<EndReason> end_reason() const { return end_reason_; }
  std::optional<Side> ended_by() const { return ended_by_; }

  // The INVITEs are on their way: the invitation timer starts.
  Actions start();

  // Queued sessions: the next `devices` branches (indexes from branches() on) are one agent's
  // devices, INVITEd now; the no-answer timer starts. Nothing while an offer is still out or
  // the session is not establishing.
  Actions offer(std::size_t devices, std::chrono::milliseconds no_answer);
  bool is_queued() const { return queued_; }
  bool offer_active() const { return offer_active_; }
  std::size_t branches() const { return branches_.size(); }
  // Whether a branch is still undecided (its device may still accept).
  bool branch_open(std::size_t branch) const;
  // Queued sessions: no agent will take it (wait limit, queue full, no route): the offer still
  // out is CANCELled and the initiator gets `status` (480, 486 ...).
  Actions give_up(int status);

  // Target leg, per branch.
  Actions on_provisional(std::size_t branch, int status);
  // A final response; for a transport failure or Timer B pass 408 or 503.
  Actions on_final(std::size_t branch, int status);
  Actions on_invite_timeout();
  // Initiator leg: its CANCEL arrived (the stack answered it 200).
  Actions on_initiator_cancel();

  // A message (the INVITE's first one, or an in-dialog MESSAGE) to stamp: the next seq and
  // now. The first message is stamped while Establishing; later ones only when Connected
  // (481 otherwise).
  std::variant<Stamp, int> stamp_first(std::int64_t now_ms);
  std::variant<Stamp, int> on_message(Side from, std::int64_t now_ms);
  std::uint32_t messages() const { return next_seq_ - 1; }

  // A party's BYE (answered 200 by the caller). Ended sessions absorb crossing BYEs.
  Actions on_bye(Side from);
  // A leg is dead: a relayed request got 481 or 408, the transport failed, or the initiator
  // never ACKed the 200. The other leg gets a BYE.
  Actions on_leg_failure(Side dead);
  // No message either way for the bridge's idle time (PRODUCT §4b): both legs are ended.
  Actions on_idle();
  // The switch stops: both legs get a BYE (or the establishing INVITE its CANCELs and a 480).
  Actions on_shutdown();

  // re-INVITE from a party: nullopt to relay it to the other leg; 491 while another is
  // pending (RFC 3261 §14.2), 481 when not connected.
  Refusal on_reinvite(Side from);
  void on_reinvite_done() { reinvite_pending_ = false; }

 private:
  enum class BranchState : std::uint8_t { Calling, Proceeding, Done, Won };
  struct Branch {
    BranchState state = BranchState::Calling;
    bool cancel_wanted = false;     // CANCEL as soon as a provisional response says it may go
    std::string_view cancel_reason;
    bool relayed_180 = false;
    int status = 0;                 // final status, when Done
  };

  // CANCELs every branch still pending (§9.1: only once it has sent a provisional response;
  // the others get theirs on their first provisional).
  void cancel_pending(std::string_view reason, Actions& out);
  void end(EndReason reason, std::optional<Side> by, Actions& out);
  // §16.7-style choice among the failures of the branches from `first` on.
  int best_failure(std::size_t first = 0) const;

  std::chrono::milliseconds invite_timeout_;
  std::vector<Branch> branches_;
  State state_ = State::Establishing;
  std::optional<std::size_t> winner_;
  std::optional<EndReason> end_reason_;
  std::optional<Side> ended_by_;
  std::uint32_t next_seq_ = 1;
  bool reinvite_pending_ = false;
  bool queued_ = false;
  bool offer_active_ = false;
  std::size_t offer_begin_ = 0;  // the current offer's first branch
};

}  // namespace ims::sw::im
