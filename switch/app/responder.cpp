#include "switch/app/responder.hpp"

#include <string>
#include <vector>

#include "common/sip/builders.hpp"
#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"

namespace ims::sw::app {

namespace {

using sip::HeaderId;
using sip::Method;

// Option tags in Require and Proxy-Require that we do not support: all of them, as kSupported
// is empty (§8.2.2.3).
std::vector<std::string_view> unsupported_tags(const sip::Message& req) {
  std::vector<std::string_view> out;
  for (auto id : {HeaderId::Require, HeaderId::ProxyRequire}) {
    for (auto value : req.values(id)) {
      for (auto tag : sip::split_list(value)) {
        bool seen = false;
        for (auto t : out) seen = seen || util::iequals(t, tag);
        if (!seen) out.push_back(tag);
      }
    }
  }
  return out;
}

// §8.2.1: a method the switch recognises but does not allow, answered 405 with Allow.
bool recognised_not_allowed(Method m) {
  switch (m) {
    case Method::Info:
    case Method::Update:
    case Method::Prack:
    case Method::Notify:
    case Method::Refer:
      return true;
    case Method::Subscribe:  // watching agent state (RFC 6665), subscribe.cpp
    case Method::Publish:    // agent state (RFC 3903), publish.cpp
    case Method::Invite:
    case Method::Ack:
    case Method::Bye:
    case Method::Cancel:
    case Method::Options:
    case Method::Register:
    case Method::Message:
    case Method::Unknown:
      return false;
  }
  return false;
}

}  // namespace

sip::Message reply(const sip::Message& req, int status, std::string_view to_tag,
                   std::string_view reason) {
  sip::Message rsp = sip::make_response(req, status, reason, to_tag);
  rsp.add(HeaderId::Server, kServer);
  return rsp;
}

std::optional<sip::Message> check_request(const sip::Message& req, std::string_view to_tag) {
  if (req.method() == Method::Ack) return std::nullopt;
  return check_request(req, sip::parse_uri(req.request_uri()), to_tag);
}

std::optional<sip::Message> check_request(const sip::Message& req,
                                          const Result<sip::Uri>& uri, std::string_view to_tag) {
  const Method m = req.method();
  if (m == Method::Ack) return std::nullopt;
  // §8.2.2.1: a scheme we do not serve is 416; a Request-URI we cannot read at all is 400
  // (RFC 5118 §4.2: an IPv6 reference without brackets, say).
  if (!uri) {
    if (uri.error().code == sip::make_error_code(sip::UriErrc::UnsupportedScheme))
      return reply(req, 416, to_tag);
    return reply(req, 400, to_tag, "Bad Request-URI");
  }
  if (req.max_forwards() == 0 && m != Method::Options) return reply(req, 483, to_tag);
  if (auto tags = unsupported_tags(req); !tags.empty()) {
    sip::Message rsp = reply(req, 420, to_tag);
    std::string list;
    for (auto t : tags) list += (list.empty() ? "" : ", ") + std::string(t);
    rsp.add(HeaderId::Unsupported, list);
    return rsp;
  }
  return std::nullopt;
}

std::optional<sip::Message> respond(const sip::Message& req, std::string_view to_tag) {
  const Method m = req.method();
  if (m == Method::Ack) return std::nullopt;
  if (m == Method::Cancel) {
    // 416/483 first, as before; a CANCEL that reached the TU matched nothing (§9.2).
    if (auto early = check_request(req, to_tag); early && early->status() != 420) return early;
    return reply(req, 481, to_tag);
  }
  if (auto early = check_request(req, to_tag)) return early;

  if (m == Method::Unknown) {
    sip::Message rsp = reply(req, 501, to_tag);
    rsp.add(HeaderId::Allow, kAllow);
    return rsp;
  }
  if (recognised_not_allowed(m)) {
    sip::Message rsp = reply(req, 405, to_tag);
    rsp.add(HeaderId::Allow, kAllow);  // §8.2.1: a 405 MUST carry Allow
    return rsp;
  }

  if (m == Method::Options) {
    // §11.2: the capabilities a request sent to us now would meet.
    sip::Message rsp = reply(req, 200, to_tag);
    rsp.add(HeaderId::Allow, kAllow);
    rsp.add(HeaderId::Accept, kAccept);
    rsp.add(HeaderId::Supported, kSupported);
    rsp.add(HeaderId::AllowEvents, kAllowEvents);
    return rsp;
  }

  if (!req.to_tag().empty()) return reply(req, 481, to_tag);  // §12.2.2: no dialog exists
  if (m == Method::Bye) return reply(req, 481, to_tag);       // §15.1.2
  return reply(req, 404, to_tag);  // INVITE, MESSAGE, REGISTER: no such user yet
}

}  // namespace ims::sw::app
