#include "switch/directory/schedule.hpp"

#include <gtest/gtest.h>

namespace ims::sw::directory {
namespace {

constexpr unsigned kSun = 0, kMon = 1, kFri = 5, kSat = 6;

unsigned at(unsigned h, unsigned m) { return h * 60 + m; }

TEST(TimeWindow, DefaultsToAlways) {
  TimeWindow w;
  EXPECT_TRUE(w.contains(kSun, 0));
  EXPECT_TRUE(w.contains(kSat, at(23, 59)));
  EXPECT_EQ(w.to_string(), "00:00-24:00");
}

TEST(TimeWindow, OfficeHoursOnWeekdays) {
  TimeWindow w;
  ASSERT_TRUE(w.set_hours("08:00-18:00"));
  ASSERT_TRUE(w.add_days("mon-fri"));
  EXPECT_TRUE(w.contains(kMon, at(8, 0)));
  EXPECT_TRUE(w.contains(kFri, at(17, 59)));
  EXPECT_FALSE(w.contains(kFri, at(18, 0)));
  EXPECT_FALSE(w.contains(kSat, at(12, 0)));
  EXPECT_EQ(w.to_string(), "08:00-18:00 mon,tue,wed,thu,fri");
}

TEST(TimeWindow, NightShiftWrapsPastMidnight) {
  TimeWindow w;
  ASSERT_TRUE(w.set_hours("22:00-06:00"));
  ASSERT_TRUE(w.add_days("fri"));
  EXPECT_TRUE(w.contains(kFri, at(23, 0)));
  EXPECT_TRUE(w.contains(kSat, at(5, 59)));  // Friday's night
  EXPECT_FALSE(w.contains(kFri, at(5, 0)));  // Thursday's night
  EXPECT_FALSE(w.contains(kSat, at(23, 0)));
}

TEST(TimeWindow, DaysAddUpAndRangesWrap) {
  TimeWindow w;
  ASSERT_TRUE(w.add_days("sat-sun"));
  ASSERT_TRUE(w.add_days("Wed"));
  EXPECT_EQ(w.days(), (1u << 6) | (1u << 0) | (1u << 3));
  EXPECT_TRUE(w.contains(kSun, at(12, 0)));
  EXPECT_FALSE(w.contains(kMon, at(12, 0)));
}

TEST(TimeWindow, RejectsMalformedText) {
  TimeWindow w;
  for (const char* bad : {"8-18", "08:00", "08:00-25:00", "24:00-08:00", "08:60-09:00",
                          "08:00-08:00", "08:00 18:00"}) {
    EXPECT_FALSE(w.set_hours(bad)) << bad;
  }
  EXPECT_TRUE(w.set_hours("18:00-24:00"));
  EXPECT_FALSE(w.add_days("monday"));
  EXPECT_FALSE(w.add_days("mon-"));
}

}  // namespace
}  // namespace ims::sw::directory
