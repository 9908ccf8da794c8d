#pragma once
// Server nonces for Digest authentication (RFC 7616 §3.3 and §5.4, RFC 3261 §22.4): issued
// self-validating, so a forged or garbled nonce is recognised without a lookup; expiring, so an
// old one is answered stale=true; and counted, so a request cannot be replayed (each nc once per
// nonce, RFC 7616 §3.4; counts may arrive out of order within 64 of the highest).
//
// Nonce text: 64 lower-case hex digits of 32 bytes
//   [0, 8)   issue time, milliseconds, big-endian
//   [8, 12)  random bytes (RAND_bytes)
//   [12, 16) the low 32 bits of the nonce's issue number, big-endian
//   [16, 32) SipHash-2-4-128(key, bytes [0, 16)), where key = the first 16 bytes of
//            SHA-256("imswitch nonce v2" | secret)
//
// Tracking: issue() enters each nonce in a ring of NonceConfig::max_tracked slots, the slot
// chosen by its issue number, holding its body, MAC and the counts seen (48 bytes, no hashing
// and no allocation per nonce). Entries leave in issue order: expired ones as time passes, then
// the oldest live one when the ring is full. A nonce that is authentic and unexpired but has no
// entry (evicted under a flood of challenges, or issued by another process sharing the secret,
// or before a restart) is reported Stale, never Valid: it can never become replayable, and an
// honest client merely retries with the fresh nonce of a stale=true challenge.
//
// Role: owned by the Verifier of the registrar/proxy. Thread-safe: the switch's SIP cores (one
// thread each) share one manager, so a nonce issued by one core is counted by all.
// No clock: time comes in as now_ms (any monotonic or wall clock, the same one throughout).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/crypto.hpp"
#include "common/util/result.hpp"

namespace ims::auth {

inline constexpr std::size_t kMinSecretBytes = 16;
inline constexpr std::size_t kDefaultSecretBytes = 32;

struct NonceConfig {
  // How long a nonce is accepted after issue. Past it the client gets stale=true and retries.
  std::int64_t lifetime_ms = 300'000;
  // Bound on the nonces tracked at once (48 bytes each, allocated as the ring first fills): the
  // memory bound under a flood.
  std::size_t max_tracked = 10'000;
};

enum class NonceState {
  Valid,     // ours, fresh, and nc higher than any seen for it: accepted (and nc recorded)
  Stale,     // ours but expired, or no longer tracked: challenge again with stale=true
  Invalid,   // not ours: wrong length, not hex, or the MAC does not match
  Replayed,  // ours and fresh, but this nc was seen (or is 64 or more below the highest)
};

std::string_view to_string(NonceState s);

class NonceManager {
 public:
  // A manager with a fresh random secret (kDefaultSecretBytes from RAND_bytes): nonces of a
  // previous run are Invalid. Errors: RandomFailed, BadConfig.
  [[nodiscard]] static Result<NonceManager> create(NonceConfig config = {});
  // A manager with a given secret (at least kMinSecretBytes bytes), e.g. shared by several
  // switches. Errors: WeakSecret, BadConfig.
  [[nodiscard]] static Result<NonceManager> with_secret(std::string secret,
                                                        NonceConfig config = {});

  NonceManager(NonceManager&&) = default;
  NonceManager& operator=(NonceManager&&) = default;
  NonceManager(const NonceManager&) = delete;
  NonceManager& operator=(const NonceManager&) = delete;
  ~NonceManager();

  // A new nonce, tracked from now on with no nc seen.
  std::string issue(std::int64_t now_ms);

  // Classifies a nonce a client sent with count nc, and records nc when Valid. Call it only
  // after the response has been verified, so that a wrong guess cannot spend a nonce's counts.
  NonceState check(std::string_view nonce, std::uint32_t nc, std::int64_t now_ms);

  // True when nonce is ours and unexpired (tracked or not), without changing anything.
  bool authentic_and_fresh(std::string_view nonce, std::int64_t now_ms) const;

  std::size_t tracked() const;
  const NonceConfig& config() const { return config_; }

 private:
  static constexpr std::size_t kBodyBytes = 16;  // time and random, the part the MAC covers
  static constexpr std::size_t kMacBytes = 16;
  using Body = std::array<unsigned char, kBodyBytes>;
  using Mac = std::array<unsigned char, kMacBytes>;
  struct Decoded {
    Body body;
    std::int64_t issued_ms;
  };

  NonceManager(std::string secret, NonceConfig config);
  // The body and issue time of an authentic nonce; nullopt when not ours.
  std::optional<Decoded> decode(std::string_view nonce) const;
  bool expired(std::int64_t issued_ms, std::int64_t now_ms) const;
  // The MAC of body; nullopt if OpenSSL fails (then no nonce validates).
  std::optional<Mac> mac(const Body& body) const;

  std::string secret_;
  std::optional<detail::KeyedMac> mac_;  // keyed with a key derived from secret_
  NonceConfig config_;

  // What is kept of an issued nonce: its body, its MAC (so that checking a tracked nonce
  // compares 16 bytes instead of computing a MAC) and the counts seen.
  static constexpr std::uint32_t kCountWindow = 64;
  struct Tracked {
    Body body{};
    Mac mac{};
    std::uint64_t seen = 0;  // bit i: nc - i was seen
    std::uint32_t nc = 0;    // the highest nc seen
    bool live = false;       // its MAC is in: it can be checked
    // Records count n; false when it was seen before or is too far below nc.
    bool count(std::uint32_t n);
  };
  static_assert(sizeof(Tracked) <= 48, "a tracked nonce is the memory bound's unit");
  static constexpr std::size_t kChunkSlots = 4096;
  // The slot of issue number n, its chunk allocated on first use. Under lock_.
  Tracked& slot(std::uint64_t n);
  // The tracked slot holding body, live (MAC in) or reserved as asked, else nullptr. Under lock_.
  Tracked* find(const Body& body, bool live);
  // Drops expired nonces from the old end. Under lock_.
  void prune(std::int64_t now_ms);

  // The tracking state below is shared by every SIP core of the switch (several threads issue
  // and check nonces); the lock covers slot lookups and updates only, never a MAC. Held through
  // a pointer so that the manager stays movable.
  std::unique_ptr<std::mutex> lock_ = std::make_unique<std::mutex>();
  // The ring: issue number n lives in slot n % max_tracked; the tracked ones are [oldest_, next_).
  std::vector<std::unique_ptr<Tracked[]>> chunks_;
  std::uint64_t oldest_ = 0;
  std::uint64_t next_ = 0;
};

}  // namespace ims::auth
