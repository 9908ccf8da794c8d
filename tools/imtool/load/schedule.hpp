#pragma once
// Schedule: when each operation of an open-loop run is due (wrk2's and k6's constant arrival
// rate). Operation i (from 0) is due at a fixed time after the start, whatever happened to the
// ones before it; its latency is measured from that time, so a stalled switch shows up as latency
// instead of as fewer requests sent (no coordinated omission). With a ramp the rate climbs
// linearly from 0 to the target over the ramp, then holds.
//
// A value: no clock, no I/O. The runner asks due_count(elapsed) on each tick and sends that many.

#include <chrono>
#include <cstdint>

namespace ims::tool::load {

class Schedule {
 public:
  using Duration = std::chrono::nanoseconds;

  // rate: operations per second (> 0); ramp: zero for none.
  Schedule(double rate, Duration ramp);

  // When operation i is due, counted from the start.
  Duration due_at(std::uint64_t i) const;
  // How many operations are due at `elapsed` after the start (those with due_at <= elapsed).
  std::uint64_t due_count(Duration elapsed) const;

  double rate() const { return rate_; }

 private:
  double rate_;
  double ramp_s_;
  double ramp_ops_;  // operations due within the ramp: rate * ramp / 2
};

}  // namespace ims::tool::load
