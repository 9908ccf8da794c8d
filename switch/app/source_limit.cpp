#include "switch/app/source_limit.hpp"

#include <algorithm>

namespace ims::sw::app {

bool SourceLimiter::take(Bucket& b, std::int64_t now_ms) const {
  if (now_ms > b.refilled_ms) {
    const double elapsed_s = static_cast<double>(now_ms - b.refilled_ms) / 1000.0;
    b.tokens = std::min(settings_.burst, b.tokens + elapsed_s * settings_.per_second);
    b.refilled_ms = now_ms;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

bool SourceLimiter::admit(const transport::Endpoint& source, std::int64_t now_ms) {
  if (!enabled()) return true;
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    if (sources_.size() >= settings_.max_sources) prune(now_ms);
    if (sources_.size() >= settings_.max_sources) {
      // No room: every source without one is limited as one.
      if (!overflow_started_) {
        overflow_ = Bucket{settings_.burst, now_ms, 0};
        overflow_started_ = true;
      }
      if (take(overflow_, now_ms)) return true;
      ++counters_.shed;
      ++counters_.overflowed;
      return false;
    }
    it = sources_.emplace(source, Bucket{settings_.burst, now_ms, 0}).first;
  }
  Bucket& b = it->second;
  if (b.trusted_until_ms > now_ms) return true;
  if (take(b, now_ms)) return true;
  ++counters_.shed;
  return false;
}

void SourceLimiter::trust(const transport::Endpoint& source, std::int64_t now_ms) {
  if (!enabled()) return;
  const std::int64_t until =
      now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(settings_.trust).count();
  auto it = sources_.find(source);
  if (it != sources_.end()) {
    it->second.trusted_until_ms = until;
    return;
  }
  if (sources_.size() >= settings_.max_sources) prune(now_ms);
  if (sources_.size() >= settings_.max_sources) return;  // stays limited, as any new source
  sources_.emplace(source, Bucket{settings_.burst, now_ms, until});
}

bool SourceLimiter::trusted(const transport::Endpoint& source, std::int64_t now_ms) const {
  const auto it = sources_.find(source);
  return it != sources_.end() && it->second.trusted_until_ms > now_ms;
}

void SourceLimiter::prune(std::int64_t now_ms) {
  if (now_ms - pruned_ms_ < 1000 && pruned_ms_ != 0) return;
  pruned_ms_ = now_ms;
  // An entry carries something while its source is trusted or its bucket is below full: the
  // time a bucket takes to refill is how long an entry is kept.
  const double refill_ms = settings_.burst / settings_.per_second * 1000.0;
  std::erase_if(sources_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    if (b.trusted_until_ms > now_ms) return false;
    const double tokens =
        b.tokens + static_cast<double>(now_ms - b.refilled_ms) * settings_.burst / refill_ms;
    return tokens >= settings_.burst;
  });
}

}  // namespace ims::sw::app
