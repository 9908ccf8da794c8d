#include "common/dialog/dialog.hpp"

#include <functional>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"

namespace ims::dialog {
namespace {

class DialogCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "dialog"; }
  std::string message(int c) const override {
    switch (static_cast<DialogErrc>(c)) {
      case DialogErrc::MissingTag:
        return "missing dialog tag";
      case DialogErrc::BadContact:
        return "missing or unusable Contact";
      case DialogErrc::BadHeader:
        return "unusable dialog header";
    }
    return "unknown dialog error";
  }
};

Error fail(DialogErrc e, std::string what) { return Error{make_error_code(e), std::move(what)}; }

// The name-addr of a From/To value without its tag parameter, so that the tag can be written
// afresh: `"Bob" <sip:bob@example.com>;tag=x` -> `"Bob" <sip:bob@example.com>`.
std::string without_tag(const sip::NameAddr& a) {
  std::string out;
  if (!a.display_name.empty()) out.append(a.display_name).push_back(' ');
  out.push_back('<');
  out.append(a.uri);
  out.push_back('>');
  for (const auto& p : a.params.all()) {
    if (p.name.size() == 3 && (p.name[0] | 0x20) == 't' && (p.name[1] | 0x20) == 'a' &&
        (p.name[2] | 0x20) == 'g')
      continue;
    out.push_back(';');
    out.append(p.name);
    if (p.has_value) out.append("=").append(p.value);
  }
  return out;
}

// The URI of the first Contact (§12.1.1, §12.1.2: the remote target), checked to be SIP(S).
Result<std::string> contact_uri(const sip::Message& m) {
  const auto v = m.find(sip::HeaderId::Contact);
  if (!v) return fail(DialogErrc::BadContact, "no Contact");
  const auto a = sip::parse_name_addr(*v);
  if (!a) return fail(DialogErrc::BadContact, "unparsable Contact");
  const auto u = sip::parse_uri(a->uri);
  if (!u || u->scheme == sip::UriScheme::Tel) return fail(DialogErrc::BadContact, "Contact URI");
  return std::string(a->uri);
}

// Record-Route values one per element, each checked to be a name-addr.
Result<std::vector<std::string>> record_routes(const sip::Message& m) {
  std::vector<std::string> out;
  for (const auto v : m.values(sip::HeaderId::RecordRoute)) {
    if (!sip::parse_name_addr(v)) return fail(DialogErrc::BadHeader, "unparsable Record-Route");
    out.emplace_back(v);
  }
  return out;
}

bool is_loose(std::string_view route) {
  const auto a = sip::parse_name_addr(route);
  if (!a) return true;
  const auto u = sip::parse_uri(a->uri);
  return !u || u->params.has("lr");
}

bool uri_is_sips(std::string_view uri) {
  const auto u = sip::parse_uri(uri);
  return u && u->scheme == sip::UriScheme::Sips;
}

void hash_mix(std::size_t& h, std::string_view s) {
  h ^= std::hash<std::string_view>{}(s) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

}  // namespace

const std::error_category& dialog_category() {
  static const DialogCategory c;
  return c;
}
std::error_code make_error_code(DialogErrc e) { return {static_cast<int>(e), dialog_category()}; }

std::size_t DialogIdHash::operator()(const DialogId& id) const noexcept {
  std::size_t h = 0;
  hash_mix(h, id.call_id);
  hash_mix(h, id.local_tag);
  hash_mix(h, id.remote_tag);
  return h;
}

std::optional<DialogId> id_of_received_request(const sip::Message& request) {
  const auto to_tag = request.to_tag();
  if (to_tag.empty()) return std::nullopt;
  return DialogId{std::string(request.call_id()), std::string(to_tag),
                  std::string(request.from_tag())};
}

std::optional<DialogId> id_of_received_response(const sip::Message& response) {
  const auto to_tag = response.to_tag();
  if (to_tag.empty()) return std::nullopt;
  return DialogId{std::string(response.call_id()), std::string(response.from_tag()),
                  std::string(to_tag)};
}

Result<Dialog> Dialog::from_uac(const sip::Message& invite, const sip::Message& response) {
  const auto from = invite.from();
  const auto to = response.to();
  const auto cseq = invite.cseq();
  if (!from || !to || !cseq || invite.call_id().empty())
    return fail(DialogErrc::BadHeader, "From, To, Call-ID or CSeq");
  if (to->tag.empty()) return fail(DialogErrc::MissingTag, "response without a To tag");
  if (from->tag.empty()) return fail(DialogErrc::MissingTag, "request without a From tag");
  auto target = contact_uri(response);
  if (!target) return target.error();
  auto routes = record_routes(response);
  if (!routes) return routes.error();

  Dialog d;
  d.id_ = DialogId{std::string(invite.call_id()), std::string(from->tag), std::string(to->tag)};
  d.local_uri_ = without_tag(*from);
  d.remote_uri_ = without_tag(*to);
  if (const auto c = invite.find(sip::HeaderId::Contact)) d.local_contact_ = std::string(*c);
  d.remote_target_ = std::move(*target);
  // §12.1.2: the route set is the Record-Route of the response, in reverse order.
  d.route_set_.assign(routes->rbegin(), routes->rend());
  d.local_seq_ = cseq->number;
  d.secure_ = uri_is_sips(invite.request_uri());
  return d;
}

