#include "tests/integration/agent_client.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr Millis kT1{500};   // RFC 3261 §17.1.1.1 defaults, for our own retransmissions
constexpr Millis kT2{4000};

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// Splits at commas outside quoted strings and angle brackets (RFC 3261 §7.3.1).
std::vector<std::string> split_top_level(std::string_view s) {
  std::vector<std::string> out;
  bool quoted = false;
  int angle = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>') {
      angle = std::max(0, angle - 1);
    } else if (c == ',' && angle == 0) {
      out.push_back(trimmed(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (auto last = trimmed(s.substr(start)); !last.empty()) out.push_back(last);
  return out;
}

std::string unquote(std::string_view v) {
  std::string s = trimmed(v);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return s;
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

std::string_view algorithm_name(Digest a) { return a == Digest::Sha256 ? "SHA-256" : "MD5"; }

bool matches_algorithm(const DigestChallenge& c, Digest a) {
  if (c.algorithm.empty()) return a == Digest::Md5;  // RFC 7616 §3.3: MD5 when absent
  return iequal(c.algorithm, algorithm_name(a));
}

// Identifies a request for retransmission matching: Call-ID, CSeq and the top Via.
std::string request_key(const SipMessage& m) {
  return m.header("Call-ID").value_or("") + "|" + m.header("CSeq").value_or("") + "|" +
         m.header("Via").value_or("");
}

std::uint32_t cseq_number(const SipMessage& m) {
  return static_cast<std::uint32_t>(std::strtoul(m.header("CSeq").value_or("0").c_str(),
                                                 nullptr, 10));
}

// The sent-by of a Via value as a UDP listener: "SIP/2.0/UDP 127.0.0.1:5060;branch=..."
std::optional<Listener> via_sent_by(std::string_view via) {
  auto sp = via.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string hostport = trimmed(via.substr(sp + 1, via.find(';') - sp - 1));
  Listener l;
  l.transport = "udp";
  std::string port = "5060";
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string::npos) return std::nullopt;
    l.address = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') port = hostport.substr(close + 2);
  } else {
    const auto colon = hostport.find(':');
    l.address = hostport.substr(0, colon);
    if (colon != std::string::npos) port = hostport.substr(colon + 1);
  }
  const unsigned long p = std::strtoul(port.c_str(), nullptr, 10);
  if (l.address.empty() || p == 0 || p > 65535) return std::nullopt;
  l.port = static_cast<std::uint16_t>(p);
  return l;
}

// Reason phrases are not checked by anyone (RFC 3261 §21); the common ones read better in logs.
std::string reason_for(int status) {
  static const std::map<int, std::string> kReasons = {
      {200, "OK"}, {202, "Accepted"}, {480, "Temporarily Unavailable"}, {486, "Busy Here"},
      {603, "Decline"}};
  const auto it = kReasons.find(status);
  return it == kReasons.end() ? "Test Answer" : it->second;
}

}  // namespace

// ---- digest ----------------------------------------------------------------------------------

