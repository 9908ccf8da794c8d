#pragma once
// Freed heap handed back to the system. glibc's malloc keeps what the process frees inside its
// heap for reuse and shrinks the heap only from its top, so a burst of short-lived objects (SIP
// transactions lingering after a load peak, a directory rebuilt on reload) leaves the resident
// memory at the burst's peak long after the objects are gone: 30,000 relayed MESSAGEs left some
// 80 MB resident with 8 MB in use. HeapTrimmer looks at the heap every `interval`; when at least
// `threshold` bytes of it are free, malloc_trim(3) gives the free pages back (the address
// space stays, the pages leave the resident set and come back zeroed when reused).
//
// Runs on the executor it is given (core 0). A trim takes malloc's lock for the time it walks
// the free blocks (about a millisecond for 100 MB of heap), so it runs only when that much is
// free, which a steady load, reusing what it frees, seldom leaves. A sanitizer build has its own
// allocator: the heap looks empty and nothing is trimmed.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ims::sw::app {

inline constexpr std::chrono::milliseconds kHeapTrimInterval{2000};
inline constexpr std::size_t kHeapTrimThreshold = 16u << 20;

// The process's resident memory in bytes (/proc/self/statm); -1 when it cannot be read.
long long resident_bytes();

class HeapTrimmer {
 public:
  HeapTrimmer(boost::asio::any_io_executor ex, std::chrono::milliseconds interval,
              std::size_t threshold);

  void start();
  void stop();

  // One look now: trims when at least the threshold is free. True when it trimmed.
  bool check();

  // Read from any thread (the metrics).
  std::uint64_t trims() const { return trims_.load(std::memory_order_relaxed); }
  // Resident bytes given back, as /proc saw them before and after each trim.
  std::uint64_t released_bytes() const { return released_.load(std::memory_order_relaxed); }

 private:
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds interval_;
  std::size_t threshold_;
  bool stopped_ = false;
  std::atomic<std::uint64_t> trims_{0};
  std::atomic<std::uint64_t> released_{0};
};

}  // namespace ims::sw::app