Result<Dialog> Dialog::from_uas(const sip::Message& invite, std::string_view local_tag,
                                std::string_view local_contact) {
  const auto from = invite.from();
  const auto to = invite.to();
  const auto cseq = invite.cseq();
  if (!from || !to || !cseq || invite.call_id().empty())
    return fail(DialogErrc::BadHeader, "From, To, Call-ID or CSeq");
  if (from->tag.empty()) return fail(DialogErrc::MissingTag, "request without a From tag");
  if (local_tag.empty()) return fail(DialogErrc::MissingTag, "no local tag");
  auto target = contact_uri(invite);
  if (!target) return target.error();
  auto routes = record_routes(invite);
  if (!routes) return routes.error();

  Dialog d;
  d.id_ = DialogId{std::string(invite.call_id()), std::string(local_tag), std::string(from->tag)};
  d.local_uri_ = without_tag(*to);
  d.remote_uri_ = without_tag(*from);
  d.local_contact_ = std::string(local_contact);
  d.remote_target_ = std::move(*target);
  d.route_set_ = std::move(*routes);  // §12.1.1: in the order of the request
  d.remote_seq_ = cseq->number;
  // §12.1.1: the local sequence starts empty; ours begin at a value of our choosing.
  d.local_seq_ = 0;
  d.secure_ = uri_is_sips(invite.request_uri());
  return d;
}

sip::Message Dialog::make_request(sip::Method method) {
  ++local_seq_;
  sip::Message req = sip::Message::request(method, remote_target_);
  // §12.2.1.1: with a loose router first the Request-URI is the remote target and the route set
  // goes into Route as is; with a strict router first its URI becomes the Request-URI and the
  // remote target closes the Route list.
  if (!route_set_.empty() && !is_loose(route_set_.front())) {
    const auto first = sip::parse_name_addr(route_set_.front());
    req.set_request_uri(first ? first->uri : std::string_view(remote_target_));
    for (std::size_t i = 1; i < route_set_.size(); ++i)
      req.add(sip::HeaderId::Route, route_set_[i]);
    req.add(sip::HeaderId::Route, "<" + remote_target_ + ">");
  } else {
    for (const auto& r : route_set_) req.add(sip::HeaderId::Route, r);
  }
  req.add(sip::HeaderId::MaxForwards, "70");
  req.add(sip::HeaderId::From, local_uri_ + ";tag=" + id_.local_tag);
  req.add(sip::HeaderId::To, remote_uri_ + ";tag=" + id_.remote_tag);
  req.add(sip::HeaderId::CallId, id_.call_id);
  std::string cseq = std::to_string(local_seq_);
  cseq.push_back(' ');
  cseq.append(sip::method_name(method));
  req.add(sip::HeaderId::CSeq, cseq);
  if (!local_contact_.empty()) req.add(sip::HeaderId::Contact, local_contact_);
  return req;
}

sip::Message Dialog::make_ack(std::uint32_t invite_cseq) const {
  Dialog copy = *this;
  copy.local_seq_ = invite_cseq - 1;  // make_request adds one
  sip::Message ack = copy.make_request(sip::Method::Ack);
  ack.remove(sip::HeaderId::Contact);
  return ack;
}

std::optional<Refusal> Dialog::on_request(const sip::Message& request) {
  const auto cseq = request.cseq();
  if (!cseq) return Refusal{400, "Bad CSeq"};
  const auto m = request.method();
  if (m == sip::Method::Ack || m == sip::Method::Cancel) return std::nullopt;
  // §12.2.2: a lower CSeq is out of order (500); an equal one is a retransmission the transaction
  // layer should have absorbed, so it is refused the same way.
  if (remote_seq_ && cseq->number <= *remote_seq_) return Refusal{500, "CSeq Out of Order"};
  remote_seq_ = cseq->number;
  // Target refresh requests: re-INVITE, UPDATE (RFC 3311 §5.1) and SUBSCRIBE (RFC 6665 §4.1.2).
  if (m == sip::Method::Invite || m == sip::Method::Update || m == sip::Method::Subscribe) {
    if (auto target = contact_uri(request)) remote_target_ = std::move(*target);
  }
  return std::nullopt;
}

void Dialog::on_refresh_response(const sip::Message& response) {
  if (response.status() < 200 || response.status() > 299) return;
  if (auto target = contact_uri(response)) remote_target_ = std::move(*target);
}

}  // namespace ims::dialog
