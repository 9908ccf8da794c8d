#pragma once
// Header names the stack knows, their canonical spelling and compact forms (RFC 3261 §7.3.3,
// §20). Everything else is HeaderId::Other and round-trips with its spelling unchanged.

#include <cstdint>
#include <string_view>

namespace ims::sip {

enum class HeaderId : std::uint8_t {
  Other,
  Via, From, To, CallId, CSeq, MaxForwards, ContentLength, ContentType, Contact, Route,
  RecordRoute, Expires, MinExpires, Allow, Supported, Require, ProxyRequire, Unsupported,
  Accept, AcceptEncoding, AcceptLanguage, ContentEncoding, ContentDisposition, UserAgent,
  Server, Authorization, ProxyAuthorization, WwwAuthenticate, ProxyAuthenticate,
  AuthenticationInfo, Date, Timestamp, Subject, Event, AllowEvents, SubscriptionState, Reason,
  Warning, RetryAfter, Priority, Organization, ReferTo, ReferredBy, SessionExpires, MinSe,
  RSeq, RAck, Path, ServiceRoute, PAssertedIdentity, Privacy, ErrorInfo, AlertInfo, CallInfo,
  InReplyTo, ReplyTo, MimeVersion, AcceptContact, RejectContact, RequestDisposition,
  Identity, IdentityInfo
};

// Looks a header name up case-insensitively, compact forms included ("v" -> Via).
HeaderId header_id_from_name(std::string_view name);
// The canonical spelling used when the stack writes a header ("Call-ID", "CSeq", "WWW-Authenticate").
std::string_view canonical_name(HeaderId id);  // "" for Other

// Headers whose values are comma-separated lists that the parser splits into one field per
// element (RFC 3261 §7.3.1): Via, Route, Record-Route, Contact, Path, Service-Route.
bool is_split_list(HeaderId id);

}  // namespace ims::sip
