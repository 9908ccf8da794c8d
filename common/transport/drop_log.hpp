#pragma once
// Logging for hostile input without log floods: every drop is logged at debug; at most one warn
// per interval summarises how many were dropped since the last warn. Owned by the transport (or
// the stack) and used on its strand only.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace ims::transport {

class DropLog {
 public:
  explicit DropLog(std::chrono::seconds interval = std::chrono::seconds(10)) : interval_(interval) {}

  // what: "datagram", "response", ...; from: the peer; reason: the parser's message.
  void note(std::string_view what, std::string_view from, std::string_view reason);

 private:
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point last_warn_{};
  std::uint64_t since_warn_ = 0;
};

}  // namespace ims::transport
