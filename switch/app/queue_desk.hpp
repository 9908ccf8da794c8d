#pragma once
// QueueDesk: the switch's one routing::QueueRouter, shared by every SIP core behind one lock, and
// the QueuePort each core's B2BUA reaches it through (port(core)). It feeds the router what it
// hears of agents (presence, registrations, sessions outside queues), reads the clock and the
// switch's local time for it, and hands what the router decides for an interaction to the core
// that owns the interaction's session: always posted (Deliver), never run inline, and never
// while the lock is held (STYLE rule 6).
//
// One process holds the router; several switches sharing queues (PRODUCT §8) will put a store
// behind this same interface.
//
// Owner: the Application (SharedState). Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switch/directory/directory.hpp"
#include "switch/im/queue_port.hpp"
#include "switch/routing/router.hpp"
#include "switch/routing/rules.hpp"

namespace ims::sw::app {

class SwitchTu;

// A pager message kept for a queue is an interaction of its own, named by its store id.
inline constexpr std::string_view kQueuedMessagePrefix = "msg:";

class QueueDesk {
 public:
  // Runs fn later on core `core`'s strand, with that core's TU.
  using Deliver = std::function<void(std::size_t core, std::function<void(SwitchTu&)> fn)>;
  // Unix epoch ms.
  using Clock = std::function<std::int64_t()>;

  QueueDesk(std::size_t cores, Deliver deliver, Clock clock);
  ~QueueDesk();
  QueueDesk(const QueueDesk&) = delete;
  QueueDesk& operator=(const QueueDesk&) = delete;

  // The QueuePort of core `core`'s B2BUA.
  im::QueuePort& port(std::size_t core);

  // A directory, at start and on reload. Agents the router did not know yet start as
  // `default_presence` (im.default_state) and unreachable; interactions whose queue vanished
  // are ended by their cores.
  void set_directory(std::shared_ptr<const directory::Directory> directory,
                     routing::Presence default_presence);
  // What the switch hears of an agent: its IM state (PUBLISH), whether it is logged in with a
  // session-capable device (the registrar).
  void set_presence(std::string_view login, routing::Presence presence, std::string reason);
  void set_reachable(std::string_view login, bool reachable);
  // Consecutive no-answers that set an agent Not Ready; 0: never.
  void set_max_misses(unsigned n);
  // A pager message to `queue`: the free member that takes it now, if any (QueueRouter::pick).
  std::optional<std::string> pick(std::string_view queue, const std::vector<std::string>& skip);
  // Agents the router set Not Ready by itself (max_misses) are told here, outside the lock.
  void on_not_ready(std::function<void(const std::string& login)> fn);

  // Read access (HTTP API, logs, tests).
  std::optional<routing::AgentView> agent(std::string_view login) const;
  std::optional<routing::QueueView> queue(std::string_view number) const;
  std::optional<std::vector<std::string>> members(std::string_view number) const;

 private:
  class CorePort;
  friend class CorePort;

  // Carries out what an input made possible, after the lock is released.
  void dispatch(const routing::QueueRouter::Effects& effects,
                const std::vector<std::pair<std::string, std::size_t>>& owners);
  // The owner core of each interaction an Effects names, read under the lock.
  std::vector<std::pair<std::string, std::size_t>> owners_of(
      const routing::QueueRouter::Effects& effects) const;
  template <class F>
  void apply(F&& f);

  std::size_t cores_;
  Deliver deliver_;
  Clock clock_;
  std::vector<std::unique_ptr<CorePort>> ports_;
  std::function<void(const std::string&)> not_ready_;

  mutable std::mutex lock_;  // guards what follows
  routing::QueueRouter router_;
  std::shared_ptr<const directory::Directory> directory_;
  std::unordered_map<std::string, std::size_t> core_of_;  // interaction -> owner core
  routing::Presence default_presence_ = routing::Presence::Ready;
};

// The switch's local time (the process's time zone) at Unix epoch ms, as routing rules read it.
routing::LocalTime local_time(std::int64_t unix_ms);

}  // namespace ims::sw::app
