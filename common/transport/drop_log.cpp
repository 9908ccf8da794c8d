#include "common/transport/drop_log.hpp"

#include <spdlog/spdlog.h>

namespace ims::transport {

void DropLog::note(std::string_view what, std::string_view from, std::string_view reason) {
  ++since_warn_;
  spdlog::debug("dropped {} from {}: {}", what, from, reason);
  auto now = std::chrono::steady_clock::now();
  if (last_warn_ != std::chrono::steady_clock::time_point{} && now - last_warn_ < interval_) return;
  spdlog::warn("dropped {} malformed message(s) in the last {}s; latest: {} from {}: {}",
               since_warn_, interval_.count(), what, from, reason);
  last_warn_ = now;
  since_warn_ = 0;
}

}  // namespace ims::transport
