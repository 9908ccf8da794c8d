#include "common/util/random.hpp"

#include <cstdint>
#include <random>

namespace ims::util {
namespace {

// splitmix64-seeded xoshiro256**: fast, and seeded per thread from std::random_device so that
// tokens differ across processes and threads.
class Xoshiro {
 public:
  Xoshiro() {
    std::random_device rd;
    std::uint64_t seed = (std::uint64_t(rd()) << 32) ^ rd();
    for (auto& s : s_) s = splitmix(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

}  // namespace

std::string random_token(std::size_t n) {
  static constexpr char kAlphabet[] =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local Xoshiro gen;
  std::string out(n, '0');
  std::uint64_t bits = 0;
  int left = 0;
  for (auto& c : out) {
    if (left == 0) { bits = gen.next(); left = 10; }  // 10 draws of 6 bits per 64-bit word
    c = kAlphabet[(bits & 63) % 62];
    bits >>= 6;
    --left;
  }
  return out;
}

}  // namespace ims::util
