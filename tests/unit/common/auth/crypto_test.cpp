// KeyedMac: HMAC-SHA256 with a fixed key, reusing pooled contexts across calls and threads.
#include "common/auth/crypto.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ims::auth::detail {
namespace {

std::string hex(const std::array<unsigned char, 32>& mac) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : mac) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string mac_of(const KeyedMac& m, std::string_view data) {
  std::array<unsigned char, 32> out{};
  EXPECT_TRUE(m.compute(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out));
  return hex(out);
}

// RFC 4231 §4.3 (test case 2).
constexpr std::string_view kKey = "Jefe";
constexpr std::string_view kData = "what do ya want for nothing?";
constexpr std::string_view kMac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

TEST(KeyedMac, MatchesRfc4231EveryTimeNotOnlyTheFirst) {
  auto m = KeyedMac::create(kKey);
  ASSERT_TRUE(m);
  EXPECT_EQ(mac_of(*m, kData), kMac);
  EXPECT_NE(mac_of(*m, "something else"), kMac);
  EXPECT_EQ(mac_of(*m, kData), kMac) << "a reused context must start from the key again";
}

TEST(KeyedMac, TwoKeysDoNotShareContexts) {
  auto jefe = KeyedMac::create(kKey);
  auto other = KeyedMac::create("another key");
  ASSERT_TRUE(jefe && other);
  const std::string first = mac_of(*other, kData);
  EXPECT_NE(first, kMac);
  EXPECT_EQ(mac_of(*jefe, kData), kMac);
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
        std::array<unsigned char, 32> out{};
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