std::string hex_hash(Digest algorithm, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* type = algorithm == Digest::Sha256 ? EVP_sha256() : EVP_md5();
  if (EVP_Digest(data.data(), data.size(), md, &len, type, nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

std::optional<DigestChallenge> parse_challenge(std::string_view value) {
  const std::string v = trimmed(value);
  const auto sp = v.find(' ');
  if (sp == std::string::npos) return std::nullopt;
  DigestChallenge c;
  c.scheme = v.substr(0, sp);
  for (const auto& param : split_top_level(std::string_view(v).substr(sp + 1))) {
    const auto eq = param.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = trimmed(param.substr(0, eq));
    const std::string val = unquote(param.substr(eq + 1));
    if (iequal(name, "algorithm")) c.algorithm = val;
    else if (iequal(name, "realm")) c.realm = val;
    else if (iequal(name, "nonce")) c.nonce = val;
    else if (iequal(name, "qop")) c.qop = val;
    else if (iequal(name, "stale")) c.stale = iequal(val, "true");
    else if (iequal(name, "opaque")) {
      c.opaque = val;
      c.has_opaque = true;
    }
  }
  return c;
}

std::vector<DigestChallenge> challenges_of(const SipMessage& response) {
  std::vector<DigestChallenge> out;
  const char* name = response.status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
  for (const auto& value : response.all(name)) {
    if (auto c = parse_challenge(value)) out.push_back(*c);
  }
  return out;
}

std::string digest_credentials(Digest algorithm, const DigestChallenge& challenge,
                               std::string_view user, std::string_view password,
                               std::string_view method, std::string_view uri, std::uint32_t nc,
                               std::string_view cnonce) {
  // RFC 7616 §3.4.1 / RFC 3261 §22.4 with qop=auth.
  char nc_text[9];
  std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
  const std::string ha1 =
      hex_hash(algorithm, std::string(user) + ":" + challenge.realm + ":" + std::string(password));
  const std::string ha2 = hex_hash(algorithm, std::string(method) + ":" + std::string(uri));
  const std::string response = hex_hash(
      algorithm, ha1 + ":" + challenge.nonce + ":" + nc_text + ":" + std::string(cnonce) +
                     ":auth:" + ha2);
  std::string out = "Digest username=\"" + std::string(user) + "\", realm=\"" + challenge.realm +
                    "\", nonce=\"" + challenge.nonce + "\", uri=\"" + std::string(uri) +
                    "\", response=\"" + response + "\", algorithm=" +
                    std::string(algorithm_name(algorithm)) + ", cnonce=\"" + std::string(cnonce) +
                    "\", qop=auth, nc=" + nc_text;
  if (challenge.has_opaque) out += ", opaque=\"" + challenge.opaque + "\"";
  return out;
}

// ---- files -----------------------------------------------------------------------------------

ScratchDir::ScratchDir(std::string_view prefix) : path_(make_scratch_dir(prefix)) {}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ScratchDir::write(std::string_view name, std::string_view content) const {
  const std::string file = path_ + "/" + std::string(name);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  return out ? file : std::string();
}

std::string imswitch_yaml_with(
    const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::ifstream in(source_dir() + "/config/imswitch.yaml", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (const auto& [key, value] : values) {
    const std::string line_start = "\n  " + std::string(key) + ":";
    const auto at = text.find(line_start);
    if (at == std::string::npos) return {};
    const auto begin = at + line_start.size();
    const auto eol = text.find('\n', begin);
    text.replace(begin, eol - begin, " " + value);
  }
  return text;
}

bool is_rfc1123_date(std::string_view t) {
  // "Ddd, DD Mmm YYYY HH:MM:SS GMT"
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (t.size() != 29 || t.substr(3, 2) != ", " || t.substr(25) != " GMT") return false;
  const auto digits = [&](std::size_t at, std::size_t n) {
    return std::all_of(t.begin() + static_cast<long>(at), t.begin() + static_cast<long>(at + n),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  return std::find(std::begin(kDays), std::end(kDays), t.substr(0, 3)) != std::end(kDays) &&
         std::find(std::begin(kMonths), std::end(kMonths), t.substr(8, 3)) != std::end(kMonths) &&
         digits(5, 2) && t[7] == ' ' && t[11] == ' ' && digits(12, 4) && t[16] == ' ' &&
         digits(17, 2) && t[19] == ':' && digits(20, 2) && t[22] == ':' && digits(23, 2);
}

SwitchOptions im_switch_options() {
  SwitchOptions o;
  o.config = source_dir() + "/config/imswitch.yaml";
  o.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"};
  return o;
}

AgentOptions sample_agent(std::string login, std::string transport, Digest digest) {
  AgentOptions o;
  o.password = "pw-" + login;
  o.login = std::move(login);
  o.transport = std::move(transport);
  o.digest = digest;
  return o;
}

std::vector<std::string> contact_values(const SipMessage& response) {
  std::vector<std::string> out;
  for (const auto& line : response.all("Contact")) {
    for (auto& v : split_top_level(line)) out.push_back(std::move(v));
  }
  return out;
}

std::optional<std::uint32_t> contact_expires(const SipMessage& response,
                                             std::string_view contact_uri) {
  for (const auto& v : contact_values(response)) {
    const auto lt = v.find('<');
    const auto gt = v.find('>', lt);
    if (lt == std::string::npos || gt == std::string::npos) continue;
    const std::string_view uri = std::string_view(v).substr(lt + 1, gt - lt - 1);
    if (uri != contact_uri) continue;
    const auto e = v.find(";expires=", gt);
    if (e == std::string::npos) return std::nullopt;
    return static_cast<std::uint32_t>(std::strtoul(v.c_str() + e + 9, nullptr, 10));
  }
  return std::nullopt;
}

// ---- the agent -------------------------------------------------------------------------------

std::unique_ptr<Agent> Agent::open(const SwitchProcess& sw, AgentOptions options,
                                   std::string* error) {
  std::unique_ptr<Agent> a(new Agent());
  a->options_ = std::move(options);
  const auto l = sw.find(a->options_.transport);
  if (!l) {
    *error = "the switch has no " + a->options_.transport + " listener";
    return nullptr;
  }
  a->switch_ = *l;
  if (a->options_.transport == "tcp") {
    a->tcp_ = TcpClient::connect(*l, 3s, error);
    if (!a->tcp_) return nullptr;
  } else {
    a->udp_ = UdpClient::open(l->ipv6(), error);
    if (!a->udp_) return nullptr;
  }
  a->tag_ = "dev-" + unique_token();
  return a;
}

Agent::~Agent() = default;

std::string Agent::aor() const { return "sip:" + options_.login + "@" + options_.domain; }

std::string Agent::local_hostport() const {
  return udp() ? udp_->local_hostport() : tcp_->local_hostport();
}

std::string Agent::contact_uri() const {
  if (!options_.contact.empty()) return options_.contact;
  return "sip:" + options_.login + "@" + local_hostport() + (udp() ? "" : ";transport=tcp");
}

bool Agent::send_raw(const std::string& bytes) {
  return udp() ? udp_->send_to(switch_, bytes) : tcp_->send(bytes);
}

// RFC 3261 §18.2.2: over UDP a response goes to the top Via's sent-by; over TCP, back on the
// connection the request came in on.
void Agent::send_to_via(const SipMessage& request, const std::string& bytes) {
  if (!udp()) {
    tcp_->send(bytes);
    return;
  }
  const auto to = via_sent_by(request.header("Via").value_or(""));
  udp_->send_to(to.value_or(switch_), bytes);
}

std::string Agent::build(Pending& p, const std::string& credentials) {
  const AgentRequest& r = p.spec;
  std::string m = r.method + " " + r.uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + std::string(udp() ? "UDP" : "TCP") + " " + local_hostport() +
       ";branch=z9hG4bK-" + unique_token() + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <" + (r.from.empty() ? aor() : r.from) + ">;tag=" + p.from_tag + "\r\n";
  m += "To: " + (r.to.empty() ? "<" + r.uri + ">" : r.to) + "\r\n";
  m += "Call-ID: " + r.call_id + "\r\n";
  m += "CSeq: " + std::to_string(p.cseq) + " " + r.method + "\r\n";
  for (const auto& h : r.headers) m += h + "\r\n";
  if (!credentials.empty()) m += credentials + "\r\n";
  if (!r.content_type.empty()) m += "Content-Type: " + r.content_type + "\r\n";
  m += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
  m += r.body;
  return m;
}

std::string Agent::credentials_line(const AgentRequest& r, bool proxy, Cached& cached) {
  ++cached.nc;
  return std::string(proxy ? "Proxy-Authorization: " : "Authorization: ") +
         digest_credentials(options_.digest, cached.challenge, options_.login, options_.password,
                            r.method, r.uri, cached.nc, "cn" + unique_token());
}

void Agent::transmit(Pending& p, const std::string& credentials) {
  p.wire = build(p, credentials);
  p.interval = kT1;
  p.next_retransmit = Clock::now() + kT1;
  last_sent_ = p.wire;
  send_raw(p.wire);
}

std::string Agent::send(AgentRequest r) {
  if (r.call_id.empty()) r.call_id = "agent-" + unique_token() + "@127.0.0.1";
  const std::string call_id = r.call_id;
  Pending& p = pending_[call_id];
  p = Pending{};
  p.spec = std::move(r);
  p.from_tag = p.spec.from_tag.empty() ? "ft-" + unique_token() : p.spec.from_tag;
  p.cseq = p.spec.cseq;
  std::string credentials;
  const bool proxy = p.spec.method != "REGISTER";
  auto& cache = proxy ? proxy_ : www_;
  if (p.spec.authenticate && options_.reuse_nonce && cache)
    credentials = credentials_line(p.spec, proxy, *cache);
  transmit(p, credentials);
  return call_id;
}

bool Agent::pump(Clock::time_point deadline) {
  while (true) {
    const auto now = Clock::now();
    auto wake = deadline;
    if (udp()) {
      for (auto& [id, p] : pending_) {
        if (p.next_retransmit <= now) {  // §17.1.2.2 Timer E
          send_raw(p.wire);
          p.interval = std::min(p.interval * 2, kT2);
          p.next_retransmit = now + p.interval;
        }
        wake = std::min(wake, p.next_retransmit);
      }
    }
    const auto wait = std::max(Millis(0), std::chrono::duration_cast<Millis>(wake - now));
    std::optional<std::string> raw =
        udp() ? udp_->receive(wait) : tcp_->receive_message(wait);
    if (raw) {
      if (auto m = parse_sip(*raw)) {
        if (m->status > 0) on_response(std::move(*m));
        else on_request(std::move(*m));
      }
      return true;
    }
    if (!udp() && tcp_->peer_closed()) return false;
    if (Clock::now() >= deadline) return false;
  }
}

void Agent::on_response(SipMessage m) {
  const std::string call_id = m.header("Call-ID").value_or("");
  auto it = pending_.find(call_id);
  if (it == pending_.end() || cseq_number(m) != it->second.cseq) {
    // A retransmitted final of a finished request carries the same To tag; anything else is a
    // response nobody asked for.
    if (m.status >= 200 && it == pending_.end()) {
      const auto done = completed_.find(call_id);
      const bool repeat = done != completed_.end() && done->second == m.header("To");
      if (!repeat) stray_.push_back(std::move(m));
    }
    return;
  }
  Pending& p = it->second;
  if (m.status < 200) {
    p.next_retransmit = Clock::now() + kT2;  // §17.1.2.2: Proceeding retransmits at T2
    provisional_.push_back(std::move(m));
    return;
  }
  if (m.status == 401 || m.status == 407) {
    ++challenges_seen_;
    last_challenge_ = m;
    if (p.spec.authenticate && !p.challenged) {
      for (const auto& c : challenges_of(m)) {
        if (!matches_algorithm(c, options_.digest)) continue;
        const bool proxy = m.status == 407;
        auto& cache = proxy ? proxy_ : www_;
        cache = Cached{c, 0};
        p.challenged = true;
        ++p.cseq;  // §22.2: a new request, same Call-ID, CSeq + 1
        transmit(p, credentials_line(p.spec, proxy, *cache));
        return;
      }
    }
  }
  completed_[call_id] = m.header("To").value_or("");
  finals_.push_back(std::move(m));
  pending_.erase(it);
}

void Agent::on_request(SipMessage m) {
  const std::string key = request_key(m);
  auto it = answered_.find(key);
  if (it != answered_.end()) {  // a retransmission (§17.2.2): same answer again, if any
    if (!it->second.empty()) send_to_via(m, it->second);
    return;
  }
  answered_.emplace(key, std::string());
  inbox_.push_back(std::move(m));
}

std::string Agent::answer(const SipMessage& request, int status) const {
  std::string r = "SIP/2.0 " + std::to_string(status) + " " + reason_for(status) + "\r\n";
  for (const auto& via : request.all("Via")) r += "Via: " + via + "\r\n";
  r += "From: " + request.header("From").value_or("") + "\r\n";
  std::string to = request.header("To").value_or("");
  if (!request.param("To", "tag")) to += ";tag=" + tag_;
  r += "To: " + to + "\r\n";
  r += "Call-ID: " + request.header("Call-ID").value_or("") + "\r\n";
  r += "CSeq: " + request.header("CSeq").value_or("") + "\r\n";
  r += "Content-Length: 0\r\n\r\n";
  return r;
}

std::optional<SipMessage> Agent::request(AgentRequest r, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string call_id = send(std::move(r));
  while (true) {
    const auto it = std::find_if(finals_.begin(), finals_.end(), [&](const SipMessage& f) {
      return f.header("Call-ID").value_or("") == call_id;
    });
    if (it != finals_.end()) {
      SipMessage out = std::move(*it);
      finals_.erase(it);
      return out;
    }
    if (!pump(deadline)) {
      pending_.erase(call_id);
      return std::nullopt;
    }
  }
}

std::optional<SipMessage> Agent::next_final(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (finals_.empty()) {
    if (!pump(deadline)) return std::nullopt;
  }
  SipMessage out = std::move(finals_.front());
  finals_.pop_front();
  return out;
}

std::optional<SipMessage> Agent::register_contact(std::optional<std::uint32_t> expires,
                                                  std::vector<std::string> headers) {
  AgentRequest r;
  r.method = "REGISTER";
  r.uri = "sip:" + options_.domain;
  r.to = "<" + aor() + ">";
  r.headers = std::move(headers);
  r.headers.push_back("Contact: <" + contact_uri() + ">" +
                      (options_.session_capable ? ";+imswitch.session" : ""));
  if (expires) r.headers.push_back("Expires: " + std::to_string(*expires));
  return request(std::move(r));
}

std::optional<SipMessage> Agent::unregister() { return register_contact(0); }

std::optional<SipMessage> Agent::unregister_all() {
  AgentRequest r;
  r.method = "REGISTER";
  r.uri = "sip:" + options_.domain;
  r.to = "<" + aor() + ">";
  r.headers = {"Contact: *", "Expires: 0"};
  return request(std::move(r));
}

std::optional<SipMessage> Agent::query() {
  AgentRequest r;
  r.method = "REGISTER";
  r.uri = "sip:" + options_.domain;
  r.to = "<" + aor() + ">";
  return request(std::move(r));
}

AgentRequest Agent::message_request(std::string_view user, std::string body,
                                    std::string content_type) const {
  AgentRequest r;
  r.method = "MESSAGE";
  r.uri = "sip:" + std::string(user) + "@" + options_.domain;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

std::optional<SipMessage> Agent::message(std::string_view user, std::string body,
                                         std::string content_type,
                                         std::vector<std::string> headers, Millis timeout) {
  AgentRequest r = message_request(user, std::move(body), std::move(content_type));
  r.headers = std::move(headers);
  return request(std::move(r), timeout);
}

std::optional<SipMessage> Agent::receive_request(Millis timeout, int status) {
  const auto deadline = Clock::now() + timeout;
  while (inbox_.empty()) {
    if (!pump(deadline)) return std::nullopt;
  }
  SipMessage m = std::move(inbox_.front());
  inbox_.pop_front();
  if (status != 0) respond(m, status);
  return m;
}

void Agent::respond(const SipMessage& request, int status) {
  std::string bytes = answer(request, status);
  send_to_via(request, bytes);
  answered_[request_key(request)] = std::move(bytes);
}

std::string pidf(std::string_view entity, std::string_view basic, std::string_view note) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"" +
      std::string(entity) + "\">\n  <tuple id=\"t1\"><status><basic>" + std::string(basic) +
      "</basic></status>";
  if (!note.empty()) out += "<note>" + std::string(note) + "</note>";
  return out + "</tuple>\n</presence>\n";
}

AgentRequest publish(const Agent& a, std::string_view etag, std::string_view basic,
                     std::string_view note, std::string expires) {
  AgentRequest r;
  r.method = "PUBLISH";
  r.uri = a.aor();
  r.headers.push_back("Event: presence");
  if (!expires.empty()) r.headers.push_back("Expires: " + expires);
  if (!etag.empty()) r.headers.push_back("SIP-If-Match: " + std::string(etag));
  if (!basic.empty()) {
    r.content_type = "application/pidf+xml";
    r.body = pidf(a.aor(), basic, note);
  }
  return r;
}

void StoredSwitchTest::SetUp() {
  ASSERT_FALSE(dir_.path().empty());
  options_ = im_switch_options();
  options_.store = dir_.path() + "/store.db";  // kept across restarts of the switch
  sw_ = start_switch(options_);
  ASSERT_NE(sw_, nullptr);
}

void StoredSwitchTest::TearDown() {
  if (!sw_) return;
  if (HasFailure()) {
    ADD_FAILURE() << "switch log:\n" << sw_->log_tail(40);
    return;
  }
  EXPECT_TRUE(still_serving(*sw_));
  EXPECT_TRUE(exits_cleanly(*sw_));
}

std::unique_ptr<Agent> StoredSwitchTest::agent(const std::string& login,
                                               const std::string& transport, bool reuse_nonce) {
  std::string error;
  AgentOptions o = sample_agent(login, transport);
  o.reuse_nonce = reuse_nonce;
  auto a = Agent::open(*sw_, o, &error);
  EXPECT_NE(a, nullptr) << error;
  return a;
}

void StoredSwitchTest::kill_and_restart() {
  const ExitStatus killed = sw_->stop(5s, SIGKILL);
  EXPECT_EQ(killed.signal, SIGKILL) << killed.describe();
  sw_ = start_switch(options_);
  ASSERT_NE(sw_, nullptr);
}

}  // namespace ims::test
