#include "common/sip/builders.hpp"

#include <string>

namespace ims::sip {
namespace {

// Copies every field of id from src to dst, in order.
void copy_all(const Message& src, Message& dst, HeaderId id) {
  for (const HeaderField& f : src.fields())
    if (f.id == id) dst.add(id, src.value(f));
}

void copy_first(const Message& src, Message& dst, HeaderId id) {
  if (const auto v = src.find(id)) dst.add(id, *v);
}

// "<number> <METHOD>" for the CSeq of an ACK or CANCEL: same number as the request (§9.1,
// §17.1.1.3).
std::string cseq_with(const Message& req, std::string_view method) {
  const auto c = req.cseq();
  std::string out = std::to_string(c ? c->number : 0);
  out.push_back(' ');
  out.append(method);
  return out;
}

}  // namespace

Message make_response(const Message& req, int status, std::string_view reason,
                      std::string_view to_tag) {
  Message rsp = Message::response(status, reason);
  copy_all(req, rsp, HeaderId::Via);  // §8.2.6.2: all Vias, same order
  copy_first(req, rsp, HeaderId::From);
  if (const auto to = req.find(HeaderId::To)) {
    // §8.2.6.2: the UAS adds a tag when To has none; a 100 never carries one (§8.2.6.1).
    const auto parsed = req.to();
    if (!to_tag.empty() && status != 100 && parsed && parsed->tag.empty() &&
        !parsed->params.has("tag")) {
      std::string v(*to);
      v.append(";tag=").append(to_tag);
      rsp.add(HeaderId::To, v);
    } else {
      rsp.add(HeaderId::To, *to);
    }
  }
  copy_first(req, rsp, HeaderId::CallId);
  copy_first(req, rsp, HeaderId::CSeq);
  copy_first(req, rsp, HeaderId::Timestamp);  // §8.2.6.1
  return rsp;
}

Message make_ack_for_non2xx(const Message& invite, const Message& response) {
  Message ack = Message::request(Method::Ack, invite.request_uri());
  copy_first(invite, ack, HeaderId::Via);  // §17.1.1.3: the top Via only
  ack.add(HeaderId::MaxForwards, "70");
  copy_all(invite, ack, HeaderId::Route);
  copy_first(invite, ack, HeaderId::From);
  copy_first(response, ack, HeaderId::To);  // carries the tag the UAS chose
  copy_first(invite, ack, HeaderId::CallId);
  ack.add(HeaderId::CSeq, cseq_with(invite, "ACK"));
  return ack;
}

Message make_cancel(const Message& request) {
  Message cancel = Message::request(Method::Cancel, request.request_uri());
  copy_first(request, cancel, HeaderId::Via);  // §9.1: the top Via only
  cancel.add(HeaderId::MaxForwards, "70");
  copy_all(request, cancel, HeaderId::Route);
  copy_first(request, cancel, HeaderId::From);
  copy_first(request, cancel, HeaderId::To);
  copy_first(request, cancel, HeaderId::CallId);
  cancel.add(HeaderId::CSeq, cseq_with(request, "CANCEL"));
  return cancel;
}

}  // namespace ims::sip
