#pragma once
// Unguessable tokens for branch ids, tags and Call-IDs (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3).

#include <cstddef>
#include <string>

namespace ims::util {

// n characters from [0-9a-zA-Z], drawn from a per-thread generator seeded by the OS.
std::string random_token(std::size_t n);

}  // namespace ims::util
