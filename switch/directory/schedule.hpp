#pragma once
// TimeWindow: the time-of-day condition of a routing rule, e.g. 08:00-18:00 on mon-fri. Plain
// values; the caller passes the time (the switch's local time), the directory reads no clock.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/util/result.hpp"

namespace ims::sw::directory {

class TimeWindow {
 public:
  static constexpr unsigned kMinutesPerDay = 24 * 60;
  static constexpr std::uint8_t kEveryDay = 0x7f;

  // The whole day, every day.
  TimeWindow() = default;

  // "HH:MM-HH:MM", 24-hour clock; the end is exclusive and may be 24:00. A start after the end
  // wraps past midnight ("22:00-06:00"); the days then name the day the window starts.
  [[nodiscard]] Result<void> set_hours(std::string_view text);
  // One entry of a days list: "mon" .. "sun" or a range "mon-fri" (ranges may wrap: "sat-sun",
  // "fri-mon"). The first call replaces "every day"; later calls add days.
  [[nodiscard]] Result<void> add_days(std::string_view text);

  // weekday: 0 = Sunday .. 6 = Saturday (std::chrono::weekday::c_encoding); minute: 0..1439.
  bool contains(unsigned weekday, unsigned minute_of_day) const;

  unsigned start_minute() const { return start_; }
  unsigned end_minute() const { return end_; }
  std::uint8_t days() const { return days_; }  // bit n = weekday n
  std::string to_string() const;               // "08:00-18:00 mon,tue,wed,thu,fri"

 private:
  unsigned start_ = 0;
  unsigned end_ = kMinutesPerDay;
  std::uint8_t days_ = kEveryDay;
  bool days_set_ = false;
};

}  // namespace ims::sw::directory
