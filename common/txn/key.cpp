#include "common/txn/key.hpp"

#include <charconv>
#include <functional>

#include "common/txn/errors.hpp"
#include "common/util/strings.hpp"

namespace ims::txn {
namespace {

// Separates fields inside Key::id; cannot occur in a parsed header value.
constexpr char kSep = '\x1f';

void append_lower(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(util::ascii_lower(c));
}

void append_number(std::string& out, std::uint32_t n) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;  // 16 bytes always hold a uint32
  out.append(buf, end);
}

void append_sent_by(std::string& out, const sip::Via& via) {
  append_lower(out, via.host);
  if (via.port) {
    out.push_back(':');
    append_number(out, *via.port);
  }
}

// Extension methods are all Method::Unknown; their names tell them apart (case-sensitively,
// §7.1).
void append_extension(std::string& out, sip::Method method, std::string_view method_text) {
  if (method != sip::Method::Unknown) return;
  out.push_back(kSep);
  out.append(method_text);
}

}  // namespace

std::size_t KeyHash::operator()(const Key& k) const noexcept {
  // A key is looked up many times in its life (the table, the stack's contexts, timers): the
  // hash of its id is computed once.
  if (k.hash != 0) return k.hash;
  const std::size_t h = std::hash<std::string_view>{}(k.id);
  const std::size_t tag = (static_cast<std::size_t>(k.method) << 2) |
                          (static_cast<std::size_t>(k.role) << 1) | (k.rfc2543 ? 1u : 0u);
  const std::size_t v = h ^ (tag * 0x9e3779b97f4a7c15ull);
  k.hash = v != 0 ? v : 1;
  return k.hash;
}

// A branch that is only the cookie carries no unique part, so it cannot identify a transaction.
bool has_magic_cookie(std::string_view branch) {
  return branch.size() > kMagicCookie.size() && branch.starts_with(kMagicCookie);
}

Result<Key> server_key(const sip::Message& request) {
  const auto via = request.top_via();
  if (!via) return Error{TxnErrc::MissingVia, "no top Via"};
  const auto cseq = request.cseq();
  if (!cseq) return Error{TxnErrc::MissingCSeq, "no CSeq"};

  Key key;
  key.role = Role::Server;
  const sip::Method method = request.method();
  key.method = method == sip::Method::Ack ? sip::Method::Invite : method;
  std::string& id = key.id;
  if (has_magic_cookie(via->branch)) {
    // §17.2.3: branch + sent-by + method.
    id.reserve(via->branch.size() + via->host.size() + 8);
    append_lower(id, via->branch);
    id.push_back(kSep);
    append_sent_by(id, *via);
  } else {
    // §17.2.3, RFC 2543 fallback: Request-URI, From tag, Call-ID, CSeq number, top Via.
    key.rfc2543 = true;
    const std::string_view call_id = request.call_id();
    const std::string_view from_tag = request.from_tag();
    const std::string_view uri = request.request_uri();
    id.reserve(call_id.size() + from_tag.size() + uri.size() + via->host.size() +
               via->branch.size() + 32);
    id.append(call_id);
    id.push_back(kSep);
    append_number(id, cseq->number);
    id.push_back(kSep);
    id.append(from_tag);
    id.push_back(kSep);
    id.append(uri);
    id.push_back(kSep);
    append_lower(id, via->transport);
    id.push_back(kSep);
    append_sent_by(id, *via);
    id.push_back(kSep);
    id.append(via->branch);
  }
  append_extension(id, key.method, request.method_text());
  return key;
}

Result<Key> client_key(const sip::Message& message) {
  const auto via = message.top_via();
  if (!via) return Error{TxnErrc::MissingVia, "no top Via"};
  return client_key(message, *via);
}

Result<Key> client_key(const sip::Message& message, const sip::Via& top_via) {
  if (top_via.branch.empty()) return Error{TxnErrc::MissingBranch, "top Via has no branch"};
  const auto cseq = message.cseq();
  if (!cseq) return Error{TxnErrc::MissingCSeq, "no CSeq"};

  // §17.1.3: branch of the top Via and the CSeq method. A CANCEL shares its INVITE's branch
  // but not its method, so the two transactions stay apart.
  Key key;
  key.role = Role::Client;
  key.method = cseq->method;
  key.id.reserve(top_via.branch.size() + 1);
  append_lower(key.id, top_via.branch);
  append_extension(key.id, key.method, cseq->method_text);
  return key;
}

Key cancelled_invite_key(const Key& cancel) {
  Key key = cancel;
  key.method = sip::Method::Invite;
  key.hash = 0;
  return key;
}

std::string describe(const Key& key) {
  std::string out = key.role == Role::Client ? "client " : "server ";
  const std::string_view name = sip::method_name(key.method);
  out.append(name.empty() ? std::string_view{"extension"} : name);
  if (key.rfc2543) out.append(" rfc2543");
  out.push_back(' ');
  for (char c : key.id) out.push_back(c == kSep ? ' ' : c);
  return out;
}

}  // namespace ims::txn
