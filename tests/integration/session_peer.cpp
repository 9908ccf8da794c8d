#include "tests/integration/session_peer.hpp"

#include <chrono>
#include <cstdlib>

#include "tests/integration/agent_client.hpp"

namespace ims::test {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The URI of a name-addr header value: "<sip:a@b>;tag=x" -> "sip:a@b".
std::string uri_of(const std::string& value) {
  const auto lt = value.find('<');
  if (lt != std::string::npos) {
    const auto gt = value.find('>', lt);
    return value.substr(lt + 1, gt == std::string::npos ? std::string::npos : gt - lt - 1);
  }
  return value.substr(0, value.find(';'));
}

std::uint32_t cseq_number(const SipMessage& m) {
  return static_cast<std::uint32_t>(std::strtoul(m.header("CSeq").value_or("0").c_str(), nullptr,
                                                 10));
}

std::string cseq_method(const SipMessage& m) {
  const std::string v = m.header("CSeq").value_or("");
  const auto sp = v.find(' ');
  return sp == std::string::npos ? std::string() : v.substr(sp + 1);
}

std::string request_key(const SipMessage& m) {
  return m.header("Call-ID").value_or("") + "|" + m.header("CSeq").value_or("") + "|" +
         m.param("Via", "branch").value_or("");
}

std::string method_of(const SipMessage& m) { return m.start_line.substr(0, m.start_line.find(' ')); }

std::string reason_for(int status) {
  switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 200: return "OK";
    case 481: return "Call/Transaction Does Not Exist";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 603: return "Decline";
    default: return "Status";
  }
}

