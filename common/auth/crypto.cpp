#include "common/auth/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstring>

namespace ims::auth::detail {

namespace {

struct Fetched {
  EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  EVP_MAC* siphash = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  ~Fetched() {
    EVP_MD_free(md5);
    EVP_MD_free(sha256);
    EVP_MAC_free(siphash);
  }
};

const Fetched& fetched() {
  static const Fetched f;  // thread-safe initialisation; read-only afterwards
  return f;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

const EVP_MD* message_digest(Algorithm a) {
  switch (a) {
    case Algorithm::Md5: return fetched().md5;
    case Algorithm::Sha256: return fetched().sha256;
  }
  return nullptr;
}

unsigned int digest_into(Algorithm a, std::string_view data, unsigned char* out) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = message_digest(a);
  unsigned int len = 0;
  if (!ctx || !md || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
    return 0;
  return len;
}

void KeyedMac::Free::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

std::optional<KeyedMac> KeyedMac::create(std::string_view key) {
  if (!fetched().siphash || key.size() != kKeyBytes) return std::nullopt;
  KeyedMac m;
  m.keyed_.reset(EVP_MAC_CTX_new(fetched().siphash));
  if (!m.keyed_) return std::nullopt;
  std::size_t out_size = kMacBytes;  // SipHash's default output is 64 bits
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &out_size),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(m.keyed_.get(), reinterpret_cast<const unsigned char*>(key.data()),
                   key.size(), params) != 1)
    return std::nullopt;
  return m;
}

KeyedMac::Context KeyedMac::borrow() const {
  {
    std::lock_guard lock(pool_->mutex);
    if (!pool_->spare.empty()) {
      Context ctx = std::move(pool_->spare.back());
      pool_->spare.pop_back();
      return ctx;
    }
  }
  return Context(EVP_MAC_CTX_dup(keyed_.get()));
}

void KeyedMac::give_back(Context ctx) const {
  std::lock_guard lock(pool_->mutex);
  pool_->spare.push_back(std::move(ctx));
}

bool KeyedMac::compute(const unsigned char* data, std::size_t size,
                       std::array<unsigned char, kMacBytes>& out) const {
  Context ctx = borrow();
  std::size_t len = 0;
  const bool ok = ctx && EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) == 1 &&
                  EVP_MAC_update(ctx.get(), data, size) == 1 &&
                  EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1 &&
                  len == out.size();
  // A context OpenSSL failed on is not reused.
  if (ok) give_back(std::move(ctx));
  return ok;
}

bool random_bytes(unsigned char* out, std::size_t size) {
  struct Pool {
    std::array<unsigned char, 4096> bytes{};
    std::size_t used = 4096;
    ~Pool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
  };
  thread_local Pool pool;
  while (size > 0) {
    if (pool.used == pool.bytes.size()) {
      if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) return false;
      pool.used = 0;
    }
    const std::size_t n = std::min(size, pool.bytes.size() - pool.used);
    std::memcpy(out, pool.bytes.data() + pool.used, n);
    OPENSSL_cleanse(pool.bytes.data() + pool.used, n);  // handed out once only
    pool.used += n;
    out += n;
    size -= n;
  }
  return true;
}

}  // namespace ims::auth::detail
