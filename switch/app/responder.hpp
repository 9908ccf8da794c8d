#pragma once
// What imswitch answers at this stage, before it has a registrar, a proxy or IM sessions: the
// final response RFC 3261 allows for each request when nothing is routable yet. Later issues
// replace the 404/481 answers with real behaviour. Sans-I/O: a request in, a response out.
//
// Order of checks (RFC 3261 §8.2 as a UAS, with the proxy checks of §16.3 the switch will make
// once it forwards):
//   ACK                                   -> no response (§17.2.1: ACK is never answered)
//   Request-URI scheme not sip/sips/tel   -> 416 (§8.2.2.1)
//   Max-Forwards 0, not OPTIONS           -> 483 (§16.3 step 3; OPTIONS is answered, §11)
//   CANCEL (that matched no transaction)  -> 481 (§9.2)
//   Require/Proxy-Require unknown tags    -> 420 with Unsupported (§8.2.2.3, §16.3 step 5)
//   unrecognised method                   -> 501 (§8.2.1)
//   recognised, not supported method      -> 405 with Allow (§8.2.1)
//   OPTIONS                               -> 200 with Allow, Accept, Supported (§11.2) and
//                                            Allow-Events (RFC 6665 §4.4.4)
//   To tag present (no dialog exists)     -> 481 (§12.2.2)
//   BYE outside a dialog                  -> 481 (§15.1.2)
//   INVITE, MESSAGE, REGISTER, PUBLISH    -> 404 (no directory yet)
// Every OPTIONS is treated as addressed to the switch itself, whatever its Request-URI: there is
// nothing to forward it to yet.

#include <optional>
#include <string_view>

#include "common/sip/message.hpp"
#include "common/sip/uri.hpp"
#include "common/util/result.hpp"

namespace ims::sw::app {

// The methods imswitch accepts (Allow, §20.5) and the bodies it understands (Accept, §20.1).
inline constexpr std::string_view kAllow =
    "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, REGISTER, PUBLISH, SUBSCRIBE";
// The event packages the switch is a notifier for (RFC 6665 §8.2.2), told in OPTIONS answers.
inline constexpr std::string_view kAllowEvents = "presence";
inline constexpr std::string_view kAccept =
    "text/plain, message/cpim, multipart/mixed, application/sdp";
// Option tags imswitch implements (§19.2). None yet: path (RFC 3327) and outbound (RFC 5626)
// are claimed only once the registrar honours them.
inline constexpr std::string_view kSupported = "";
inline constexpr std::string_view kServer = "imswitch/0.1.0";

// A response to req from the switch itself (make_response() plus Server).
sip::Message reply(const sip::Message& req, int status, std::string_view to_tag,
                   std::string_view reason = {});

// The checks every request passes before any service sees it: Request-URI (416, 400),
// Max-Forwards (483), Require/Proxy-Require (420). nullopt when the request passes (or is an
// ACK, which is never answered).
std::optional<sip::Message> check_request(const sip::Message& req, std::string_view to_tag);
// The same, for a caller that has parsed the Request-URI already.
std::optional<sip::Message> check_request(const sip::Message& req,
                                          const Result<sip::Uri>& request_uri,
                                          std::string_view to_tag);

// The response to req, or nullopt when none is sent (ACK). to_tag is used when the request has
// no To tag (§8.2.6.2).
std::optional<sip::Message> respond(const sip::Message& req, std::string_view to_tag);

}  // namespace ims::sw::app
