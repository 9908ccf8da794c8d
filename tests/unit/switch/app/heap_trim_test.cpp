#include "switch/app/heap_trim.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "switch/app/metrics.hpp"

namespace ims::sw::app {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kOwnAllocator = true;  // the sanitizer's allocator: no glibc heap to trim
#else
constexpr bool kOwnAllocator = false;
#endif

// Many small blocks, written so that their pages are resident, under one block that stays: the
// heap cannot shrink from its top when they are freed, as after a burst of transactions.
struct Burst {
  std::vector<void*> blocks;
  void* pin = nullptr;
  explicit Burst(std::size_t n) {
    blocks.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      blocks.push_back(std::malloc(400));
      std::memset(blocks.back(), 0x5a, 400);
    }
    pin = std::malloc(400);
  }
  void free_blocks() {
    for (void* b : blocks) std::free(b);
    blocks.clear();
  }
  ~Burst() {
    free_blocks();
    std::free(pin);
  }
};

TEST(HeapTrimmer, FreedBlocksUnderAKeptOneGoBackToTheSystem) {
  if (kOwnAllocator) GTEST_SKIP() << "a sanitizer build has its own allocator";
  boost::asio::io_context io;
  HeapTrimmer trimmer(io.get_executor(), kHeapTrimInterval, 16u << 20);
  Burst burst(150'000);  // about 60 MB
  const long long with_burst = resident_bytes();
  ASSERT_GT(with_burst, 0);
  burst.free_blocks();
  // Freed, yet still resident: glibc keeps it for reuse.
  EXPECT_GT(resident_bytes(), with_burst - (8ll << 20));
  EXPECT_TRUE(trimmer.check());
  EXPECT_EQ(trimmer.trims(), 1u);
  EXPECT_GT(trimmer.released_bytes(), 40ull << 20);
  EXPECT_LT(resident_bytes(), with_burst - (40ll << 20));
  // Back near where it started: no more walks of the heap.
  EXPECT_FALSE(trimmer.check());
  EXPECT_EQ(trimmer.walks(), 1u);
}

TEST(HeapTrimmer, MemoryStillInUseIsLookedAtSeldom) {
  if (kOwnAllocator) GTEST_SKIP() << "a sanitizer build has its own allocator";
  boost::asio::io_context io;
  HeapTrimmer trimmer(io.get_executor(), kHeapTrimInterval, 16u << 20);
  Burst burst(150'000);  // kept: the resident size grew, but nothing is free
  EXPECT_FALSE(trimmer.check());
  EXPECT_EQ(trimmer.walks(), 1u);
  // The next walk waits: a plateau under load is not walked every interval.
  EXPECT_FALSE(trimmer.check());
  EXPECT_EQ(trimmer.walks(), 1u);
  EXPECT_EQ(trimmer.trims(), 0u);
}

TEST(HeapTrimmer, LessFreeThanTheThresholdIsLeftAlone) {
  if (kOwnAllocator) GTEST_SKIP() << "a sanitizer build has its own allocator";
  boost::asio::io_context io;
  HeapTrimmer trimmer(io.get_executor(), kHeapTrimInterval, std::size_t{1} << 40);
  Burst burst(20'000);
  burst.free_blocks();
  EXPECT_FALSE(trimmer.check());
  EXPECT_EQ(trimmer.trims(), 0u);
  EXPECT_EQ(trimmer.released_bytes(), 0u);
}

TEST(HeapTrimmer, ItsCountersAreInTheMetrics) {
  Metrics m;
  m.heap_trims = 3;
  m.heap_released_bytes = 5u << 20;
  const std::string t = prometheus_text(m);
  EXPECT_NE(t.find("\nimswitch_heap_trims_total 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("\nimswitch_heap_released_bytes_total 5242880\n"), std::string::npos) << t;
}

}  // namespace
}  // namespace ims::sw::app
