#include "common/auth/nonce.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "common/auth/crypto.hpp"
#include "common/auth/digest.hpp"
#include "common/auth/errors.hpp"

namespace ims::auth {
namespace {

// Domain separation: the MAC key is derived from the secret under this label, so the secret
// may serve other purposes too, and a change of nonce format changes the key.
constexpr std::string_view kKeyLabel = "imswitch nonce v2";
constexpr std::size_t kNonceHexSize = 2 * (16 + 16);

// Big-endian integers in the nonce's bytes.
template <typename T>
void put_be(unsigned char* p, T v) {
  for (int i = int(sizeof(T)) - 1; i >= 0; --i, v >>= 8)
    p[i] = static_cast<unsigned char>(v & 0xff);
}

template <typename T>
T get_be(const unsigned char* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>(v << 8 | p[i]);
  return v;
}

Result<void> check_config(const NonceConfig& c) {
  if (c.lifetime_ms <= 0 || c.max_tracked == 0)
    return Error{make_error_code(AuthErrc::BadConfig),
                 "nonce lifetime and table size must be positive"};
  return {};
}

std::optional<detail::KeyedMac> mac_for(std::string_view secret) {
  std::string input(kKeyLabel);
  input.append(secret);
  unsigned char digest[EVP_MAX_MD_SIZE];
  const unsigned int n = detail::digest_into(Algorithm::Sha256, input, digest);
  OPENSSL_cleanse(input.data(), input.size());
  std::optional<detail::KeyedMac> mac;
  if (n >= detail::KeyedMac::kKeyBytes)
    mac = detail::KeyedMac::create(
        std::string_view(reinterpret_cast<const char*>(digest), detail::KeyedMac::kKeyBytes));
  OPENSSL_cleanse(digest, sizeof digest);
  return mac;
}

}  // namespace

std::string_view to_string(NonceState s) {
  switch (s) {
    case NonceState::Valid: return "valid";
    case NonceState::Stale: return "stale";
    case NonceState::Invalid: return "invalid";
    case NonceState::Replayed: return "replayed";
  }
  return "invalid";
}

Result<NonceManager> NonceManager::create(NonceConfig config) {
  if (auto r = check_config(config); !r) return r.error();
  std::string secret(kDefaultSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), int(secret.size())) != 1)
    return Error{make_error_code(AuthErrc::RandomFailed), "RAND_bytes failed for nonce secret"};
  return NonceManager(std::move(secret), config);
}

Result<NonceManager> NonceManager::with_secret(std::string secret, NonceConfig config) {
  if (auto r = check_config(config); !r) return r.error();
  if (secret.size() < kMinSecretBytes)
    return Error{make_error_code(AuthErrc::WeakSecret),
                 "nonce secret needs at least " + std::to_string(kMinSecretBytes) + " bytes"};
  return NonceManager(std::move(secret), config);
}

NonceManager::NonceManager(std::string secret, NonceConfig config)
    : secret_(std::move(secret)), mac_(mac_for(secret_)), config_(config) {
  chunks_.resize((config_.max_tracked + kChunkSlots - 1) / kChunkSlots);
}

NonceManager::~NonceManager() {
  if (!secret_.empty()) OPENSSL_cleanse(secret_.data(), secret_.size());
}

std::optional<NonceManager::Mac> NonceManager::mac(const Body& body) const {
  static_assert(kMacBytes == detail::KeyedMac::kMacBytes);
  Mac out{};
  if (!mac_ || !mac_->compute(body.data(), body.size(), out)) return std::nullopt;
  return out;
}

std::string NonceManager::issue(std::int64_t now_ms) {
  Body body{};
  put_be<std::uint64_t>(body.data(), static_cast<std::uint64_t>(now_ms));
  // Unpredictable nonces keep clients from being asked, in advance, for responses to nonces an
  // attacker will meet later. Should the generator fail, the issue number still keeps the
  // nonce unique, which is what authentication itself relies on.
  if (!detail::random_bytes(body.data() + 8, 4)) std::memset(body.data() + 8, 0, 4);
  {
    std::lock_guard hold(*lock_);
    prune(now_ms);
    if (next_ - oldest_ >= config_.max_tracked) {  // full: the oldest live nonce goes
      slot(oldest_).live = false;
      ++oldest_;
    }
    const std::uint64_t n = next_++;
    put_be<std::uint32_t>(body.data() + 12, static_cast<std::uint32_t>(n));
    slot(n) = Tracked{.body = body};  // reserved, not live until its MAC is in
  }
  std::array<unsigned char, kBodyBytes + kMacBytes> raw{};
  std::memcpy(raw.data(), body.data(), kBodyBytes);
  // Should the MAC ever fail, the nonce never goes live and its MAC stays zero, so decode()
  // (which fails the same way) rejects it: fail closed.
  if (const auto m = mac(body)) {
    std::memcpy(raw.data() + kBodyBytes, m->data(), kMacBytes);
    std::lock_guard hold(*lock_);
    // Gone already only if max_tracked nonces were issued while the MAC was computed.
    if (Tracked* t = find(body, false)) {
      t->mac = *m;
      t->live = true;
    }
  }
  return to_hex(raw);
}

