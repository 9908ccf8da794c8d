#pragma once
// The start line and header fields of one message (RFC 3261 §7, §7.3), parsed in place in the
// buffer that becomes the Message's own. Private to common/sip: parser.cpp frames datagrams and
// streams around it; validate.cpp then checks the critical headers.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/sip/limits.hpp"
#include "common/sip/message_parts.hpp"
#include "common/util/result.hpp"

namespace ims::sip::detail {

struct Head {
  Message::Parts parts;  // body span not set yet
  std::size_t end = 0;   // offset just past the empty line that ends the header block
  std::size_t vias = 0;  // Via values after list splitting
};

// buf starts at the start line (leading CRLFs already skipped). Folded lines are unfolded to
// spaces in buf and list headers (is_split_list) become one field per element. Structural
// failures (no start line, no empty line, limits) are Errors; SIP-shaped defects (bad header
// line, control characters, unsupported version) are recorded in parts.fault.
Result<Head> parse_head(std::string&& buf, const Limits& limits);

// Whether a complete first line could start a SIP message: "SIP/x.y ..." or "... SIP/x.y".
// Lets a stream reject garbage (TLS, HTTP) on its first line instead of at the header limit.
bool plausible_start_line(std::string_view line);

}  // namespace ims::sip::detail
