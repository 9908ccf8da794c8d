#include "tools/imtool/render.hpp"

#include <ctime>
#include <functional>

namespace ims::tool {

std::string Paint::colour(std::string_view login, std::string_view me) const {
  if (!on) return {};
  if (login == me) return "\x1b[32m";  // our own lines: green
  // Other parties: a stable colour per login, never green.
  static constexpr const char* kPalette[] = {"\x1b[36m", "\x1b[35m", "\x1b[33m",
                                             "\x1b[34m", "\x1b[91m", "\x1b[96m"};
  const std::size_t n = sizeof kPalette / sizeof kPalette[0];
  return kPalette[std::hash<std::string_view>{}(login) % n];
}

std::string clock_text(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string entry_line(const client::TranscriptEntry& e, std::string_view me, const Paint& p) {
  std::string out = p.dim() + "[" + clock_text(e.time) + "]" + p.reset() + " ";
  out += p.colour(e.login, me) + p.bold() + e.login + p.reset() + ": " + e.text;
  return out;
}

std::string state_badge(const std::optional<client::AgentState>& state) {
  return state ? "[" + client::describe(*state) + "]" : std::string();
}

std::string status_text(const client::SessionStatus& s) {
  using client::SessionState;
  switch (s.state) {
    case SessionState::NotConnected: return "Not connected";
    case SessionState::Establishing: return "Establishing";
    case SessionState::Queued:
      return s.queue_position > 0 ? "Queued " + std::to_string(s.queue_position) : "Queued";
    case SessionState::Connected: return "Connected";
    case SessionState::Ended:
      if (!s.reason) return "Ended";
      if (*s.reason == client::EndReason::LocalEnded) return "Ended: ended by you";
      return "Ended: " + std::string(client::to_string(*s.reason));
    case SessionState::Done: return "Done";
  }
  return "?";
}

Exit exit_for_status(int status) {
  if (status >= 200 && status < 300) return Exit::Ok;
  switch (status) {
    case 401:
    case 407: return Exit::LoginFailed;
    case 404: return Exit::NotFound;
    case 403: return Exit::Forbidden;
    case 603: return Exit::Rejected;
    case 408: return Exit::TimedOut;
    case 480:
    case 486: return Exit::Unavailable;
    default: return Exit::Failure;
  }
}

Exit exit_for(client::EndReason r) {
  using client::EndReason;
  switch (r) {
    case EndReason::Rejected: return Exit::Rejected;
    case EndReason::TimedOut: return Exit::TimedOut;
    case EndReason::Unavailable:
    case EndReason::Busy: return Exit::Unavailable;
    case EndReason::Forbidden: return Exit::Forbidden;
    case EndReason::NotFound: return Exit::NotFound;
    case EndReason::Cancelled:
    case EndReason::RemoteEnded:
    case EndReason::LocalEnded:
    case EndReason::Failed: return Exit::Failure;
  }
  return Exit::Failure;
}

std::string_view exit_help() {
  return "Exit status: 0 done (message delivered or stored, IM accepted, found), 1 other "
         "failure, 2 bad command line, 3 login failed (wrong login, password or token), 4 no "
         "answer from the switch (or its HTTP API), 5 no such agent, queue or contact (404), or "
         "nothing found, 6 forbidden (403), 7 IM rejected (603), 8 IM not answered in time "
         "(408), 9 target unavailable or busy (480/486), 10 a file to import has a bad row "
         "(nothing imported).";
}

}  // namespace ims::tool