NonceManager::Tracked& NonceManager::slot(std::uint64_t n) {
  const std::size_t i = static_cast<std::size_t>(n % config_.max_tracked);
  auto& chunk = chunks_[i / kChunkSlots];
  if (!chunk)
    chunk = std::make_unique<Tracked[]>(
        std::min(kChunkSlots, config_.max_tracked - i / kChunkSlots * kChunkSlots));
  return chunk[i % kChunkSlots];
}

NonceManager::Tracked* NonceManager::find(const Body& body, bool live) {
  // The body carries the low 32 bits of its issue number; the tracked numbers span fewer than
  // 2^32, so those bits name at most one of them.
  const std::uint32_t back =
      static_cast<std::uint32_t>(next_) - get_be<std::uint32_t>(body.data() + 12);
  if (back == 0 || back > next_ - oldest_) return nullptr;
  Tracked& t = slot(next_ - back);
  if (t.live != live || t.body != body) return nullptr;
  return &t;
}

// RFC 7616 §3.4 (RFC 2617 §3.2.2): the same nc twice is a replay. Requests that reuse a nonce
// may overtake each other (UDP, or two SIP cores), so counts up to kCountWindow - 1 below the
// highest are accepted out of order, each once; anything older is refused.
bool NonceManager::Tracked::count(std::uint32_t n) {
  if (n == 0) return false;
  if (n > nc) {
    const std::uint32_t shift = n - nc;
    seen = shift >= kCountWindow ? 0 : seen << shift;
    seen |= 1;
    nc = n;
    return true;
  }
  const std::uint32_t back = nc - n;
  if (back >= kCountWindow || ((seen >> back) & 1U) != 0) return false;
  seen |= std::uint64_t{1} << back;
  return true;
}

std::size_t NonceManager::tracked() const {
  std::lock_guard hold(*lock_);
  return static_cast<std::size_t>(next_ - oldest_);
}

std::optional<NonceManager::Decoded> NonceManager::decode(std::string_view nonce) const {
  if (nonce.size() != kNonceHexSize) return std::nullopt;
  const auto raw = from_hex(nonce);
  if (!raw) return std::nullopt;
  Decoded d{};
  std::memcpy(d.body.data(), raw->data(), kBodyBytes);
  const auto expected = mac(d.body);
  if (!expected || CRYPTO_memcmp(expected->data(), raw->data() + kBodyBytes, kMacBytes) != 0)
    return std::nullopt;
  d.issued_ms = static_cast<std::int64_t>(get_be<std::uint64_t>(d.body.data()));
  return d;
}

bool NonceManager::expired(std::int64_t issued_ms, std::int64_t now_ms) const {
  // Subtraction in unsigned arithmetic, then compared as a distance: no signed overflow, and a
  // nonce from "the future" (a clock stepped back) ages the same way in the other direction.
  const std::uint64_t diff = static_cast<std::uint64_t>(now_ms) -
                             static_cast<std::uint64_t>(issued_ms);
  const std::uint64_t age = static_cast<std::int64_t>(diff) >= 0 ? diff : ~diff + 1;
  return age > static_cast<std::uint64_t>(config_.lifetime_ms);
}

void NonceManager::prune(std::int64_t now_ms) {
  while (oldest_ < next_) {
    Tracked& t = slot(oldest_);
    if (!expired(static_cast<std::int64_t>(get_be<std::uint64_t>(t.body.data())), now_ms)) break;
    t.live = false;
    ++oldest_;
  }
}

bool NonceManager::authentic_and_fresh(std::string_view nonce, std::int64_t now_ms) const {
  const auto d = decode(nonce);
  return d && !expired(d->issued_ms, now_ms);
}

NonceState NonceManager::check(std::string_view nonce, std::uint32_t nc, std::int64_t now_ms) {
  if (nonce.size() != kNonceHexSize) return NonceState::Invalid;
  const auto raw = from_hex(nonce);
  if (!raw) return NonceState::Invalid;
  Body body{};
  std::memcpy(body.data(), raw->data(), kBodyBytes);
  {
    std::lock_guard hold(*lock_);
    prune(now_ms);
    if (Tracked* t = find(body, true)) {
      // Tracked: issued here, so the MAC it was issued with is known (constant-time compare).
      if (CRYPTO_memcmp(t->mac.data(), raw->data() + kBodyBytes, kMacBytes) != 0)
        return NonceState::Invalid;
      if (expired(static_cast<std::int64_t>(get_be<std::uint64_t>(body.data())), now_ms))
        return NonceState::Stale;
      return t->count(nc) ? NonceState::Valid : NonceState::Replayed;
    }
  }
  // Not tracked: evicted, expired, or not ours. Only the MAC tells stale from forged.
  const auto d = decode(nonce);
  return d ? NonceState::Stale : NonceState::Invalid;
}

}  // namespace ims::auth
