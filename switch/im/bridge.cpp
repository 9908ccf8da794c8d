#include "switch/im/bridge.hpp"

#include <fmt/format.h>

#include "common/sip/header_values.hpp"
#include "common/util/strings.hpp"

namespace ims::sw::im {

namespace {

// Whitespace a phone keyboard adds around a command: spaces, tabs, line ends.
std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool is_type(std::string_view content_type, std::string_view type, std::string_view subtype) {
  const auto ct = sip::parse_content_type(content_type);
  return ct && util::iequals(ct->type, type) && util::iequals(ct->subtype, subtype);
}

Error not_shown(std::string what) {
  return Error{std::make_error_code(std::errc::not_supported), std::move(what)};
}

// Splits `text` at its first empty line (CRLF or LF endings): the header block and the rest.
std::optional<std::pair<std::string_view, std::string_view>> split_headers(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    if (i + 1 < text.size() && text[i + 1] == '\n') return std::pair{text.substr(0, i), text.substr(i + 2)};
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n')
      return std::pair{text.substr(0, i), text.substr(i + 3)};
  }
  return std::nullopt;
}

// The Content-Type value in a MIME header block; empty when there is none.
std::string_view content_type_in(std::string_view headers) {
  while (!headers.empty()) {
    const std::size_t nl = headers.find('\n');
    std::string_view line = headers.substr(0, nl);
    headers = nl == std::string_view::npos ? std::string_view() : headers.substr(nl + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (util::iequals(trimmed(line.substr(0, colon)), "content-type"))
      return trimmed(line.substr(colon + 1));
  }
  return {};
}

}  // namespace

PlainCommand plain_command(std::string_view text) {
  const std::string_view t = trimmed(text);
  if (util::iequals(t, "/end")) return PlainCommand::End;
  if (util::iequals(t, "/reject")) return PlainCommand::Reject;
  return PlainCommand::Text;
}

std::string_view plain_step_name(PlainStep step) {
  switch (step) {
    case PlainStep::Accept: return "accept";
    case PlainStep::Decline: return "decline";
    case PlainStep::Relay: return "relay";
    case PlainStep::End: return "end";
    case PlainStep::Withdraw: return "withdraw";
    case PlainStep::Hold: return "hold";
    case PlainStep::NotMine: return "not-mine";
  }
  return "not-mine";
}

PlainStep plain_step(PlainRole role, State state, bool open, PlainCommand command) {
  if (!open) return PlainStep::NotMine;
  switch (state) {
    case State::Establishing:
      if (role == PlainRole::Invited)
        return command == PlainCommand::Text ? PlainStep::Accept : PlainStep::Decline;
      return command == PlainCommand::Text ? PlainStep::Hold : PlainStep::Withdraw;
    case State::Connected:
      // Once connected, /reject can only mean "I want out".
      return command == PlainCommand::Text ? PlainStep::Relay : PlainStep::End;
    case State::Ended:
      return PlainStep::NotMine;
  }
  return PlainStep::NotMine;
}

Result<std::string> plain_text(std::string_view content_type, std::string_view body) {
  if (content_type.empty() || is_type(content_type, "text", "plain")) return std::string(body);
  if (!is_type(content_type, "message", "cpim"))
    return not_shown(fmt::format("a {} body has no text to show", content_type));
  // RFC 3862 §3: the message headers, an empty line, the MIME headers of the payload, an empty
  // line, the payload.
  const auto outer = split_headers(body);
  if (!outer) return not_shown("message/cpim without its header block");
  const auto inner = split_headers(outer->second);
  if (!inner) return not_shown("message/cpim without the payload's headers");
  const std::string_view type = content_type_in(inner->first);
  if (!type.empty() && !is_type(type, "text", "plain"))
    return not_shown(fmt::format("message/cpim carrying {}", type));
  return std::string(inner->second);
}

std::string invitation_text(std::string_view from_name, std::string_view first_message) {
  return fmt::format("IM from {}: {} \xE2\x80\x94 reply to accept, /reject to decline", from_name,
                     first_message);
}

std::string withdrawn_text(std::string_view from_name, bool timed_out) {
  if (timed_out) return fmt::format("The IM from {} was not answered in time.", from_name);
  return fmt::format("{} withdrew the IM.", from_name);
}

std::string ended_text(std::string_view by_name, EndReason reason,
                       std::chrono::milliseconds idle) {
  if (!by_name.empty()) return fmt::format("Session ended by {}.", by_name);
  switch (reason) {
    case EndReason::Idle:
      return fmt::format("Session ended: no message for {} min.",
                         std::chrono::duration_cast<std::chrono::minutes>(idle).count());
    case EndReason::DeadLeg:
      return "Session ended: the other party cannot be reached.";
    case EndReason::Shutdown:
      return "Session ended: the switch is stopping.";
    case EndReason::Rejected:
    case EndReason::Busy:
    case EndReason::Unavailable:
    case EndReason::TimedOut:
    case EndReason::Cancelled:
    case EndReason::Bye:
      break;
  }
  return "Session ended.";
}

std::string no_agent_text(int status) {
  return fmt::format("No agent could take your message now ({}). Please write again later.",
                     status);
}

std::string left_for_text(std::string_view agent_name) {
  return fmt::format("{} could not take a conversation now. Your message was left for them.",
                     agent_name);
}

std::string unshown_text(std::string_view content_type) {
  return fmt::format("[a {} message this device cannot show]", content_type);
}

std::string empty_sdp(std::string_view session_id, std::string_view address) {
  const bool v6 = address.find(':') != std::string_view::npos;
  // RFC 4566 §5.2: sess-id is numeric; any stable number of the session does.
  std::uint64_t id = 0;
  for (char c : session_id) id = id * 31 + static_cast<unsigned char>(c);
  return fmt::format("v=0\r\no=imswitch {} 1 IN {} {}\r\ns=-\r\nt=0 0\r\n", id % 10000000000ULL,
                     v6 ? "IP6" : "IP4", address);
}

}  // namespace ims::sw::im
