#include "switch/proxy/loop.hpp"

#include <cstdint>

#include "common/sip/header_values.hpp"

namespace ims::sw::proxy {

namespace {

// FNV-1a, 64 bits: stable across runs and builds, which std::hash is not.
void mix(std::uint64_t& h, std::string_view text) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= 0xff;  // field separator: ("ab","c") and ("a","bc") differ
  h *= 0x100000001b3ull;
}

}  // namespace

std::string loop_hash(const sip::Message& request) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  mix(h, request.request_uri());
  mix(h, request.from_tag());
  mix(h, request.to_tag());
  mix(h, request.call_id());
  const auto cseq = request.cseq();
  mix(h, cseq ? std::to_string(cseq->number) : std::string());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

std::string forward_branch(const sip::Message& received, std::string_view unique) {
  std::string b(kBranchPrefix);
  b.append(unique);
  b.push_back('-');
  b.append(loop_hash(received));
  return b;
}

bool has_looped(const sip::Message& request) {
  std::string hash;  // computed once, only when one of our Vias is present
  for (const sip::HeaderField& field : request.fields()) {
    if (field.id != sip::HeaderId::Via) continue;
    const std::string_view value = request.value(field);
    // Only a Via holding our prefix can be ours: most requests are told apart without parsing.
    if (value.find(kBranchPrefix) == std::string_view::npos) continue;
    const auto via = sip::parse_via(value);
    if (!via || !via->branch.starts_with(kBranchPrefix)) continue;
    const auto dash = via->branch.rfind('-');
    if (dash == std::string_view::npos) continue;
    if (hash.empty()) hash = loop_hash(request);
    if (via->branch.substr(dash + 1) == hash) return true;
  }
  return false;
}

}  // namespace ims::sw::proxy
