#include "tools/imtool/load/schedule.hpp"

#include <cmath>

namespace ims::tool::load {

namespace {
constexpr double kNanos = 1e9;
}

Schedule::Schedule(double rate, Duration ramp)
    : rate_(rate),
      ramp_s_(static_cast<double>(ramp.count()) / kNanos),
      ramp_ops_(rate * ramp_s_ / 2) {}

// During the ramp the rate at t is rate * t / ramp, so the operations due by t number
// rate * t^2 / (2 * ramp); after it, ramp_ops_ plus rate per second.
Schedule::Duration Schedule::due_at(std::uint64_t i) const {
  const double n = static_cast<double>(i);
  double seconds = 0;
  if (ramp_s_ > 0 && n < ramp_ops_) {
    seconds = std::sqrt(2 * ramp_s_ * n / rate_);
  } else {
    seconds = ramp_s_ + (n - ramp_ops_) / rate_;
  }
  return Duration(static_cast<std::int64_t>(std::llround(seconds * kNanos)));
}

std::uint64_t Schedule::due_count(Duration elapsed) const {
  if (elapsed.count() < 0) return 0;
  const double t = static_cast<double>(elapsed.count()) / kNanos;
  double n = 0;
  if (ramp_s_ > 0 && t < ramp_s_) {
    n = rate_ * t * t / (2 * ramp_s_);
  } else {
    n = ramp_ops_ + (t - ramp_s_) * rate_;
  }
  // Operation i is due when n >= i, so floor(n) + 1 are due (operation 0 at once); the rounding
  // of due_at() is matched by checking the neighbours.
  auto count = static_cast<std::uint64_t>(std::floor(n)) + 1;
  while (count > 0 && due_at(count - 1) > elapsed) --count;
  while (due_at(count) <= elapsed) ++count;
  return count;
}

}  // namespace ims::tool::load
