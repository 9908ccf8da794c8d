#pragma once
// Messages built from other messages, as RFC 3261 prescribes.

#include <string_view>

#include "common/sip/message.hpp"

namespace ims::sip {

// §8.2.6.2: a response to req. Copies every Via (in order), From, To, Call-ID, CSeq and any
// Timestamp; adds to_tag to To when To has no tag and to_tag is not empty (never on 100).
// reason "" means the standard phrase.
Message make_response(const Message& req, int status, std::string_view reason = {},
                      std::string_view to_tag = {});

// §17.1.1.3: the ACK a client INVITE transaction sends for a non-2xx final response: same
// Request-URI, Call-ID, From, top Via and Route headers as the INVITE, To from the response,
// CSeq number of the INVITE with method ACK, Max-Forwards 70.
Message make_ack_for_non2xx(const Message& invite, const Message& response);

// §9.1: a CANCEL for a request sent by this element: same Request-URI, Call-ID, From, To
// (without a new tag), CSeq number with method CANCEL, the top Via only, and the Route headers.
Message make_cancel(const Message& request);

}  // namespace ims::sip
