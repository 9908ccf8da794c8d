#pragma once
// BridgeIndex: which IM session a pager MESSAGE from a stock client belongs to (PRODUCT §4b).
// A plain device writes outside any dialog (a new Call-ID each time), so the switch finds its
// session by who writes to whom: the key is (the sender's login, the address written to: the
// initiator's login for an invited device's reply, the queue's or routing point's number for a
// stock initiator). Every SIP core's B2BUA adds and removes its sessions here; a MESSAGE that
// arrives on another core is handed to the owner core.
//
// After a stock initiator's session was ended by the other side, its key keeps the agent for a
// while (im.bridge_late_s): a reply typed meanwhile goes to that agent as a pager message.
//
// Thread-safe: shared by the B2BUAs and TUs of all cores (one lock, held for a map lookup).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

namespace ims::sw::im {

class BridgeIndex {
 public:
  struct LiveRef {
    std::size_t core = 0;
    std::string session;
  };
  struct Ended {
    std::string agent;          // who the late messages go to
    std::int64_t until_ms = 0;  // Unix epoch ms
    std::string session;        // the session that ended, for the log
  };
  using Found = std::variant<std::monostate, LiveRef, Ended>;

  // Claims (login, peer) for a live session; false when another live session holds it.
  bool add(const std::string& login, const std::string& peer, LiveRef ref);
  // Releases (login, peer) if `session` holds it (live or ended).
  void remove(const std::string& login, const std::string& peer, const std::string& session);
  // `session` ended: late messages on (login, peer) go to `agent` until `until_ms`.
  void ended(const std::string& login, const std::string& peer, const std::string& session,
             std::string agent, std::int64_t until_ms);
  // What (login, peer) leads to at `now_ms`; an expired Ended is dropped.
  Found find(const std::string& login, const std::string& peer, std::int64_t now_ms);
  std::size_t size() const;

 private:
  static std::string key(const std::string& login, const std::string& peer);
  mutable std::mutex lock_;
  std::unordered_map<std::string, std::variant<LiveRef, Ended>> entries_;
};

}  // namespace ims::sw::im
