#pragma once
// LiveSessions: how many IM sessions are live (establishing or connected), in total and per
// agent, across every SIP core of the switch, so that im.max_sessions and each agent's IM
// capacity hold for the switch as a whole. take() checks and counts in one step.
//
// Thread-safe: shared by the B2BUAs of all cores (one lock, held for a map lookup).

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ims::sw::im {

class LiveSessions {
 public:
  enum class Taken { Ok, SwitchFull, TargetFull };

  // Counts a new session of initiator and target, unless the switch has max_total live or the
  // target is in target_capacity already. An empty target (a session to a queue, whose agent
  // is not known yet) counts the initiator only; add() counts the agent once it answers.
  Taken take(const std::string& initiator, const std::string& target, std::size_t max_total,
             std::size_t target_capacity);
  void add(const std::string& login);
  // The session ended (or was never opened after take()); an empty target was never added.
  void give_back(const std::string& initiator, const std::string& target);

  std::size_t total() const;
  std::size_t of(std::string_view login) const;

 private:
  mutable std::mutex lock_;
  std::unordered_map<std::string, std::size_t> by_login_;
  std::size_t total_ = 0;
};

}  // namespace ims::sw::im
