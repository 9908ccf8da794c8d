// libFuzzer target: sip::parse_uri and uri_equal. See fuzz_entry.hpp for what is checked and
// tests/fuzz/README.md for how to run it.

#include <cstdlib>

#include "tests/fuzz/fuzz_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!ims::fuzz::run_uri(data, size)) std::abort();  // an invariant broke: keep the input
  return 0;
}
