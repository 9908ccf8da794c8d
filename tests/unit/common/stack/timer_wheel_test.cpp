// The stack's timing wheel: due timers come out once, at their tick and never before; cancel
// and re-arm are exact, also for entries moved around inside a slot; long timers wait out
// whole revolutions; a long pause delivers everything due; next_due() tells a driver how long
// it may sleep, never past a due timer.

#include "common/stack/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <utility>

namespace ims::stack {
namespace {

struct Owner {
  int id = 0;
  std::array<WheelPos, 3> pos{};
  WheelPos& wheel_pos(std::size_t t) { return pos[t]; }
};

using Wheel = TimerWheel<Owner>;

std::set<std::pair<int, std::size_t>> fired(const std::vector<Wheel::Expired>& v) {
  std::set<std::pair<int, std::size_t>> out;
  for (const auto& e : v) out.insert({e.owner->id, e.timer});
  return out;
}

TEST(TimerWheel, FiresAtItsTickAndNotBefore) {
  Wheel w(8);
  Owner a{1};
  w.arm(a, 0, 5);
  EXPECT_TRUE(w.advance(4).empty());
  EXPECT_EQ(fired(w.advance(5)), (std::set<std::pair<int, std::size_t>>{{1, 0}}));
  EXPECT_FALSE(a.pos[0].armed());
  EXPECT_TRUE(w.advance(20).empty());
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, CancelAndRearmAreExactInsideASharedSlot) {
  Wheel w(8);
  Owner a{1}, b{2}, c{3};
  w.arm(a, 0, 3);
  w.arm(b, 0, 3);
  w.arm(c, 1, 3);  // all three in slot 3
  w.cancel(a, 0);  // c moves into a's place
  w.arm(b, 0, 6);  // re-armed later
  EXPECT_EQ(w.size(), 2u);
  EXPECT_EQ(fired(w.advance(3)), (std::set<std::pair<int, std::size_t>>{{3, 1}}));
  EXPECT_EQ(fired(w.advance(6)), (std::set<std::pair<int, std::size_t>>{{2, 0}}));
}

TEST(TimerWheel, LongTimersWaitOutWholeRevolutions) {
  Wheel w(8);
  Owner a{1}, b{2};
  w.arm(a, 0, 2);
  w.arm(b, 0, 2 + 8 * 3);  // the same slot, three turns later
  EXPECT_EQ(fired(w.advance(2)), (std::set<std::pair<int, std::size_t>>{{1, 0}}));
  EXPECT_TRUE(w.advance(2 + 8 * 3 - 1).empty());
  EXPECT_EQ(fired(w.advance(2 + 8 * 3)), (std::set<std::pair<int, std::size_t>>{{2, 0}}));
}

TEST(TimerWheel, APauseLongerThanARevolutionDeliversEverythingDue) {
  Wheel w(8);
  std::array<Owner, 20> owners;
  for (int i = 0; i < 20; ++i) {
    owners[static_cast<std::size_t>(i)].id = i;
    w.arm(owners[static_cast<std::size_t>(i)], 2, static_cast<std::uint64_t>(1 + i * 3));
  }
  auto got = w.advance(1000);
  EXPECT_EQ(got.size(), 20u);
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, ATimerArmedInThePastFiresAtTheNextAdvance) {
  Wheel w(8);
  EXPECT_TRUE(w.advance(10).empty());
  Owner a{1};
  w.arm(a, 0, 4);
  EXPECT_EQ(w.advance(11).size(), 1u);
}

TEST(TimerWheel, CancelAllForgetsAnOwner) {
  Wheel w(8);
  Owner a{1};
  w.arm(a, 0, 3);
  w.arm(a, 1, 4);
  w.arm(a, 2, 40);
  w.cancel_all(a, 3);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_TRUE(w.advance(100).empty());
}

TEST(TimerWheel, NextDueIsTheEarliestArmedTimerAndNeverLater) {
  Wheel w(8);
  Owner a{1}, b{2};
  EXPECT_EQ(w.next_due(), Wheel::kNever);
  w.arm(a, 0, 30);  // beyond one revolution
  EXPECT_EQ(w.next_due(), 30u);
  w.arm(b, 0, 12);
  EXPECT_EQ(w.next_due(), 12u);
  // A cancel may leave the bound early, never late; passing it makes it exact again.
  w.cancel(b, 0);
  EXPECT_LE(w.next_due(), 30u);
  EXPECT_TRUE(w.advance(w.next_due()).empty());
  EXPECT_EQ(w.next_due(), 30u);
  // Sleeping until next_due() loses nothing.
  EXPECT_EQ(fired(w.advance(w.next_due())), (std::set<std::pair<int, std::size_t>>{{1, 0}}));
  EXPECT_EQ(w.next_due(), Wheel::kNever);
  // Re-arming earlier moves it; the wheel's own clock floor applies (due <= now: next tick).
  w.arm(a, 1, 100);
  w.arm(a, 1, 31);
  EXPECT_EQ(w.next_due(), 31u);
  w.arm(b, 2, 3);
  EXPECT_EQ(w.next_due(), 31u);  // now is 30: due at once, on tick 31
}

// next_due() after timers fire: the nearest of many, whether it lies within this revolution,
// behind timers of later revolutions in the same slot, or only beyond a revolution.
TEST(TimerWheel, NextDueAfterAnAdvanceIsTheNearestOfMany) {
  Wheel w(8);
  Owner a{1}, b{2}, c{3}, d{4};
  w.arm(a, 0, 2);
  w.arm(b, 0, 13);  // slot 5, two revolutions on
  w.arm(c, 0, 5);   // slot 5 too, this revolution
  w.arm(d, 0, 20);
  EXPECT_EQ(fired(w.advance(2)), (std::set<std::pair<int, std::size_t>>{{1, 0}}));
  EXPECT_EQ(w.next_due(), 5u);
  EXPECT_EQ(fired(w.advance(5)), (std::set<std::pair<int, std::size_t>>{{3, 0}}));
  EXPECT_EQ(w.next_due(), 13u);  // nothing within the revolution after tick 5
  EXPECT_EQ(fired(w.advance(13)), (std::set<std::pair<int, std::size_t>>{{2, 0}}));
  EXPECT_EQ(w.next_due(), 20u);
}

}  // namespace
}  // namespace ims::stack