// Credentials for the first challenge this peer can answer (SHA-256 or MD5).
std::optional<std::string> answer_challenge(const SipMessage& challenge, std::string_view user,
                                            std::string_view password, std::string_view method,
                                            std::string_view uri) {
  for (const auto& c : challenges_of(challenge)) {
    Digest alg = Digest::Md5;
    if (c.algorithm == "SHA-256") {
      alg = Digest::Sha256;
    } else if (!c.algorithm.empty() && c.algorithm != "MD5") {
      continue;
    }
    return digest_credentials(alg, c, user, password, method, uri, 1, unique_token());
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<SessionPeer> SessionPeer::open(const SwitchProcess& sw, std::string login,
                                               std::string* error) {
  std::unique_ptr<SessionPeer> p(new SessionPeer());
  p->udp_ = UdpClient::open(false, error);
  if (!p->udp_) return nullptr;
  p->switch_ = sw.udp();
  p->login_ = login;
  p->password_ = "pw-" + login;
  return p;
}

std::string SessionPeer::aor() const { return "sip:" + login_ + "@127.0.0.1"; }

std::string SessionPeer::contact() const {
  return "sip:" + login_ + "@" + udp_->local_hostport();
}

void SessionPeer::send(const std::string& text) { udp_->send_to(switch_, text); }

bool SessionPeer::pump(Millis timeout) {
  auto d = udp_->receive(timeout);
  if (!d) return false;
  auto m = parse_sip(*d);
  if (!m) return true;
  if (m->status > 0) {
    responses_.push_back(std::move(*m));
    return true;
  }
  const std::string key = request_key(*m);
  if (auto it = answered_.find(key); it != answered_.end()) {
    if (!it->second.empty()) send(it->second);  // a retransmission: our answer again
    return true;
  }
  if (method_of(*m) != "ACK") answered_[key] = "";
  requests_.push_back(std::move(*m));
  return true;
}

std::optional<SipMessage> SessionPeer::take_response(std::string_view call_id,
                                                     std::uint32_t cseq, std::string_view method,
                                                     bool final_only) {
  for (auto it = responses_.begin(); it != responses_.end(); ++it) {
    if (it->header("Call-ID").value_or("") != call_id || cseq_number(*it) != cseq) continue;
    if (!method.empty() && cseq_method(*it) != method) continue;
    if (final_only && it->status < 200) continue;
    SipMessage m = std::move(*it);
    responses_.erase(it);
    return m;
  }
  return std::nullopt;
}

std::string SessionPeer::build_request(const PeerDialog& d, std::string_view method,
                                       std::uint32_t cseq, const std::string& branch,
                                       std::string_view content_type, std::string_view body,
                                       const std::vector<std::string>& extra,
                                       std::string_view contact_suffix) {
  std::string m = std::string(method) + " " + d.remote_target + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP " + udp_->local_hostport() + ";branch=" + branch + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <" + d.local_uri + ">;tag=" + d.local_tag + "\r\n";
  m += "To: <" + d.remote_uri + ">" + (d.remote_tag.empty() ? "" : ";tag=" + d.remote_tag) +
       "\r\n";
  m += "Call-ID: " + d.call_id + "\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + std::string(method) + "\r\n";
  m += "Contact: <" + contact() + ">" + std::string(contact_suffix) + "\r\n";
  for (const auto& h : extra) m += h + "\r\n";
  if (!content_type.empty()) m += "Content-Type: " + std::string(content_type) + "\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  m += body;
  return m;
}

std::string SessionPeer::response_text(const SipMessage& request, int status,
                                       const std::string& to_tag,
                                       const std::vector<std::string>& headers,
                                       std::string_view content_type,
                                       std::string_view body) const {
  std::string r = "SIP/2.0 " + std::to_string(status) + " " + reason_for(status) + "\r\n";
  for (const auto& v : request.all("Via")) r += "Via: " + v + "\r\n";
  r += "From: " + request.header("From").value_or("") + "\r\n";
  std::string to = request.header("To").value_or("");
  if (!request.param("To", "tag") && !to_tag.empty()) to += ";tag=" + to_tag;
  r += "To: " + to + "\r\n";
  r += "Call-ID: " + request.header("Call-ID").value_or("") + "\r\n";
  r += "CSeq: " + request.header("CSeq").value_or("") + "\r\n";
  for (const auto& h : headers) r += h + "\r\n";
  if (!content_type.empty()) r += "Content-Type: " + std::string(content_type) + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

int SessionPeer::register_device(bool session_capable) {
  PeerDialog d;
  d.call_id = "reg-" + unique_token();
  d.local_uri = aor();
  d.local_tag = "rt-" + unique_token();
  d.remote_uri = aor();
  d.remote_target = "sip:127.0.0.1";
  const std::string suffix = session_capable ? ";+imswitch.session" : "";
  std::vector<std::string> extra = {"Expires: 600"};
  send(build_request(d, "REGISTER", 1, "z9hG4bK-" + unique_token(), {}, {}, extra, suffix));
  const auto deadline = Clock::now() + 5s;
  std::uint32_t cseq = 1;
  while (Clock::now() < deadline) {
    if (auto r = take_response(d.call_id, cseq, "REGISTER", true)) {
      if (r->status != 401 || cseq != 1) return r->status;
      auto credentials = answer_challenge(*r, login_, password_, "REGISTER", d.remote_target);
      if (!credentials) return r->status;
      cseq = 2;
      extra.push_back("Authorization: " + *credentials);
      send(build_request(d, "REGISTER", cseq, "z9hG4bK-" + unique_token(), {}, {}, extra, suffix));
      continue;
    }
    pump(50ms);
  }
  return -1;
}

PeerDialog SessionPeer::invite(std::string_view target, std::string_view content_type,
                               std::string_view body) {
  PeerDialog d;
  d.call_id = "inv-" + unique_token();
  d.local_uri = aor();
  d.local_tag = "it-" + unique_token();
  d.remote_uri = "sip:" + std::string(target) + "@127.0.0.1";
  d.remote_target = d.remote_uri;
  d.cseq = 1;
  d.invite_branch = "z9hG4bK-" + unique_token();
  rang_ = false;
  send(build_request(d, "INVITE", 1, d.invite_branch, content_type, body, {}));
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    auto r = take_response(d.call_id, 1, "INVITE", true);
    if (!r) {
      pump(50ms);
      continue;
    }
    if (r->status != 407) {
      responses_.push_front(std::move(*r));  // final() reads it
      return d;
    }
    // §17.1.1.3: the 407 is ACKed in its transaction, then the INVITE goes again with
    // credentials, CSeq + 1 (§22.2).
    ack(d, *r);
    auto credentials = answer_challenge(*r, login_, password_, "INVITE", d.remote_target);
    d.cseq = 2;
    d.invite_branch = "z9hG4bK-" + unique_token();
    send(build_request(d, "INVITE", 2, d.invite_branch, content_type, body,
                       {"Proxy-Authorization: " + credentials.value_or("")}));
    return d;
  }
  return d;
}

std::optional<SipMessage> SessionPeer::final(PeerDialog& d, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto r = take_response(d.call_id, d.cseq, "INVITE", false)) {
      if (r->status == 180) rang_ = true;
      if (r->status < 200) continue;
      if (r->status < 300) {
        d.remote_tag = r->param("To", "tag").value_or("");
        d.remote_target = uri_of(r->header("Contact").value_or(d.remote_target));
      }
      return r;
    }
    pump(50ms);
  }
  return std::nullopt;
}

