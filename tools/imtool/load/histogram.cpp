#include "tools/imtool/load/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ims::tool::load {

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) {
  if (micros < kExact) return static_cast<std::size_t>(micros);
  const unsigned exponent = static_cast<unsigned>(std::bit_width(micros)) - 1;  // >= 8
  if (exponent > kTopExponent) return kBuckets - 1;
  // [2^e, 2^(e+1)) in 128 buckets of 2^(e-7) each.
  const std::uint64_t sub = (micros >> (exponent - 7)) - kSubBuckets;
  return kExact + (exponent - 8) * kSubBuckets + static_cast<std::size_t>(sub);
}

std::uint64_t LatencyHistogram::highest_in(std::size_t bucket) {
  if (bucket < kExact) return bucket;
  const std::size_t above = bucket - kExact;
  const unsigned exponent = static_cast<unsigned>(above / kSubBuckets) + 8;
  const std::uint64_t sub = above % kSubBuckets + kSubBuckets;
  const unsigned shift = exponent - 7;
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::record(std::uint64_t micros) {
  ++counts_[bucket_of(micros)];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
  min_ = std::min(min_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

std::uint64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto wanted = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(highest_in(i), max_);
  }
  return max_;
}

}  // namespace ims::tool::load
