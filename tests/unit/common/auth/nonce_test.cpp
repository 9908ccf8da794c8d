#include "common/auth/nonce.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/auth/errors.hpp"

namespace ims::auth {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kT0 = 1'700'000'000'000;  // fake wall clock, ms

NonceManager make(NonceConfig config = {}, const std::string& secret = kSecret) {
  auto m = NonceManager::with_secret(secret, config);
  EXPECT_TRUE(m.ok());
  return std::move(m).value();
}

// The nonce with one hex digit at position i changed.
std::string flip(std::string nonce, std::size_t i) {
  nonce[i] = nonce[i] == '0' ? '1' : '0';
  return nonce;
}

TEST(NonceManager, FactoriesRefuseWeakSecretsAndUselessConfig) {
  EXPECT_EQ(NonceManager::with_secret("short").error().code, AuthErrc::WeakSecret);
  EXPECT_EQ(NonceManager::with_secret(kSecret, {.lifetime_ms = 0}).error().code,
            AuthErrc::BadConfig);
  EXPECT_EQ(NonceManager::with_secret(kSecret, {.max_tracked = 0}).error().code,
            AuthErrc::BadConfig);
  EXPECT_EQ(NonceManager::create({.lifetime_ms = -1}).error().code, AuthErrc::BadConfig);
  EXPECT_TRUE(NonceManager::create().ok());
}

TEST(NonceManager, IssuesDistinctLowerHexNonces) {
  auto m = make();
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string n = m.issue(kT0);
    ASSERT_EQ(n.size(), 64u);
    for (char c : n) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << n;
    EXPECT_TRUE(seen.insert(n).second);
  }
}

TEST(NonceManager, FreshNonceIsValidWithIncreasingCounts) {
  auto m = make();
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(n, 1, kT0 + 10), NonceState::Valid);
  EXPECT_EQ(m.check(n, 2, kT0 + 20), NonceState::Valid);
  EXPECT_EQ(m.check(n, 7, kT0 + 30), NonceState::Valid);  // gaps are fine: strictly greater
}

TEST(NonceManager, SameCountTwiceIsReplayed) {
  auto m = make();
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Replayed);
}

TEST(NonceManager, ALowerCountSeenBeforeIsReplayed) {
  auto m = make();
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(n, 4, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 5, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 4, kT0), NonceState::Replayed);
  EXPECT_EQ(m.check(n, 6, kT0), NonceState::Valid);
}

TEST(NonceManager, CountsOvertakingEachOtherAreEachAcceptedOnce) {
  // Pipelined requests reusing one nonce arrive out of order (UDP, two SIP cores): every count
  // is good once, in any order, within 64 of the highest seen.
  auto m = make();
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(n, 3, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 2, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 2, kT0), NonceState::Replayed);
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Replayed);
  EXPECT_EQ(m.check(n, 70, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 6, kT0), NonceState::Replayed) << "64 below the highest: too old";
  EXPECT_EQ(m.check(n, 7, kT0), NonceState::Valid) << "63 below: the oldest still counted";
  EXPECT_EQ(m.check(n, 7, kT0), NonceState::Replayed);
  EXPECT_EQ(m.check(n, 69, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 3, kT0), NonceState::Replayed) << "forgotten, so refused";
}

