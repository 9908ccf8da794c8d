#pragma once
// Bounds on untrusted input (STYLE rule 9). Every one is settable from the configuration; a
// message past a bound is answered 413/400/513 or dropped and counted, never processed.

#include <cstddef>

namespace ims::sip {

struct Limits {
  std::size_t max_start_line_bytes = 4096;   // request or status line
  std::size_t max_header_bytes = 16384;      // start line + all headers, CRLFs included
  std::size_t max_headers = 128;             // header fields after list splitting
  std::size_t max_body_bytes = 1 << 20;      // Content-Length we accept on any transport
  std::size_t max_vias = 70;                 // Via values in one message
  std::size_t max_datagram_bytes = 65535;    // a UDP datagram
};

}  // namespace ims::sip
