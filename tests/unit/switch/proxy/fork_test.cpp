// RFC 3261 §16.7: choosing what a forking proxy answers.
#include "switch/proxy/fork.hpp"

#include <gtest/gtest.h>

namespace ims::sw::proxy {
namespace {

using Kind = ForkDecision::Kind;

TEST(ForkContext, FirstSuccessIsForwardedAtOnce) {
  ForkContext f(3);
  EXPECT_EQ(f.on_final(1, 480).kind, Kind::Wait);
  const ForkDecision d = f.on_final(2, 200);
  EXPECT_EQ(d.kind, Kind::Forward2xx);
  EXPECT_EQ(d.branch, 2u);
  EXPECT_TRUE(f.decided());
}

TEST(ForkContext, ResponsesAfterTheDecisionAreIgnored) {
  ForkContext f(3);
  f.on_final(0, 202);
  EXPECT_EQ(f.on_final(1, 200).kind, Kind::Wait);
  EXPECT_EQ(f.on_final(2, 603).kind, Kind::Wait);
  EXPECT_EQ(f.pending(), 0u);
}

TEST(ForkContext, WaitsUntilEveryBranchFailed) {
  ForkContext f(2);
  EXPECT_EQ(f.on_final(0, 486).kind, Kind::Wait);
  const ForkDecision d = f.on_final(1, 480);
  EXPECT_EQ(d.kind, Kind::Final);
  EXPECT_EQ(d.status, 486);  // same rank: the first branch's answer stands
  EXPECT_TRUE(d.retry_later);
}

TEST(ForkContext, SixHundredClassWins) {
  ForkContext f(3);
  f.on_final(0, 404);
  f.on_final(1, 603);
  const ForkDecision d = f.on_final(2, 500);
  EXPECT_EQ(d.status, 603);
  EXPECT_EQ(d.branch, 1u);
  EXPECT_FALSE(d.retry_later);
}

TEST(ForkContext, LowestClassWinsAndResubmissionHintsArePreferred) {
  ForkContext f(3);
  f.on_final(0, 500);
  f.on_final(1, 404);
  const ForkDecision d = f.on_final(2, 415);
  EXPECT_EQ(d.status, 415);
  EXPECT_EQ(d.branch, 2u);
}

TEST(ForkContext, TimeoutsBecomeAGenerated408AndMayBeRetried) {
  ForkContext f(2);
  f.on_timeout(0);
  const ForkDecision d = f.on_timeout(1);
  EXPECT_EQ(d.kind, Kind::Final);
  EXPECT_EQ(d.status, 408);
  EXPECT_FALSE(d.branch.has_value());
  EXPECT_TRUE(d.retry_later);
}

TEST(ForkContext, ALone503IsAnsweredAs500) {
  ForkContext f(1);
  const ForkDecision d = f.on_transport_error(0);
  EXPECT_EQ(d.status, 500);
  EXPECT_FALSE(d.branch.has_value());
  EXPECT_TRUE(d.retry_later);
}

TEST(ForkContext, OneRequestFaultMeansTheMessageIsNotKept) {
  ForkContext f(2);
  f.on_timeout(0);
  const ForkDecision d = f.on_final(1, 415);
  EXPECT_EQ(d.status, 415);
  EXPECT_FALSE(d.retry_later);
}

TEST(ForkContext, UnknownBranchesProvisionalsAndDuplicatesAreIgnored) {
  ForkContext f(1);
  EXPECT_EQ(f.on_final(5, 200).kind, Kind::Wait);
  EXPECT_EQ(f.on_final(0, 180).kind, Kind::Wait);
  EXPECT_EQ(f.pending(), 1u);
  EXPECT_EQ(f.on_final(0, 486).kind, Kind::Final);
  EXPECT_EQ(f.on_final(0, 200).kind, Kind::Wait);
}

}  // namespace
}  // namespace ims::sw::proxy
