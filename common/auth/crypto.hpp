#pragma once
// OpenSSL, used the cheap way on the request path. OpenSSL 3 looks an algorithm up in its
// provider tables on every EVP_sha256()/HMAC() call ("implicit fetch"), which costs more than
// hashing a SIP digest's few bytes; here each algorithm is fetched once, the MAC key is set
// once, and random bytes come from a pool refilled in blocks. Internal to common/auth.

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "common/auth/digest.hpp"

namespace ims::auth::detail {

// The digest for a, fetched once per process; nullptr when the provider lacks it.
const EVP_MD* message_digest(Algorithm a);

// Hashes data into out (EVP_MAX_MD_SIZE bytes); returns the digest's length, 0 on failure.
unsigned int digest_into(Algorithm a, std::string_view data, unsigned char* out);

// SipHash-2-4 with 128-bit output (a MAC made for short inputs: a ninth of HMAC-SHA256's work
// on a nonce's 16 bytes) and a fixed 16-byte key, prepared once. compute() borrows a keyed
// context from a pool and re-initialises it with a null key, which keeps the key
// (EVP_MAC_init(3)): no key set-up, no lookup, and no allocation once the pool holds a context
// per thread computing at the same time. Thread-safe.
class KeyedMac {
 public:
  static constexpr std::size_t kKeyBytes = 16;
  static constexpr std::size_t kMacBytes = 16;
  // nullopt unless the key has kKeyBytes bytes and OpenSSL provides SipHash.
  static std::optional<KeyedMac> create(std::string_view key);
  // False if OpenSSL fails.
  bool compute(const unsigned char* data, std::size_t size,
               std::array<unsigned char, kMacBytes>& out) const;

 private:
  struct Free {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  using Context = std::unique_ptr<EVP_MAC_CTX, Free>;
  struct Pool {
    std::mutex mutex;
    std::vector<Context> spare;
  };
  Context borrow() const;
  void give_back(Context ctx) const;

  Context keyed_;
  std::unique_ptr<Pool> pool_ = std::make_unique<Pool>();
};

// Cryptographically strong random bytes (RAND_bytes), drawn from a per-thread pool refilled
// 4 KiB at a time. False if the generator fails.
bool random_bytes(unsigned char* out, std::size_t size);

}  // namespace ims::auth::detail
