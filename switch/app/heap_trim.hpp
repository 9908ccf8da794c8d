#pragma once
// Freed heap handed back to the system. glibc's malloc keeps what the process frees inside its
// heap for reuse and shrinks the heap only from its top, so a burst of short-lived objects (SIP
// transactions lingering after a load peak, a directory rebuilt on reload) leaves the resident
// memory at the burst's peak long after the objects are gone: 30,000 relayed MESSAGEs left some
// 80 MB resident with 8 MB in use. malloc_trim(3) gives free pages back (the address space
// stays; the pages leave the resident set and come back zeroed when reused).
//
// How much of the heap is free is known only by walking its free blocks (mallinfo2), and that
// walk, like the trim's, holds malloc's lock: about 50 ms for a heap cut into 300,000 free
// pieces. So HeapTrimmer looks every `interval` at the resident size alone (/proc, cheap), and
// walks the heap only when that has grown `threshold` above what it was after the last trim (or
// at start). When at least `threshold` is free it trims; when not (the memory is in use: a
// plateau under load), it waits twice as long before walking again, up to a minute, until the
// resident size falls back or a trim succeeds.
//
// Runs on the executor it is given (core 0). A sanitizer build has its own allocator: the heap
// looks empty and nothing is trimmed.

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

  // One look now (what the timer does every interval). True when it trimmed.
  bool check();

  // Read from any thread (the metrics).
  std::uint64_t trims() const { return trims_.load(std::memory_order_relaxed); }
  // Resident bytes given back, as /proc saw them before and after each trim.
  std::uint64_t released_bytes() const { return released_.load(std::memory_order_relaxed); }
  // Walks of the heap's free blocks (mallinfo2), trims or not.
  std::uint64_t walks() const { return walks_; }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kLongestWait{60};

  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds interval_;
  std::size_t threshold_;
  bool stopped_ = false;
  long long baseline_ = 0;            // resident bytes after the last trim, or at start
  std::chrono::milliseconds wait_{0};  // before the next walk, after one that found too little
  Clock::time_point next_walk_{};
  std::uint64_t walks_ = 0;
  std::atomic<std::uint64_t> trims_{0};
  std::atomic<std::uint64_t> released_{0};
};

}  // namespace ims::sw::app
