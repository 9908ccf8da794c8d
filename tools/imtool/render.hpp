#pragma once
// How imtool shows sessions and transcripts: one line per transcript entry with the switch's
// time, the author's login in a colour of their own and the text; session states in words
// ("Establishing", "Ended: rejected"). Pure functions over client values, so the tests check
// exactly what a person sees.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "client/im_session.hpp"
#include "client/presence.hpp"
#include "client/transcript.hpp"

namespace ims::tool {

// ANSI SGR sequences, or "" when colours are off.
struct Paint {
  bool on = false;
  std::string colour(std::string_view login, std::string_view me) const;  // per party
  std::string dim() const { return on ? "\x1b[2m" : ""; }
  std::string bold() const { return on ? "\x1b[1m" : ""; }
  std::string reset() const { return on ? "\x1b[0m" : ""; }
};

// "14:03:07" in local time (TZ), from the switch's stamp.
std::string clock_text(std::chrono::system_clock::time_point t);

// "[14:03:07] alice: hello", the login coloured per party.
std::string entry_line(const client::TranscriptEntry& e, std::string_view me, const Paint& paint);

// The agent's state for the prompt: "[Ready]", "[Not Ready: lunch]"; "" while it was never set
// (the switch's default applies, which the agent does not know).
std::string state_badge(const std::optional<client::AgentState>& state);

// "Establishing", "Queued 3", "Connected", "Ended: rejected", "Done".
std::string status_text(const client::SessionStatus& s);

// Exit status of the one-shot commands (and of `imtool agent` when its login fails), as
// documented in `imtool --help`.
enum class Exit : int {
  Ok = 0,
  Failure = 1,       // anything not listed below
  Usage = 2,         // bad command line
  LoginFailed = 3,   // wrong login or password, or the switch refused the device
  NoSwitch = 4,      // no answer from the switch (transport error, time-out)
  NotFound = 5,      // 404: no such agent (queue, contact); a search that found nothing
  Forbidden = 6,     // 403: not allowed (no im task, foreign domain)
  Rejected = 7,      // 603: the target declined the IM
  TimedOut = 8,      // 408: nobody answered the invitation in time
  Unavailable = 9,   // 480 or 486: no device takes IM now, or at capacity
  BadInput = 10,     // a file to import that cannot be read or has a bad row: nothing sent
};

Exit exit_for_status(int sip_status);
Exit exit_for(client::EndReason r);
std::string_view exit_help();  // the table, for --help

}  // namespace ims::tool
