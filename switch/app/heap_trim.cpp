#include "switch/app/heap_trim.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <spdlog/spdlog.h>

namespace ims::sw::app {

long long resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long long size = 0;
  long long resident = 0;
  const int n = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  if (n != 2) return -1;
  return resident * static_cast<long long>(sysconf(_SC_PAGESIZE));
}

HeapTrimmer::HeapTrimmer(boost::asio::any_io_executor ex, std::chrono::milliseconds interval,
                         std::size_t threshold)
    : timer_(std::move(ex)), interval_(interval), threshold_(threshold),
      baseline_(resident_bytes()) {}

void HeapTrimmer::start() {
  stopped_ = false;
  baseline_ = resident_bytes();  // what start-up left (it trims once itself)
  arm();
}

void HeapTrimmer::stop() {
  stopped_ = true;
  timer_.cancel();
}

void HeapTrimmer::arm() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    check();
    arm();
  });
}

bool HeapTrimmer::check() {
  const long long resident = resident_bytes();
  if (resident < 0) return false;
  if (resident < baseline_) baseline_ = resident;
  if (resident < baseline_ + static_cast<long long>(threshold_)) {
    wait_ = std::chrono::milliseconds{0};
    return false;
  }
  const auto now = Clock::now();
  if (now < next_walk_) return false;
  // fordblks: bytes in free blocks of the main and the threads' arenas (mmapped blocks are
  // returned when freed and are not counted).
  ++walks_;
  const struct mallinfo2 info = mallinfo2();
  if (info.fordblks < threshold_) {
    wait_ = std::min<std::chrono::milliseconds>(std::max(2 * wait_, interval_), kLongestWait);
    next_walk_ = now + wait_;
    return false;
  }
  malloc_trim(0);
  const long long after = resident_bytes();
  const auto took = Clock::now() - now;
  trims_.fetch_add(1, std::memory_order_relaxed);
  const long long released = after >= 0 && resident > after ? resident - after : 0;
  released_.fetch_add(static_cast<std::uint64_t>(released), std::memory_order_relaxed);
  baseline_ = after >= 0 ? after : resident;
  wait_ = std::chrono::milliseconds{0};
  spdlog::debug("heap: {} MB of {} MB free; {} MB handed back to the system in {} µs",
                info.fordblks >> 20, (info.arena + info.hblkhd) >> 20, released >> 20,
                std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  return true;
}

}  // namespace ims::sw::app
