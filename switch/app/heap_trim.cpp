#include "switch/app/heap_trim.hpp"

#include <malloc.h>
#include <unistd.h>

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
    : timer_(std::move(ex)), interval_(interval), threshold_(threshold) {}

void HeapTrimmer::start() {
  stopped_ = false;
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
  // fordblks: bytes in free blocks of the main and the threads' arenas (mmapped blocks are
  // returned when freed and are not counted).
  const struct mallinfo2 info = mallinfo2();
  if (info.fordblks < threshold_) return false;
  const auto started = std::chrono::steady_clock::now();
  const long long before = resident_bytes();
  malloc_trim(0);
  const long long after = resident_bytes();
  const auto took = std::chrono::steady_clock::now() - started;
  trims_.fetch_add(1, std::memory_order_relaxed);
  const long long released = before >= 0 && after >= 0 && before > after ? before - after : 0;
  released_.fetch_add(static_cast<std::uint64_t>(released), std::memory_order_relaxed);
  spdlog::debug("heap: {} MB of {} MB free; {} MB handed back to the system in {} µs",
                info.fordblks >> 20, (info.arena + info.hblkhd) >> 20, released >> 20,
                std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  return true;
}

}  // namespace ims::sw::app
