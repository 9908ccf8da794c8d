#include "common/sip/validate.hpp"

#include <string>

#include "common/sip/chars.hpp"
#include "common/util/strings.hpp"

namespace ims::sip::detail {
namespace {

void fault(Message::Parts& m, int status, std::string reason) {
  if (!m.fault) m.fault = Fault{status, std::move(reason)};
}

std::string_view view(const Message::Parts& p, Span s) { return {p.buf.data() + s.off, s.len}; }

// A header that may appear once (RFC 3261 §7.3.1: only list headers may repeat). Repeats with
// the same value are tolerated; different values are a 400 (RFC 4475 §3.3.8, §3.3.9).
struct Single {
  std::string_view value;
  int count = 0;
  bool conflict = false;
  void note(std::string_view v) {
    if (count++ == 0)
      value = v;
    else if (v != value)
      conflict = true;
  }
};

// Missing, conflicting or unparseable: the reason phrase names the header.
bool check_single(Message::Parts& m, const Single& s, std::string_view name, bool valid) {
  if (s.count == 0)
    fault(m, 400, "Missing " + std::string(name));
  else if (s.conflict)
    fault(m, 400, "Conflicting " + std::string(name));
  else if (!valid)
    fault(m, 400, "Bad " + std::string(name));
  else
    return true;
  return false;
}

// callid = word ["@" word] (RFC 3261 §25.1). Only whitespace is refused: clients put
// base64 ('=') and other non-word characters in Call-IDs, and the value is only ever compared.
bool valid_call_id(std::string_view v) {
  return !v.empty() && v.find(' ') == std::string_view::npos &&
         v.find('\t') == std::string_view::npos;
}

// A light Request-URI check; the full URI grammar is uri.hpp's. 0 when acceptable, else the
// status to answer: 400 when it is not an absolute URI, holds LWS (RFC 4475 §3.1.2.8) or is a
// SIP URI with headers (§19.1.1 Table 1, RFC 4475 §3.1.2.11), 416 for schemes other than sip,
// sips and tel (§8.2.2.1).
int request_uri_status(std::string_view uri) {
  if (uri.empty() || !chars::is(uri[0], chars::kAlpha)) return 400;
  std::size_t n = 0;
  while (n < uri.size() && chars::is(uri[n], chars::kScheme)) ++n;
  if (n >= uri.size() - 1 || uri[n] != ':') return 400;
  // One pass: characters a URI cannot hold, and a '?' after the last '@' (the headers part).
  bool question = false;
  for (std::size_t i = n + 1; i < uri.size(); ++i) {
    const char c = uri[i];
    if (!chars::is(c, chars::kUri)) return 400;  // '<', '>', '"', LWS
    if (c == '@') question = false;
    if (c == '?') question = true;
  }
  const std::string_view scheme = uri.substr(0, n);
  if (chars::equals_lower(scheme, "sip") || chars::equals_lower(scheme, "sips"))
    return question ? 400 : 0;
  return chars::equals_lower(scheme, "tel") ? 0 : 416;
}

}  // namespace

ContentLength validate(Message::Parts& m, std::size_t vias, const Limits& limits) {
  Single call_id, from, to, cseq, max_forwards, length;
  bool bad_via = false;
  std::size_t checked_vias = 0;
  for (const HeaderField& f : m.fields) {
    const std::string_view v = view(m, f.value);
    switch (f.id) {
      case HeaderId::Via:
        if (!bad_via && checked_vias++ < limits.max_vias) bad_via = !parse_via(v).ok();
        break;
      case HeaderId::CallId: call_id.note(v); break;
      case HeaderId::From: from.note(v); break;
      case HeaderId::To: to.note(v); break;
      case HeaderId::CSeq: cseq.note(v); break;
      case HeaderId::MaxForwards: max_forwards.note(v); break;
      case HeaderId::ContentLength: length.note(v); break;
      default: break;
    }
  }

  // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory in requests;
  // a response without them cannot be matched to a transaction (§17.1.3) and is dropped.
  check_single(m, call_id, "Call-ID", valid_call_id(call_id.value));
  check_single(m, from, "From", from.count > 0 && parse_name_addr(from.value).ok());
  check_single(m, to, "To", to.count > 0 && parse_name_addr(to.value).ok());
  if (cseq.count > 0 && !cseq.conflict) {
    const auto c = parse_cseq(cseq.value);
    if (!c)
      fault(m, 400, "Bad CSeq");
    else if (m.is_request && c->method_text != view(m, m.method_text))
      fault(m, 400, "CSeq Method Mismatch");  // RFC 4475 §3.1.2.17, §3.1.2.18
  } else {
    check_single(m, cseq, "CSeq", true);
  }
  if (vias == 0)
    fault(m, 400, "Missing Via");
  else if (vias > limits.max_vias)
    fault(m, 400, "Too Many Via Headers");
  else if (bad_via)
    fault(m, 400, "Bad Via");

  if (m.is_request) {
    // §20.22: Max-Forwards = 1*DIGIT, 0-255. RFC 4475 §3.1.2.4 allows a 400 for 300.
    if (max_forwards.conflict)
      fault(m, 400, "Conflicting Max-Forwards");
    else if (std::uint64_t v = 0;
             max_forwards.count > 0 && !chars::parse_decimal(max_forwards.value, 255, v))
      fault(m, 400, "Bad Max-Forwards");
    if (const int status = request_uri_status(view(m, m.request_uri)); status == 400)
      fault(m, 400, "Bad Request-URI");
    else if (status == 416)
      fault(m, 416, "Unsupported URI Scheme");
  }

  ContentLength cl;
  if (length.count == 0) return cl;
  if (length.conflict) {
    cl.state = ContentLength::State::Conflicting;
    return cl;
  }
  // §20.14: 1*DIGIT. A sign, spaces inside or a value past any sane size is invalid.
  std::uint64_t n = 0;
  if (!chars::parse_decimal(length.value, std::uint64_t(1) << 40, n)) {
    cl.state = ContentLength::State::Invalid;
    return cl;
  }
  cl.state = ContentLength::State::Valid;
  cl.value = std::size_t(n);
  return cl;
}

}  // namespace ims::sip::detail
