#pragma once
// Shedding before parsing (the transport's part of the overload policy of stack.hpp): a UDP
// datagram that waited in the socket's queue longer than Options::max_queue_delay is new work
// the core cannot afford, if it is a new request. The stack answers such requests 503 with
// Retry-After; answering costs a parse and a send, a fifth of relaying a message, so when the
// core falls far behind it cannot answer them all and still do its own work. LateGate lets
// Options::late_answers_per_s of them a second go up to be answered and drops the rest
// unparsed (a few hundred nanoseconds each); their clients retransmit, or give up.
// Sans-I/O: time comes in as a steady-clock time point. Used on the transport's strand.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace ims::transport {

// Whether a datagram looks like a request that starts new work: a request line whose method
// is not ACK, CANCEL or BYE, and a To header without a tag (not within a dialog). A cheap scan
// of the header section, no parse; what it cannot tell counts as not new (kept).
bool peek_new_request(std::string_view message);

class LateGate {
 public:
  explicit LateGate(double answers_per_s = 0) : per_s_(answers_per_s), tokens_(answers_per_s) {}

  // A late new request: true to pass it up (to be answered 503), false to drop it.
  bool pass(std::chrono::steady_clock::time_point now) {
    if (now > refilled_) {
      const double s = std::chrono::duration<double>(now - refilled_).count();
      tokens_ = tokens_ + s * per_s_ > per_s_ ? per_s_ : tokens_ + s * per_s_;
      refilled_ = now;
    }
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double per_s_;   // tokens a second, and the bucket's size (a second's worth)
  double tokens_;
  std::chrono::steady_clock::time_point refilled_{};
};

}  // namespace ims::transport
