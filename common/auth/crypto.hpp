#pragma once
// OpenSSL, used the cheap way on the request path. OpenSSL 3 looks an algorithm up in its
// provider tables on every EVP_sha256()/HMAC() call ("implicit fetch"), which costs more than
// hashing a SIP digest's few bytes; here each algorithm is fetched once, the HMAC key is set
// once, and random bytes come from a pool refilled in blocks. Internal to common/auth.

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include <openssl/evp.h>

#include "common/auth/digest.hpp"

namespace ims::auth::detail {

// The digest for a, fetched once per process; nullptr when the provider lacks it.
const EVP_MD* message_digest(Algorithm a);

// Hashes data into out (EVP_MAX_MD_SIZE bytes); returns the digest's length, 0 on failure.
unsigned int digest_into(Algorithm a, std::string_view data, unsigned char* out);

// HMAC-SHA256 with a fixed key, prepared once; compute() duplicates the keyed context, which
// skips the key schedule and the algorithm lookup.
class KeyedMac {
 public:
  static std::optional<KeyedMac> create(std::string_view key);
  // 32 bytes; false if OpenSSL fails.
  bool compute(const unsigned char* data, std::size_t size,
               std::array<unsigned char, 32>& out) const;

 private:
  struct Free {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MAC_CTX, Free> keyed_;
};

// Cryptographically strong random bytes (RAND_bytes), drawn from a per-thread pool refilled
// 4 KiB at a time. False if the generator fails.
bool random_bytes(unsigned char* out, std::size_t size);

}  // namespace ims::auth::detail
