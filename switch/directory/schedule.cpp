#include "switch/directory/schedule.hpp"

#include <array>
#include <optional>

#include "common/util/strings.hpp"

namespace ims::sw::directory {

namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

Error schedule_error(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

// "HH:MM" -> minutes since midnight; 24:00 only when allowed (an end).
std::optional<unsigned> parse_clock(std::string_view t, bool allow_24) {
  t = util::trim(t);
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  auto h = util::parse_uint(t.substr(0, 2), 24);
  auto m = util::parse_uint(t.substr(3, 2), 59);
  if (!h || !m) return std::nullopt;
  if (*h == 24 && (*m != 0 || !allow_24)) return std::nullopt;
  return static_cast<unsigned>(*h * 60 + *m);
}

std::optional<unsigned> parse_day(std::string_view d) {
  const std::string l = util::to_lower(util::trim(d));
  for (unsigned i = 0; i < kDayNames.size(); ++i)
    if (l == kDayNames[i]) return i;
  return std::nullopt;
}

std::string clock_text(unsigned minutes) {
  std::string out;
  out += char('0' + minutes / 600);
  out += char('0' + minutes / 60 % 10);
  out += ':';
  out += char('0' + minutes % 60 / 10);
  out += char('0' + minutes % 10);
  return out;
}

}  // namespace

Result<void> TimeWindow::set_hours(std::string_view text) {
  const auto dash = text.find('-');
  std::optional<unsigned> start, end;
  if (dash != std::string_view::npos) {
    start = parse_clock(text.substr(0, dash), false);
    end = parse_clock(text.substr(dash + 1), true);
  }
  if (!start || !end) {
    return schedule_error("must be HH:MM-HH:MM on the 24-hour clock (e.g. 08:00-18:00)");
  }
  if (*start == *end) return schedule_error("must not start and end at the same time");
  start_ = *start;
  end_ = *end;
  return {};
}

Result<void> TimeWindow::add_days(std::string_view text) {
  const auto dash = text.find('-');
  std::optional<unsigned> first = parse_day(text.substr(0, dash));
  std::optional<unsigned> last = dash == std::string_view::npos ? first
                                                                : parse_day(text.substr(dash + 1));
  if (!first || !last) {
    return schedule_error("must be a day (mon, tue, wed, thu, fri, sat, sun) or a range such as "
                          "mon-fri");
  }
  if (!days_set_) days_ = 0;
  days_set_ = true;
  for (unsigned d = *first;; d = (d + 1) % 7) {
    days_ = static_cast<std::uint8_t>(days_ | (1u << d));
    if (d == *last) break;
  }
  return {};
}

bool TimeWindow::contains(unsigned weekday, unsigned minute_of_day) const {
  weekday %= 7;
  auto on = [&](unsigned d) { return (days_ >> (d % 7)) & 1u; };
  if (start_ < end_) return on(weekday) && minute_of_day >= start_ && minute_of_day < end_;
  // Wraps past midnight: the evening part belongs to today, the morning part to yesterday.
  if (minute_of_day >= start_) return on(weekday);
  return minute_of_day < end_ && on(weekday + 6);
}

std::string TimeWindow::to_string() const {
  std::string out = clock_text(start_) + "-" + clock_text(end_);
  if (days_ == kEveryDay) return out;
  out += ' ';
  bool first = true;
  for (unsigned d : {1u, 2u, 3u, 4u, 5u, 6u, 0u}) {
    if (!((days_ >> d) & 1u)) continue;
    if (!first) out += ',';
    first = false;
    out += kDayNames[d];
  }
  return out;
}

}  // namespace ims::sw::directory
