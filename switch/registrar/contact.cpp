#include "switch/registrar/contact.hpp"

#include <limits>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"

namespace ims::sw::registrar {
namespace {

class RegisterCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "registrar"; }
  std::string message(int ev) const override {
    switch (static_cast<RegisterErrc>(ev)) {
      case RegisterErrc::BadContact: return "Bad Contact";
      case RegisterErrc::UnsupportedScheme: return "Unsupported Contact URI Scheme";
      case RegisterErrc::InvalidQValue: return "Invalid q-value";
      case RegisterErrc::BadInstance: return "Bad +sip.instance";
      case RegisterErrc::BadRegId: return "Bad reg-id";
      case RegisterErrc::BadWildcard: return "Invalid Wildcard Contact";
      case RegisterErrc::MissingCallId: return "Missing Call-ID";
      case RegisterErrc::BadCSeq: return "Bad CSeq";
      case RegisterErrc::TooManyContacts: return "Too Many Contacts";
    }
    return "registrar error";
  }
};

Error fail(RegisterErrc e) { return Error{make_error_code(e), make_error_code(e).message()}; }

Result<ContactSpec> parse_contact(std::string_view value) {
  auto na = sip::parse_name_addr(value);
  if (!na) return fail(RegisterErrc::BadContact);
  const auto uri = sip::parse_uri(na->uri);
  if (!uri) {
    return fail(uri.error().code == sip::UriErrc::UnsupportedScheme
                    ? RegisterErrc::UnsupportedScheme
                    : RegisterErrc::BadContact);
  }
  if (uri->scheme == sip::UriScheme::Tel) return fail(RegisterErrc::UnsupportedScheme);

  ContactSpec c;
  c.uri = std::string(na->uri);
  c.display_name = std::string(na->display_name);
  c.params = strip_param(na->params.text(), "expires");  // per request, not per binding
  if (const auto e = na->params.get("expires"))
    c.expires = parse_delta_seconds(*e).value_or(kMalformedExpires);
  if (const auto q = na->params.get("q")) {
    const auto millis = parse_qvalue(*q);
    if (!millis) return fail(RegisterErrc::InvalidQValue);
    c.q_millis = *millis;
  }
  c.session_capable = feature_tag_set(na->params.text(), "+imswitch.session");
  if (const auto inst = na->params.get("+sip.instance")) {
    c.instance = sip::unquote(*inst);
    if (inst->empty() || c.instance.empty()) return fail(RegisterErrc::BadInstance);
  }
  if (const auto reg = na->params.get("reg-id")) {
    const auto n = util::parse_uint(*reg, 0x7fffffff);
    if (!n || *n == 0) return fail(RegisterErrc::BadRegId);
    c.reg_id = static_cast<std::uint32_t>(*n);
  }
  return c;
}

}  // namespace

const std::error_category& register_category() {
  static const RegisterCategory category;
  return category;
}

std::error_code make_error_code(RegisterErrc e) {
  return {static_cast<int>(e), register_category()};
}

int status_for(const std::error_code& code) {
  if (code == RegisterErrc::TooManyContacts) return 403;
  return 400;
}

std::optional<std::uint16_t> parse_qvalue(std::string_view text) {
  const std::string_view t = util::trim(text);
  if (t.empty() || (t[0] != '0' && t[0] != '1')) return std::nullopt;
  std::uint16_t millis = t[0] == '1' ? 1000 : 0;
  if (t.size() == 1) return millis;
  if (t[1] != '.' || t.size() > 5) return std::nullopt;
  std::uint16_t scale = 100;
  for (std::size_t i = 2; i < t.size(); ++i, scale /= 10) {
    const char d = t[i];
    if (d < '0' || d > '9') return std::nullopt;
    if (t[0] == '1' && d != '0') return std::nullopt;  // "1" ["." 0*3("0")]
    millis = static_cast<std::uint16_t>(millis + (d - '0') * scale);
  }
  return millis;
}

std::optional<std::uint32_t> parse_delta_seconds(std::string_view text) {
  const std::string_view t = util::trim(text);
  if (t.empty()) return std::nullopt;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  std::uint64_t v = 0;
  for (const char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > kMax) v = kMax + 1;  // saturate; stays far from overflow
  }
  return static_cast<std::uint32_t>(v > kMax ? kMax : v);
}

std::string strip_param(std::string_view params, std::string_view name) {
  const sip::Params p(params);
  if (!p.has(name)) return std::string(util::trim(params));
  std::string out;
  for (const auto& param : p.all()) {
    if (util::iequals(param.name, name)) continue;
    out.append(";").append(param.name);
    if (param.has_value) out.append("=").append(param.value);
  }
  return out;
}

bool feature_tag_set(std::string_view params, std::string_view name) {
  const auto v = sip::Params(params).get(name);
  if (!v) return false;
  if (v->empty()) return true;  // a flag: RFC 3840 §9, boolean TRUE
  return util::iequals(sip::unquote(*v), "TRUE");
}

Result<RegisterRequest> parse_register(const sip::Message& request, std::size_t max_contacts) {
  RegisterRequest out;
  out.call_id = std::string(util::trim(request.call_id()));
  if (out.call_id.empty()) return fail(RegisterErrc::MissingCallId);
  const auto cseq = request.cseq();
  if (!cseq) return fail(RegisterErrc::BadCSeq);
  out.cseq = cseq->number;

  if (const auto e = request.find(sip::HeaderId::Expires))
    out.expires_header = parse_delta_seconds(*e).value_or(kMalformedExpires);

  // The parser gives one value per list element; a message built locally may not, so split
  // again (harmless on single elements).
  std::vector<std::string_view> values;
  for (const auto v : request.values(sip::HeaderId::Contact)) {
    for (const auto e : sip::split_list(v)) {
      if (values.size() == max_contacts) return fail(RegisterErrc::TooManyContacts);
      values.push_back(e);
    }
  }

  bool star = false;
  for (const auto v : values) {
    if (util::trim(v) == "*") {
      star = true;
      continue;
    }
    auto c = parse_contact(v);
    if (!c) return c.error();
    out.contacts.push_back(std::move(*c));
  }
  if (star) {
    // §10.3 step 6: "*" only alone and only with an expiration of zero.
    if (values.size() != 1 || out.expires_header != 0u) return fail(RegisterErrc::BadWildcard);
    out.wildcard = true;
  }
  return out;
}

}  // namespace ims::sw::registrar
