#pragma once
// The pager bridge's decisions (PRODUCT §4b), sans-I/O: how a stock SIP client (baresip,
// linphone, sipsak, JsSIP: a "plain" device, registered without +imswitch.session, or not
// registered at all) takes part in an IM session without ever getting a session INVITE (to it,
// an INVITE is a phone call). Everything it sees is pager-mode MESSAGE (RFC 3428):
//   - invited (a plain device of a session's target): one MESSAGE carries the invitation
//     ("IM from <name>: <first message> — reply to accept, /reject to decline"); its first reply
//     accepts, /reject (or /end) declines, silence runs into the invitation timer;
//   - initiator (a stock client writing to a queue or routing point): its MESSAGE opens a
//     session; later ones to the same address stick to it; /end ends it;
//   - connected: text goes both ways as MESSAGE, stamped and stored like any other message of
//     the session; /end ends it; the other side's end arrives as a "session ended" MESSAGE.
// The B2BUA (b2bua_bridge.cpp) carries these decisions out; the text the device sees is made
// here too, so that it is one place to read and to test.
//
// No state, no I/O: values in, values out.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.hpp"
#include "switch/im/session.hpp"

namespace ims::sw::im {

// im.bridge_* (config/imswitch.yaml).
struct BridgeSettings {
  // A session with a plain device ends after this long without a message either way
  // (im.bridge_idle_s): a stock client has no "End" button to forget.
  std::chrono::milliseconds idle{600000};
  // After the agent (or the idle timer) ended a stock client's session, what the client still
  // writes to the same address goes to that agent as a pager message for this long
  // (im.bridge_late_s), instead of opening a new session with whoever is free.
  std::chrono::milliseconds late{120000};
};

// What a line from a plain device asks for. Commands are the whole message, trimmed, in any case.
enum class PlainCommand : std::uint8_t { Text, End, Reject };
PlainCommand plain_command(std::string_view text);

// The part a plain device plays in a session.
enum class PlainRole : std::uint8_t {
  Invited,    // a plain device of the target (or of the agent a queue offered it to)
  Initiator,  // a stock client that opened the session by writing to a queue or routing point
};

// What the B2BUA does with one MESSAGE from a plain device of a session.
enum class PlainStep : std::uint8_t {
  Accept,    // the invited device's first reply: the session is answered, the text relayed
  Decline,   // the invited device said no: 603 for its branch
  Relay,     // a message of the connected session: stamped, stored, relayed
  End,       // the plain side ends a connected session: BYE to the other leg
  Withdraw,  // the stock initiator gives up before an agent answered (like CANCEL)
  Hold,      // the stock initiator writes while it waits: kept, relayed once an agent answers
  NotMine,   // the session has no use for it: it goes on as an ordinary pager message
};
std::string_view plain_step_name(PlainStep step);

// `open`: for an invited device, its invitation is still pending (its branch undecided) or it
// is the device that accepted; for an initiator, always true.
PlainStep plain_step(PlainRole role, State state, bool open, PlainCommand command);

// The text a plain device can show for a message of the session: text/plain as it is, the
// message/cpim wrapper (RFC 3862) taken off a text/plain payload. Fails for other types.
Result<std::string> plain_text(std::string_view content_type, std::string_view body);

// What the plain device reads.
std::string invitation_text(std::string_view from_name, std::string_view first_message);
inline constexpr std::string_view kAnsweredElsewhereText =
    "This IM was answered on another device.";
std::string withdrawn_text(std::string_view from_name, bool timed_out);
// The session ended: `by_name` ended it (empty: the switch did, for `reason`).
std::string ended_text(std::string_view by_name, EndReason reason,
                       std::chrono::milliseconds idle);
// A stock initiator's session found no agent (the final status the session got).
std::string no_agent_text(int status);
// ... and when its lines were kept for the queue's next free member instead.
inline constexpr std::string_view kKeptForQueueText =
    "No agent was free in time. Your message waits in the queue for the next free agent.";
// ... or for the agent a routing point named, who did not take the session.
std::string left_for_text(std::string_view agent_name);
// What a message the device cannot display is shown as.
std::string unshown_text(std::string_view content_type);

// An SDP answer with no media (RFC 3264 §6: zero m-lines), for the 200 the initiator gets when
// a plain device accepted: the switch answers for a device that cannot.
std::string empty_sdp(std::string_view session_id, std::string_view address);

}  // namespace ims::sw::im
