// KeyedMac: SipHash-2-4-128 with a fixed key, reusing pooled contexts across calls and threads.
#include "common/auth/crypto.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ims::auth::detail {
namespace {

std::string hex(const std::array<unsigned char, KeyedMac::kMacBytes>& mac) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : mac) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string mac_of(const KeyedMac& m, std::string_view data) {
  std::array<unsigned char, KeyedMac::kMacBytes> out{};
  EXPECT_TRUE(m.compute(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out));
  return hex(out);
}

// The SipHash reference vectors (Aumasson and Bernstein, SipHash-2-4 with 128-bit output):
// key 00 01 .. 0f, message 00 01 .. (n-1).
std::string counting(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}
const std::string kKey = counting(16);
constexpr std::string_view kEmptyMac = "a3817f04ba25a8e66df67214c7550293";
constexpr std::string_view kOneByteMac = "da87c1d86b99af44347659119b22fc45";
const std::string kData = counting(1);
constexpr std::string_view kMac = kOneByteMac;

TEST(KeyedMac, MatchesTheReferenceVectorsEveryTimeNotOnlyTheFirst) {
  auto m = KeyedMac::create(kKey);
  ASSERT_TRUE(m);
  EXPECT_EQ(mac_of(*m, ""), kEmptyMac);
  EXPECT_EQ(mac_of(*m, kData), kOneByteMac);
  EXPECT_NE(mac_of(*m, "something else"), kMac);
  EXPECT_EQ(mac_of(*m, kData), kMac) << "a reused context must start from the key again";
  EXPECT_EQ(mac_of(*m, ""), kEmptyMac);
}

TEST(KeyedMac, RefusesKeysOfAnotherSize) {
  EXPECT_FALSE(KeyedMac::create(counting(15)));
  EXPECT_FALSE(KeyedMac::create(counting(17)));
  EXPECT_FALSE(KeyedMac::create(""));
}

TEST(KeyedMac, TwoKeysDoNotShareContexts) {
  auto counted = KeyedMac::create(kKey);
  auto other = KeyedMac::create("another 16B key!");
  ASSERT_TRUE(counted && other);
  const std::string first = mac_of(*other, kData);
  EXPECT_NE(first, kMac);
  EXPECT_EQ(mac_of(*counted, kData), kMac);
  EXPECT_EQ(mac_of(*other, kData), first);
}

TEST(KeyedMac, ThreadsComputingAtOnceAgree) {
  auto m = KeyedMac::create(kKey);
  ASSERT_TRUE(m);
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::array<unsigned char, KeyedMac::kMacBytes> out{};
        if (!m->compute(reinterpret_cast<const unsigned char*>(kData.data()), kData.size(), out) ||
            hex(out) != kMac)
          ++wrong[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t t = 0; t < wrong.size(); ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace ims::auth::detail
