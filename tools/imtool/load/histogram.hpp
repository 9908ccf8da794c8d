#pragma once
// LatencyHistogram: latencies in microseconds in log-linear buckets, as HdrHistogram keeps them:
// every value below 256 µs exactly, and each power of two above split into 128 equal buckets,
// so a percentile read back is within 0.8 % of the value recorded (always at or above it). A
// fixed 38 KB array, no allocation while recording: cheap enough for every answer of a load run.
// Values up to 2^42 µs (51 days); larger ones land in the last bucket. Not thread-safe: one per
// thread, merged at the end.

#include <array>
#include <cstdint>

namespace ims::tool::load {

class LatencyHistogram {
 public:
  void record(std::uint64_t micros);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }
  // The smallest bucket value v such that at least q (0..1] of the values are <= v, reported as
  // the bucket's highest value (never above max()); 0 when empty.
  std::uint64_t percentile(double q) const;

  static constexpr std::size_t kExact = 256;  // values below it have a bucket each
  static constexpr std::size_t kSubBuckets = 128;
  static constexpr unsigned kTopExponent = 42;
  static constexpr std::size_t kBuckets = kExact + (kTopExponent - 8 + 1) * kSubBuckets;

  // The bucket of a value, and the highest value a bucket holds (exposed for the unit tests).
  static std::size_t bucket_of(std::uint64_t micros);
  static std::uint64_t highest_in(std::size_t bucket);

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = UINT64_MAX;
};

}  // namespace ims::tool::load
