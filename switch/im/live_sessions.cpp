#include "switch/im/live_sessions.hpp"

namespace ims::sw::im {

LiveSessions::Taken LiveSessions::take(const std::string& initiator, const std::string& target,
                                       std::size_t max_total, std::size_t target_capacity) {
  std::lock_guard hold(lock_);
  if (total_ >= max_total) return Taken::SwitchFull;
  if (!target.empty()) {
    auto it = by_login_.find(target);
    if ((it == by_login_.end() ? 0 : it->second) >= target_capacity) return Taken::TargetFull;
  }
  ++total_;
  ++by_login_[initiator];
  if (!target.empty() && initiator != target) ++by_login_[target];
  return Taken::Ok;
}

void LiveSessions::add(const std::string& login) {
  std::lock_guard hold(lock_);
  ++by_login_[login];
}

void LiveSessions::give_back(const std::string& initiator, const std::string& target) {
  std::lock_guard hold(lock_);
  if (total_ > 0) --total_;
  for (const auto* login : {&initiator, &target}) {
    if (login->empty()) continue;
    auto it = by_login_.find(*login);
    if (it != by_login_.end() && --it->second == 0) by_login_.erase(it);
    if (initiator == target) break;
  }
}

std::size_t LiveSessions::total() const {
  std::lock_guard hold(lock_);
  return total_;
}

std::size_t LiveSessions::of(std::string_view login) const {
  std::lock_guard hold(lock_);
  auto it = by_login_.find(std::string(login));
  return it == by_login_.end() ? 0 : it->second;
}

}  // namespace ims::sw::im
