#pragma once
// Entry points shared by the libFuzzer targets (fuzz_*.cpp) and the corpus replay test
// (corpus_replay_test.cpp), so that CI replays exactly what the fuzzers ran. Each takes
// arbitrary bytes, must return for any input, and returns false when one of the invariants it
// checks is broken (the fuzzers then abort; the replay test fails).

#include <cstddef>
#include <cstdint>

namespace ims::fuzz {

// sip::parse_datagram on the whole input, then sip::StreamParser fed the input in two pieces
// split at a byte-derived point; every parsed message is read through its accessors,
// serialized and parsed again. Limits are the defaults or, by the first byte, tight ones.
bool run_parser(const std::uint8_t* data, std::size_t size);

// sip::parse_uri; a parsed URI must equal itself, unescape its user part and survive
// format_sip_uri. With a '\n' in the input, the two halves are also compared both ways.
bool run_uri(const std::uint8_t* data, std::size_t size);

// MIME bodies: the first line is a Content-Type value, the rest a body for parse_multipart
// and parse_cpim; what parses is rebuilt and must parse again to the same parts.
bool run_body(const std::uint8_t* data, std::size_t size);

}  // namespace ims::fuzz