TEST(NonceManager, TwoThreadsShareTheCounts) {
  // The SIP cores of one switch check nonces from their own threads: each (nonce, nc) pair is
  // accepted exactly once overall.
  auto m = make({.max_tracked = 1000});
  std::vector<std::string> nonces;
  for (int i = 0; i < 200; ++i) nonces.push_back(m.issue(kT0));
  std::atomic<int> valid{0};
  auto work = [&] {
    for (const auto& n : nonces)
      for (std::uint32_t nc = 1; nc <= 20; ++nc)
        if (m.check(n, nc, kT0) == NonceState::Valid) ++valid;
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(valid.load(), 200 * 20);
}

TEST(NonceManager, ThreadsIssuingTogetherEachGetATrackedNonce) {
  // Issue numbers are taken under the lock and the MAC computed outside it: nonces issued at
  // once from several threads must still each land in a slot of their own.
  auto m = make({.max_tracked = 4'000});
  std::vector<std::string> issued[4];
  std::vector<std::thread> threads;
  for (auto& mine : issued)
    threads.emplace_back([&m, &mine] {
      for (int i = 0; i < 1'000; ++i) mine.push_back(m.issue(kT0));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.tracked(), 4'000u);
  std::set<std::string> distinct;
  for (const auto& mine : issued)
    for (const auto& n : mine) {
      distinct.insert(n);
      EXPECT_EQ(m.check(n, 1, kT0), NonceState::Valid) << n;
      EXPECT_EQ(m.check(n, 1, kT0), NonceState::Replayed) << n;
    }
  EXPECT_EQ(distinct.size(), 4'000u);
}

TEST(NonceManager, CountZeroIsNeverValid) {
  auto m = make();
  EXPECT_EQ(m.check(m.issue(kT0), 0, kT0), NonceState::Replayed);
}

TEST(NonceManager, UpperCaseSpellingSharesTheCount) {
  // The same bytes written in upper case are the same nonce: no way around the count.
  auto m = make();
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Valid);
  std::string upper = n;
  for (char& c : upper)
    if (c >= 'a' && c <= 'f') c = char(c - 'a' + 'A');
  ASSERT_NE(upper, n);
  EXPECT_EQ(m.check(upper, 1, kT0), NonceState::Replayed);
  EXPECT_EQ(m.check(upper, 2, kT0), NonceState::Valid);
  EXPECT_EQ(m.check(n, 2, kT0), NonceState::Replayed);
}

TEST(NonceManager, ExpiresAfterLifetime) {
  auto m = make({.lifetime_ms = 30'000});
  const std::string a = m.issue(kT0);
  const std::string b = m.issue(kT0);
  EXPECT_EQ(m.check(a, 1, kT0 + 30'000), NonceState::Valid);  // the last accepted millisecond
  EXPECT_EQ(m.check(b, 1, kT0 + 30'001), NonceState::Stale);
  EXPECT_EQ(m.check(a, 2, kT0 + 30'001), NonceState::Stale);
}

TEST(NonceManager, ClockSteppedBackAgesTheOtherWay) {
  auto m = make({.lifetime_ms = 30'000});
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(n, 1, kT0 - 1'000), NonceState::Valid);
  EXPECT_EQ(m.check(n, 2, kT0 - 30'001), NonceState::Stale);
}

TEST(NonceManager, ForgedOrGarbledNoncesAreInvalid) {
  auto m = make();
  const std::string n = m.issue(kT0);
  EXPECT_EQ(m.check(flip(n, 0), 1, kT0), NonceState::Invalid);   // timestamp
  EXPECT_EQ(m.check(flip(n, 20), 1, kT0), NonceState::Invalid);  // random part
  EXPECT_EQ(m.check(flip(n, 63), 1, kT0), NonceState::Invalid);  // MAC
  EXPECT_EQ(m.check(n.substr(0, 63), 1, kT0), NonceState::Invalid);
  EXPECT_EQ(m.check(n + "0", 1, kT0), NonceState::Invalid);
  EXPECT_EQ(m.check(std::string(64, 'z'), 1, kT0), NonceState::Invalid);
  EXPECT_EQ(m.check("", 1, kT0), NonceState::Invalid);
  EXPECT_EQ(m.check(std::string(64, '0'), 1, kT0), NonceState::Invalid);
  // Garbage leaves the real nonce untouched.
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Valid);
}

TEST(NonceManager, NonceOfAnotherSecretIsInvalid) {
  auto a = make();
  auto b = make({}, "another secret, also 32 bytes...");
  EXPECT_EQ(b.check(a.issue(kT0), 1, kT0), NonceState::Invalid);
}

TEST(NonceManager, SharedSecretNonceIssuedElsewhereIsStaleNotValid) {
  auto a = make();
  auto b = make();
  const std::string n = a.issue(kT0);
  EXPECT_TRUE(b.authentic_and_fresh(n, kT0));
  EXPECT_EQ(b.check(n, 1, kT0), NonceState::Stale);
}

TEST(NonceManager, AuthenticAndFreshChangesNothing) {
  auto m = make({.lifetime_ms = 1'000});
  const std::string n = m.issue(kT0);
  EXPECT_TRUE(m.authentic_and_fresh(n, kT0));
  EXPECT_TRUE(m.authentic_and_fresh(n, kT0));
  EXPECT_FALSE(m.authentic_and_fresh(n, kT0 + 1'001));
  EXPECT_FALSE(m.authentic_and_fresh(flip(n, 40), kT0));
  EXPECT_EQ(m.check(n, 1, kT0), NonceState::Valid);
}

TEST(NonceManager, TrackingIsBoundedAndEvictsTheOldest) {
  auto m = make({.max_tracked = 3});
  std::vector<std::string> n;
  for (int i = 0; i < 5; ++i) n.push_back(m.issue(kT0 + i));
  EXPECT_EQ(m.tracked(), 3u);
  EXPECT_EQ(m.check(n[0], 1, kT0 + 10), NonceState::Stale);
  EXPECT_EQ(m.check(n[1], 1, kT0 + 10), NonceState::Stale);
  EXPECT_EQ(m.check(n[2], 1, kT0 + 10), NonceState::Valid);
  EXPECT_EQ(m.check(n[3], 1, kT0 + 10), NonceState::Valid);
  EXPECT_EQ(m.check(n[4], 1, kT0 + 10), NonceState::Valid);
}

TEST(NonceManager, ExpiredEntriesLeaveBeforeLiveOnes) {
  auto m = make({.lifetime_ms = 1'000, .max_tracked = 2});
  const std::string a = m.issue(kT0);
  const std::string b = m.issue(kT0 + 900);
  const std::string c = m.issue(kT0 + 1'200);  // a has expired: it goes, b stays
  EXPECT_EQ(m.tracked(), 2u);
  EXPECT_EQ(m.check(b, 1, kT0 + 1'300), NonceState::Valid);
  EXPECT_EQ(m.check(c, 1, kT0 + 1'300), NonceState::Valid);
  EXPECT_EQ(m.check(a, 1, kT0 + 1'300), NonceState::Stale);
}

TEST(NonceManager, ExpiredEntriesAreDroppedAsTimePasses) {
  auto m = make({.lifetime_ms = 1'000});
  for (int i = 0; i < 50; ++i) (void)m.issue(kT0);
  EXPECT_EQ(m.tracked(), 50u);
  EXPECT_EQ(m.check(m.issue(kT0 + 5'000), 1, kT0 + 5'000), NonceState::Valid);
  EXPECT_EQ(m.tracked(), 1u);
}

TEST(NonceManager, FloodOfChallengesStaysWithinTheBound) {
  auto m = make({.max_tracked = 1'000});
  for (int i = 0; i < 100'000; ++i) (void)m.issue(kT0 + i / 100);
  EXPECT_EQ(m.tracked(), 1'000u);
}

TEST(NonceManager, EvictedNonceNeverBecomesValidAgain) {
  auto m = make({.max_tracked = 1});
  const std::string victim = m.issue(kT0);
  EXPECT_EQ(m.check(victim, 1, kT0), NonceState::Valid);
  (void)m.issue(kT0 + 1);  // evicts victim
  for (std::uint32_t nc = 1; nc < 20; ++nc)
    EXPECT_EQ(m.check(victim, nc * 1000, kT0 + 2), NonceState::Stale) << nc;
  (void)m.issue(kT0 + 3);  // the table has room again: victim still cannot come back
  EXPECT_EQ(m.check(victim, 100'000, kT0 + 4), NonceState::Stale);
}

TEST(NonceManager, ASlotServesOnlyTheNonceOfItsLap) {
  // Three slots: the fourth nonce takes the first one's slot, and the first one's counts do not
  // carry over to it or come back with it.
  auto m = make({.max_tracked = 3});
  const std::string first = m.issue(kT0);
  EXPECT_EQ(m.check(first, 5, kT0), NonceState::Valid);
  const std::string second = m.issue(kT0 + 1);
  (void)m.issue(kT0 + 2);
  EXPECT_EQ(m.check(first, 6, kT0 + 3), NonceState::Valid) << "still in its lap";
  const std::string fourth = m.issue(kT0 + 3);
  EXPECT_EQ(m.check(first, 7, kT0 + 4), NonceState::Stale);
  EXPECT_EQ(m.check(fourth, 1, kT0 + 4), NonceState::Valid) << "a fresh count in the old slot";
  EXPECT_EQ(m.check(second, 1, kT0 + 4), NonceState::Valid);
  for (int i = 0; i < 7; ++i) (void)m.issue(kT0 + 5 + i);  // laps further on
  EXPECT_EQ(m.tracked(), 3u);
  EXPECT_EQ(m.check(fourth, 2, kT0 + 20), NonceState::Stale);
  EXPECT_EQ(m.check(first, 8, kT0 + 20), NonceState::Stale);
}

TEST(NonceManager, StatesHaveNames) {
  EXPECT_EQ(to_string(NonceState::Valid), "valid");
  EXPECT_EQ(to_string(NonceState::Stale), "stale");
  EXPECT_EQ(to_string(NonceState::Invalid), "invalid");
  EXPECT_EQ(to_string(NonceState::Replayed), "replayed");
}

}  // namespace
}  // namespace ims::auth
