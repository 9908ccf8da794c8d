#include "common/sip/header_id.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/util/strings.hpp"

namespace ims::sip {
namespace {

static_assert(std::endian::native == std::endian::little,
              "const_load() builds little-endian words");

constexpr std::size_t kIdCount = std::size_t(HeaderId::IdentityInfo) + 1;

// Canonical spelling, indexed by HeaderId (RFC 3261 §20 and the extension RFCs).
constexpr std::array<std::string_view, kIdCount> kNames = {"",
                                                           "Via",
                                                           "From",
                                                           "To",
                                                           "Call-ID",
                                                           "CSeq",
                                                           "Max-Forwards",
                                                           "Content-Length",
                                                           "Content-Type",
                                                           "Contact",
                                                           "Route",
                                                           "Record-Route",
                                                           "Expires",
                                                           "Min-Expires",
                                                           "Allow",
                                                           "Supported",
                                                           "Require",
                                                           "Proxy-Require",
                                                           "Unsupported",
                                                           "Accept",
                                                           "Accept-Encoding",
                                                           "Accept-Language",
                                                           "Content-Encoding",
                                                           "Content-Disposition",
                                                           "User-Agent",
                                                           "Server",
                                                           "Authorization",
                                                           "Proxy-Authorization",
                                                           "WWW-Authenticate",
                                                           "Proxy-Authenticate",
                                                           "Authentication-Info",
                                                           "Date",
                                                           "Timestamp",
                                                           "Subject",
                                                           "Event",
                                                           "Allow-Events",
                                                           "Subscription-State",
                                                           "Reason",
                                                           "Warning",
                                                           "Retry-After",
                                                           "Priority",
                                                           "Organization",
                                                           "Refer-To",
                                                           "Referred-By",
                                                           "Session-Expires",
                                                           "Min-SE",
                                                           "RSeq",
                                                           "RAck",
                                                           "Path",
                                                           "Service-Route",
                                                           "P-Asserted-Identity",
                                                           "Privacy",
                                                           "Error-Info",
                                                           "Alert-Info",
                                                           "Call-Info",
                                                           "In-Reply-To",
                                                           "Reply-To",
                                                           "MIME-Version",
                                                           "Accept-Contact",
                                                           "Reject-Contact",
                                                           "Request-Disposition",
                                                           "Identity",
                                                           "Identity-Info"};

// Compact forms (RFC 3261 §7.3.3 and the registry of RFC 3968), indexed by letter - 'a'.
constexpr std::array<HeaderId, 26> make_compact() {
  std::array<HeaderId, 26> t{};
  auto set = [&t](char c, HeaderId id) { t[std::size_t(c - 'a')] = id; };
  set('i', HeaderId::CallId);
  set('m', HeaderId::Contact);
  set('e', HeaderId::ContentEncoding);
  set('l', HeaderId::ContentLength);
  set('c', HeaderId::ContentType);
  set('f', HeaderId::From);
  set('s', HeaderId::Subject);
  set('k', HeaderId::Supported);
  set('t', HeaderId::To);
  set('v', HeaderId::Via);
  set('o', HeaderId::Event);
  set('r', HeaderId::ReferTo);
  set('b', HeaderId::ReferredBy);
  set('u', HeaderId::AllowEvents);
  set('x', HeaderId::SessionExpires);
  set('a', HeaderId::AcceptContact);
  set('j', HeaderId::RejectContact);
  set('d', HeaderId::RequestDisposition);
  set('y', HeaderId::Identity);
  set('n', HeaderId::IdentityInfo);
  return t;
}
constexpr auto kCompact = make_compact();

// The full names grouped by length, built at compile time. This sits on the hot path (every
// header line of every message), so a lookup compares whole words instead of characters: a
// name of length n is covered by three (possibly overlapping) loads of w = 8, 4 or 2 bytes at
// offsets 0, 8 (names longer than 16) and n - w, lower-cased by OR-ing 0x20 into every byte.
// For the letters and '-' of header names that is exact except that CR also becomes '-', so the
// bytes under a '-' must also have 0x20 set in the original (the dash mask).
constexpr std::size_t kMaxLen = 24;
constexpr std::size_t kBucketSize = 8;

struct Key {
  std::uint64_t w[3]{};
  std::uint64_t dash[3]{};
};

constexpr std::size_t chunk(std::size_t n) { return n >= 8 ? 8 : n >= 4 ? 4 : 2; }

constexpr std::uint64_t lower_mask(std::size_t width) {
  return width == 8 ? 0x2020202020202020ull : width == 4 ? 0x20202020ull : 0x2020ull;
}

// A compile-time load: the same little-endian word the run-time memcpy produces.
constexpr std::uint64_t const_load(std::string_view s, std::size_t at, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v |= std::uint64_t(std::uint8_t(s[at + i])) << (8 * i);
  return v;
}

constexpr Key make_key(std::string_view name) {
  Key k;
  const std::size_t n = name.size(), width = chunk(n);
  const std::size_t at[3] = {0, n > 16 ? std::size_t{8} : std::size_t{0}, n - width};
  for (std::size_t j = 0; j < 3; ++j) {
    k.w[j] = const_load(name, at[j], width) | lower_mask(width);
    std::uint64_t d = 0;
    for (std::size_t i = 0; i < width; ++i)
      if (name[at[j] + i] == '-') d |= std::uint64_t(0x20) << (8 * i);
    k.dash[j] = d;
  }
  return k;
}

struct Bucket {
  std::array<HeaderId, kBucketSize> ids{};
  std::array<Key, kBucketSize> keys{};
  std::size_t n = 0;
};

constexpr std::array<Bucket, kMaxLen> make_buckets() {
  std::array<Bucket, kMaxLen> b{};
  for (std::size_t i = 1; i < kIdCount; ++i) {
    Bucket& k = b[kNames[i].size()];
    k.ids[k.n] = HeaderId(i);
    k.keys[k.n] = make_key(kNames[i]);
    ++k.n;
  }
  return b;
}
constexpr auto kBuckets = make_buckets();

constexpr bool buckets_fit() {
  for (std::size_t i = 1; i < kIdCount; ++i)
    if (kNames[i].size() >= kMaxLen || kNames[i].size() < 2) return false;
  for (const Bucket& k : kBuckets)
    if (k.n > kBucketSize) return false;
  return true;
}
static_assert(buckets_fit(), "grow kMaxLen or kBucketSize");

std::uint64_t load(const char* p, std::size_t width) {
  switch (width) {
    case 8: {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
  }
}

}  // namespace

HeaderId header_id_from_name(std::string_view name) {
  if (name.size() == 1) {
    const char c = util::ascii_lower(name[0]);
    if (c >= 'a' && c <= 'z') return kCompact[std::size_t(c - 'a')];
    return HeaderId::Other;
  }
  if (name.size() < 2 || name.size() >= kMaxLen) return HeaderId::Other;
  const Bucket& k = kBuckets[name.size()];
  const std::size_t n = name.size(), width = chunk(n);
  const std::uint64_t lower = lower_mask(width);
  const std::uint64_t raw[3] = {load(name.data(), width),
                                load(name.data() + (n > 16 ? 8 : 0), width),
                                load(name.data() + n - width, width)};
  const std::uint64_t w[3] = {raw[0] | lower, raw[1] | lower, raw[2] | lower};
  for (std::size_t i = 0; i < k.n; ++i) {
    const Key& key = k.keys[i];
    if (w[0] == key.w[0] && w[1] == key.w[1] && w[2] == key.w[2] &&
        (raw[0] & key.dash[0]) == key.dash[0] && (raw[1] & key.dash[1]) == key.dash[1] &&
        (raw[2] & key.dash[2]) == key.dash[2])
      return k.ids[i];
  }
  return HeaderId::Other;
}

std::string_view canonical_name(HeaderId id) {
  const auto i = std::size_t(id);
  return i < kIdCount ? kNames[i] : std::string_view{};
}

bool is_split_list(HeaderId id) {
  switch (id) {
    case HeaderId::Via:
    case HeaderId::Route:
    case HeaderId::RecordRoute:
    case HeaderId::Contact:
    case HeaderId::Path:
    case HeaderId::ServiceRoute: return true;
    default: return false;
  }
}

}  // namespace ims::sip
