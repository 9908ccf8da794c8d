#pragma once
// The values QueueRouter takes and returns: agent presence, offers, queue positions, why an
// interaction leaves, and the read-only views and counters the HTTP API and the tests read.
// Plain values, no I/O; any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "switch/agents/agent_state.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::routing {

// The agent's own IM state (PRODUCT §2), as switch/agents keeps it; "busy by capacity" and
// "logged out" are derived here, not set.
using agents::Presence;

// Reserve `agent` for `interaction`: the caller sends the offer (INVITE) and reports its outcome
// with answered / declined / no_answer.
struct Offer {
  std::string interaction;
  std::string agent;
  std::string queue;
};

// `interaction` now stands at 1-based `position` in `queue`'s line (a 182 Queued to send).
struct PositionChange {
  std::string interaction;
  std::string queue;
  std::size_t position = 0;
};

// What QueueRouter::request answers besides an Offer.
struct Waiting {
  std::size_t position = 0;       // 1-based rank among those waiting in the queue
  std::uint64_t arrival_seq = 0;  // its place in line; request() takes it back to keep the place
  // Interactions standing behind a re-inserted one moved back a place (RequestOptions::
  // arrival_seq); empty for a plain append.
  std::vector<PositionChange> moved_back;
};
struct QueueFull {};      // the queue's line holds its max_waiting interactions
struct UnknownQueue {};   // no queue with that number in the directory
struct AlreadyQueued {};  // the interaction is in a queue already: leave() it first

// Why an interaction leaves its queue (QueueRouter::leave); it picks the counter.
enum class LeaveReason : std::uint8_t {
  Abandoned,   // the initiator gave up (CANCEL) or the interaction failed before an answer
  Overflowed,  // the wait limit passed and it goes to the queue's overflow target
  TimedOut,    // the wait limit passed and there is no overflow target (408/480)
  Ended,       // the session an agent answered has ended (either side)
};

// Where a queued interaction stands.
enum class Stage : std::uint8_t { Waiting, Offered, Connected };

// Counters since the queue was first loaded; never reset by a reload.
// Upper bounds (ms) of the buckets answered waits are counted in, for a wait-time histogram:
// a wait falls in the first bucket whose bound it does not exceed, or in none past the last.
inline constexpr std::array<std::int64_t, 10> kWaitBucketsMs{
    500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000, 300000};

struct QueueCounters {
  std::uint64_t entered = 0;  // requests accepted (offered at once or put in line)
  std::uint64_t refused = 0;  // requests answered QueueFull
  std::uint64_t offered = 0;  // offers made, re-offers to the next agent included
  std::uint64_t answered = 0;
  std::uint64_t declined = 0;
  std::uint64_t no_answer = 0;
  std::uint64_t abandoned = 0;  // left before an answer (LeaveReason::Abandoned or Ended)
  std::uint64_t overflowed = 0;
  std::uint64_t timed_out = 0;
  std::int64_t answered_wait_ms = 0;  // arrival to answer, summed over answered: / answered = ASA
  std::array<std::uint64_t, kWaitBucketsMs.size()> answered_waits{};  // per bucket, not cumulative
  std::int64_t handle_ms = 0;         // answer to end, summed over ended sessions
  std::uint64_t ended = 0;            // sessions ended, the divisor of handle_ms
};

struct AgentCounters {
  std::uint64_t offered = 0;
  std::uint64_t answered = 0;
  std::uint64_t declined = 0;
  std::uint64_t no_answer = 0;
  std::int64_t handle_ms = 0;  // queued sessions only; direct sessions are not timed here
  std::uint64_t ended = 0;
};

struct AgentView {
  std::string login;
  Presence presence = Presence::NotReady;
  std::string reason;
  bool reachable = false;
  unsigned sessions = 0;
  unsigned reservations = 0;
  unsigned capacity = 0;
  std::int64_t idle_since_ms = 0;
  unsigned misses = 0;              // consecutive no-answers
  bool free = false;                // Ready, reachable and below capacity
  std::vector<std::string> queues;  // numbers of the queues it is a member of
  AgentCounters counters;
};

struct WaitingView {
  std::string interaction;
  std::size_t position = 0;
  std::int64_t since_ms = 0;  // arrival in this queue
  std::uint64_t arrival_seq = 0;
};

struct QueueView {
  std::string number;
  directory::Distribution distribution = directory::Distribution::LongestIdle;
  std::size_t members = 0;
  std::size_t free_members = 0;
  std::size_t max_waiting = 0;       // the queue's, capped by the router's
  std::vector<WaitingView> waiting;  // in line order
  std::size_t offered_now = 0;       // offers in flight
  std::size_t connected_now = 0;     // answered sessions not yet ended
  std::int64_t longest_wait_ms = 0;  // how long the head of the line has waited; 0 when empty
  QueueCounters counters;
};

struct InteractionView {
  std::string id;
  std::string queue;
  Stage stage = Stage::Waiting;
  std::string agent;          // offered to or connected with; empty while waiting
  std::size_t position = 0;   // while waiting; else 0
  std::int64_t since_ms = 0;  // arrival in the queue
  std::uint64_t arrival_seq = 0;
  std::vector<std::string> skip;  // agents it will not be offered to again
};

}  // namespace ims::sw::routing
