#pragma once
// The life of one IM session as the agent sees it (PRODUCT §4, the seed's states), as a plain
// state machine over values: NotConnected → Establishing → (Queued n) → Connected → Ended(reason)
// → Done. Local operations are checked here and refused with ClientErrc::BadState when they do
// not fit (send on an ended session, accept twice); wire events move the state. No I/O, no
// clock: ImSession drives it and does what it answers.

#include <optional>
#include <string_view>

#include "common/util/result.hpp"

namespace ims::client {

enum class SessionState { NotConnected, Establishing, Queued, Connected, Ended, Done };

// Why a session ended (PRODUCT §4's table).
enum class EndReason {
  Rejected,     // 603: the target declined
  TimedOut,     // 408: nobody answered within the switch's invitation timer
  Cancelled,    // 487: the initiator gave up while Establishing
  Unavailable,  // 480: no device of the target takes IM sessions now
  Busy,         // 486: the target is at its IM capacity
  Forbidden,    // 403: the initiator or the target lacks the im task
  NotFound,     // 404: no such agent
  RemoteEnded,  // BYE from the other side
  LocalEnded,   // end() while Connected
  Failed,       // any other failure (5xx, transport, no answer)
};

enum class Role { Initiator, Recipient };

std::string_view to_string(SessionState s);
std::string_view to_string(EndReason r);

// The reason a final non-2xx answer to our INVITE means.
EndReason reason_for_status(int status);

// The queue position in a 182's reason phrase ("Queued 3", "position 3 in queue"): the first
// number in it, or 0.
int queue_position_of(std::string_view reason_phrase);

class SessionMachine {
 public:
  // An initiator starts NotConnected; a recipient's session exists because an invitation
  // arrived, so it starts Establishing.
  explicit SessionMachine(Role role);

  Role role() const { return role_; }
  SessionState state() const { return state_; }
  std::optional<EndReason> reason() const { return reason_; }
  int queue_position() const { return queue_position_; }
  // end() was asked while Establishing: a CANCEL is out and any answer ends the session.
  bool cancelling() const { return cancelling_; }
  // Establishing or Queued: the invitation is still open.
  bool establishing() const {
    return state_ == SessionState::Establishing || state_ == SessionState::Queued;
  }

  // ---- local operations ----------------------------------------------------------------------
  Result<void> start();             // initiator, NotConnected → Establishing: send the INVITE
  Result<void> accept();            // recipient, Establishing → Connected: send 200
  Result<void> reject();            // recipient, Establishing → Ended(Rejected): send 603
  Result<void> check_send() const;  // Connected only
  // What end() must put on the wire.
  enum class EndAction { Cancel, Bye, Decline };
  // Initiator while Establishing/Queued: Cancel (the state stays until the INVITE's answer);
  // Connected: Bye, → Ended(LocalEnded); recipient while Establishing: Decline (as reject()).
  Result<EndAction> end();
  Result<void> done();  // Ended → Done

  // ---- wire events; each returns true when the state (or queue position) changed -----------
  bool on_provisional(int status, std::string_view reason_phrase);  // 182 → Queued(n)
  // 2xx to our INVITE. Returns false when cancelling: the caller acknowledges and hangs up, and
  // the session is Ended(Cancelled).
  bool on_answered();
  bool on_final_failure(
      int status);       // non-2xx to our INVITE → Ended(reason); Cancelled if cancelling
  bool on_remote_bye();  // → Ended(RemoteEnded)
  bool on_remote_cancel(EndReason why);  // recipient, open invitation → Ended(why)
  bool on_failure(EndReason why);        // anything else that ends the session (dead leg)

 private:
  bool finish(EndReason why);

  Role role_;
  SessionState state_;
  std::optional<EndReason> reason_;
  int queue_position_ = 0;
  bool cancelling_ = false;
};

}  // namespace ims::client