std::optional<SipMessage> SessionPeer::provisional(const PeerDialog& d, int status,
                                                   Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto r = take_response(d.call_id, d.cseq, "INVITE", false)) {
      if (r->status >= 200) {
        responses_.push_front(std::move(*r));  // final() reads it
        return std::nullopt;
      }
      if (r->status == 180) rang_ = true;
      if (r->status == status) return r;
      continue;
    }
    pump(50ms);
  }
  return std::nullopt;
}

void SessionPeer::ack(const PeerDialog& d, const SipMessage& final_response) {
  if (final_response.status >= 200 && final_response.status < 300) {
    send(build_request(d, "ACK", cseq_number(final_response), "z9hG4bK-" + unique_token(), {}, {},
                       {}));
    return;
  }
  std::string m = "ACK " + d.remote_uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP " + udp_->local_hostport() + ";branch=" + d.invite_branch + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <" + d.local_uri + ">;tag=" + d.local_tag + "\r\n";
  m += "To: " + final_response.header("To").value_or("") + "\r\n";
  m += "Call-ID: " + d.call_id + "\r\n";
  m += "CSeq: " + std::to_string(cseq_number(final_response)) + " ACK\r\n";
  m += "Content-Length: 0\r\n\r\n";
  send(m);
}

void SessionPeer::cancel(const PeerDialog& d) {
  std::string m = "CANCEL " + d.remote_uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP " + udp_->local_hostport() + ";branch=" + d.invite_branch + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <" + d.local_uri + ">;tag=" + d.local_tag + "\r\n";
  m += "To: <" + d.remote_uri + ">\r\n";
  m += "Call-ID: " + d.call_id + "\r\n";
  m += "CSeq: " + std::to_string(d.cseq) + " CANCEL\r\n";
  m += "Content-Length: 0\r\n\r\n";
  send(m);
}

std::optional<SipMessage> SessionPeer::cancel_response(const PeerDialog& d, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto r = take_response(d.call_id, d.cseq, "CANCEL", true)) return r;
    pump(50ms);
  }
  return std::nullopt;
}

std::optional<SipMessage> SessionPeer::next_request(std::string_view method, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = requests_.begin(); it != requests_.end(); ++it) {
      if (method_of(*it) != method) continue;
      SipMessage m = std::move(*it);
      requests_.erase(it);
      return m;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    pump(50ms);
  }
}

void SessionPeer::reply(const SipMessage& request, int status, std::vector<std::string> headers,
                        std::string_view content_type, std::string_view body) {
  const std::string call_id = request.header("Call-ID").value_or("");
  std::string tag;
  if (!request.param("To", "tag")) {
    auto [it, fresh] = tags_.try_emplace(call_id, "ut-" + unique_token());
    tag = it->second;
  }
  const std::string text = response_text(request, status, tag, headers, content_type, body);
  if (status >= 200) answered_[request_key(request)] = text;
  send(text);
}

PeerDialog SessionPeer::accept(const SipMessage& invite) {
  reply(invite, 200, {"Contact: <" + contact() + ">"});
  PeerDialog d;
  d.call_id = invite.header("Call-ID").value_or("");
  d.local_uri = uri_of(invite.header("To").value_or(""));
  d.local_tag = invite.param("To", "tag").value_or(tags_[d.call_id]);
  d.remote_uri = uri_of(invite.header("From").value_or(""));
  d.remote_tag = invite.param("From", "tag").value_or("");
  d.remote_target = uri_of(invite.header("Contact").value_or(""));
  d.cseq = 100;  // our own count, independent of the switch's
  return d;
}

std::uint32_t SessionPeer::send_in_dialog(PeerDialog& d, std::string_view method,
                                          std::string_view content_type, std::string_view body,
                                          std::optional<std::uint32_t> cseq) {
  const std::uint32_t n = cseq ? *cseq : ++d.cseq;
  if (n > d.cseq) d.cseq = n;
  send(build_request(d, method, n, "z9hG4bK-" + unique_token(), content_type, body, {}));
  return n;
}

std::optional<SipMessage> SessionPeer::response(const PeerDialog& d, std::uint32_t cseq,
                                                Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto r = take_response(d.call_id, cseq, {}, true)) return r;
    pump(50ms);
  }
  return std::nullopt;
}

}  // namespace ims::test
