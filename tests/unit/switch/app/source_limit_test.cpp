#include "switch/app/source_limit.hpp"

#include <gtest/gtest.h>

namespace ims::sw::app {
namespace {

transport::Endpoint at(std::uint16_t port) {
  return transport::Endpoint::make(boost::asio::ip::make_address("127.0.0.1"), port);
}

SourceLimitSettings small() {
  SourceLimitSettings s;
  s.per_second = 2;
  s.burst = 3;
  s.max_sources = 4;
  s.trust = std::chrono::seconds(10);
  return s;
}

TEST(SourceLimiter, BurstThenRate) {
  SourceLimiter l(small());
  EXPECT_TRUE(l.admit(at(1), 1000));
  EXPECT_TRUE(l.admit(at(1), 1000));
  EXPECT_TRUE(l.admit(at(1), 1000));
  EXPECT_FALSE(l.admit(at(1), 1000));
  EXPECT_TRUE(l.admit(at(1), 1500)) << "2 a second: one token after 500 ms";
  EXPECT_FALSE(l.admit(at(1), 1500));
  EXPECT_EQ(l.counters().shed, 2u);
}

TEST(SourceLimiter, SourcesAreAddressAndPort) {
  SourceLimiter l(small());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.admit(at(1), 0));
  EXPECT_FALSE(l.admit(at(1), 0));
  EXPECT_TRUE(l.admit(at(2), 0)) << "another port of the same address has its own bucket";
}

TEST(SourceLimiter, AuthenticatedSourceIsNotLimitedUntilTrustEnds) {
  SourceLimiter l(small());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.admit(at(1), 0));
  l.trust(at(1), 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(l.admit(at(1), 1));
  // Trust over: limited again, with the bucket refilled meanwhile.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.admit(at(1), 10'001));
  EXPECT_FALSE(l.admit(at(1), 10'001));
}

TEST(SourceLimiter, FullTableSharesOneBucketAndPrunesIdleSources) {
  SourceLimiter l(small());
  for (std::uint16_t p = 1; p <= 4; ++p) EXPECT_TRUE(l.admit(at(p), 0));
  EXPECT_EQ(l.tracked(), 4u);
  // Table full, nothing idle: new sources share the overflow bucket (burst 3).
  EXPECT_TRUE(l.admit(at(10), 0));
  EXPECT_TRUE(l.admit(at(11), 0));
  EXPECT_TRUE(l.admit(at(12), 0));
  EXPECT_FALSE(l.admit(at(13), 0));
  EXPECT_EQ(l.counters().overflowed, 1u);
  EXPECT_EQ(l.tracked(), 4u) << "bounded";
  // Two seconds later the buckets are full again: the idle entries go, a new source gets one.
  EXPECT_TRUE(l.admit(at(20), 2000));
  EXPECT_LE(l.tracked(), 4u);
}

TEST(SourceLimiter, ZeroRateIsNoLimit) {
  SourceLimitSettings s = small();
  s.per_second = 0;
  SourceLimiter l(s);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(l.admit(at(1), 0));
}

}  // namespace
}  // namespace ims::sw::app
