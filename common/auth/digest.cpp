#include "common/auth/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/auth/crypto.hpp"
#include "common/auth/errors.hpp"
#include "common/util/strings.hpp"

namespace ims::auth {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends text as a quoted-string; runs without '"' or '\\' go in one piece.
void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '"' && text[i] != '\\') continue;
    out.append(text, from, i - from);
    out.push_back('\\');
    from = i;
  }
  out.append(text, from);
  out.push_back('"');
}

}  // namespace

std::string_view algorithm_name(Algorithm a) {
  switch (a) {
    case Algorithm::Md5: return "MD5";
    case Algorithm::Sha256: return "SHA-256";
  }
  return "MD5";
}

Result<Algorithm> parse_algorithm(std::string_view name) {
  if (util::iequals(name, "MD5")) return Algorithm::Md5;
  if (util::iequals(name, "SHA-256")) return Algorithm::Sha256;
  // MD5-sess, SHA-256-sess, SHA-512-256(-sess), AKAv1-MD5 and the rest: well formed, not ours.
  return Error{make_error_code(AuthErrc::Unsupported),
               "unsupported algorithm " + std::string(name.substr(0, 32))};
}

std::size_t hex_size(Algorithm a) {
  switch (a) {
    case Algorithm::Md5: return 32;
    case Algorithm::Sha256: return 64;
  }
  return 0;
}

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return out;
}

bool is_hex_digest(Algorithm a, std::string_view text) {
  if (text.size() != hex_size(a)) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string hex_digest(Algorithm a, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  const unsigned int len = detail::digest_into(a, data, md);
  if (len == 0) return {};
  return to_hex(std::span<const unsigned char>(md, len));
}

bool is_available(Algorithm a) { return hex_digest(a, "").size() == hex_size(a); }

std::string ha1(Algorithm a, std::string_view user, std::string_view realm,
                std::string_view password) {
  std::string a1;
  a1.reserve(user.size() + realm.size() + password.size() + 2);
  a1.append(user).append(":").append(realm).append(":").append(password);
  std::string out = hex_digest(a, a1);
  OPENSSL_cleanse(a1.data(), a1.size());  // A1 holds the password
  return out;
}

std::string ha2(Algorithm a, std::string_view method, std::string_view digest_uri) {
  std::string a2;
  a2.reserve(method.size() + digest_uri.size() + 1);
  a2.append(method).append(":").append(digest_uri);
  return hex_digest(a, a2);
}

std::string response(Algorithm a, std::string_view ha1, std::string_view nonce,
                     std::string_view nc, std::string_view cnonce, Qop qop,
                     std::string_view method, std::string_view digest_uri) {
  const std::string h2 = ha2(a, method, digest_uri);
  if (ha1.empty() || h2.empty()) return {};  // fail closed (see hex_digest)
  std::string kd;
  kd.reserve(ha1.size() + nonce.size() + nc.size() + cnonce.size() + h2.size() + 10);
  kd.append(ha1).append(":").append(nonce).append(":");
  switch (qop) {
    case Qop::Auth: kd.append(nc).append(":").append(cnonce).append(":auth:"); break;
    case Qop::None: break;
  }
  kd.append(h2);
  return hex_digest(a, kd);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_quoted(out, text);
  return out;
}

std::string challenge(Algorithm a, std::string_view realm, std::string_view nonce,
                      std::optional<std::string_view> opaque, bool stale) {
  std::string out;
  out.reserve(96 + realm.size() + nonce.size() + (opaque ? opaque->size() : 0));
  out += "Digest realm=";
  append_quoted(out, realm);
  out += ", nonce=";
  append_quoted(out, nonce);
  if (opaque) {
    out += ", opaque=";
    append_quoted(out, *opaque);
  }
  out += ", algorithm=";
  out += algorithm_name(a);
  out += ", qop=\"auth\"";
  if (stale) out += ", stale=true";
  return out;
}

}  // namespace ims::auth
