#include "switch/im/bridge_index.hpp"

namespace ims::sw::im {

std::string BridgeIndex::key(const std::string& login, const std::string& peer) {
  std::string k = login;
  k.push_back('\n');  // cannot occur in a login or a number
  k.append(peer);
  return k;
}

bool BridgeIndex::add(const std::string& login, const std::string& peer, LiveRef ref) {
  std::lock_guard<std::mutex> g(lock_);
  auto [it, inserted] = entries_.try_emplace(key(login, peer), ref);
  if (inserted) return true;
  if (std::holds_alternative<LiveRef>(it->second) &&
      std::get<LiveRef>(it->second).session != ref.session)
    return false;
  it->second = std::move(ref);  // an ended one's late window gives way to a new session
  return true;
}

void BridgeIndex::remove(const std::string& login, const std::string& peer,
                         const std::string& session) {
  std::lock_guard<std::mutex> g(lock_);
  auto it = entries_.find(key(login, peer));
  if (it == entries_.end()) return;
  const std::string& holder = std::visit([](const auto& e) -> const std::string& { return e.session; },
                                         it->second);
  if (holder == session) entries_.erase(it);
}

void BridgeIndex::ended(const std::string& login, const std::string& peer,
                        const std::string& session, std::string agent, std::int64_t until_ms) {
  std::lock_guard<std::mutex> g(lock_);
  auto it = entries_.find(key(login, peer));
  if (it == entries_.end()) return;
  const auto* live = std::get_if<LiveRef>(&it->second);
  if (!live || live->session != session) return;
  it->second = Ended{std::move(agent), until_ms, session};
}

BridgeIndex::Found BridgeIndex::find(const std::string& login, const std::string& peer,
                                     std::int64_t now_ms) {
  std::lock_guard<std::mutex> g(lock_);
  auto it = entries_.find(key(login, peer));
  if (it == entries_.end()) return std::monostate{};
  if (const auto* live = std::get_if<LiveRef>(&it->second)) return *live;
  const Ended& e = std::get<Ended>(it->second);
  if (e.until_ms <= now_ms) {
    entries_.erase(it);
    return std::monostate{};
  }
  return e;
}

std::size_t BridgeIndex::size() const {
  std::lock_guard<std::mutex> g(lock_);
  return entries_.size();
}

}  // namespace ims::sw::im
