// Queue offers at the design point (PRODUCT §1 queues; issue goal: <= 2 µs per offer): one queue
// of 10,000 members, every agent Ready and logged in, half of them busy at capacity. Each
// iteration is one offer and its release, per distribution. Figures are reported, never asserted.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "switch/routing/router.hpp"

namespace {

using ims::sw::directory::Distribution;
using ims::sw::routing::LeaveReason;
using ims::sw::routing::Presence;
using ims::sw::routing::QueueRouter;

constexpr int kMembers = 10000;

std::string login(int n) {
  std::string s = std::to_string(n);
  return "agent" + std::string(5 - s.size(), '0') + s;
}

std::shared_ptr<const ims::sw::directory::Directory> centre(Distribution d) {
  ims::sw::directory::DirectoryData data;
  data.domains = {"example.com"};
  ims::sw::directory::Queue q;
  q.number = "2001";
  q.distribution = d;
  for (int n = 0; n < kMembers; ++n) {
    ims::sw::directory::Agent a;
    a.login = login(n);
    a.credentials.password = "pw";
    a.im_capacity = 1;
    data.agents.push_back(a);
    q.members.push_back(a.login);
  }
  data.queues.push_back(q);
  auto dir = ims::sw::directory::Directory::create(std::move(data));
  return dir ? *dir : nullptr;
}

// Every agent Ready and reachable, idle since a different time; the even ones in a session.
void staff(QueueRouter& r) {
  for (int n = 0; n < kMembers; ++n) {
    r.set_reachable(login(n), true, n);
    r.set_presence(login(n), Presence::Ready, "", n);
    if (n % 2 == 0) r.session_started(login(n));
  }
}

// Offer and release (the initiator gives up while it rings): the same agent comes back.
void BM_OfferRelease(benchmark::State& state, Distribution d) {
  const auto dir = centre(d);
  if (!dir) return state.SkipWithError("directory rejected");
  QueueRouter r;
  r.set_directory(*dir);
  staff(r);
  std::int64_t now = kMembers;
  for (auto _ : state) {
    auto outcome = r.request("2001", "interaction-1", now);
    benchmark::DoNotOptimize(outcome);
    auto fx = r.leave("interaction-1", LeaveReason::Abandoned, now);
    benchmark::DoNotOptimize(fx);
  }
  state.SetItemsProcessed(state.iterations());
}

// The whole queued life: offer, answer, end. The agent's idle time moves, so the free index
// re-sorts it behind the others on every iteration.
void BM_OfferAnswerEnd(benchmark::State& state, Distribution d) {
  const auto dir = centre(d);
  if (!dir) return state.SkipWithError("directory rejected");
  QueueRouter r;
  r.set_directory(*dir);
  staff(r);
  std::int64_t now = kMembers;
  for (auto _ : state) {
    auto outcome = r.request("2001", "interaction-1", now);
    benchmark::DoNotOptimize(outcome);
    benchmark::DoNotOptimize(r.answered("interaction-1", ++now));
    auto fx = r.leave("interaction-1", LeaveReason::Ended, ++now);
    benchmark::DoNotOptimize(fx);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(BM_OfferRelease, longest_idle, Distribution::LongestIdle);
BENCHMARK_CAPTURE(BM_OfferRelease, round_robin, Distribution::RoundRobin);
BENCHMARK_CAPTURE(BM_OfferRelease, least_busy, Distribution::LeastBusy);
BENCHMARK_CAPTURE(BM_OfferAnswerEnd, longest_idle, Distribution::LongestIdle);
BENCHMARK_CAPTURE(BM_OfferAnswerEnd, round_robin, Distribution::RoundRobin);
BENCHMARK_CAPTURE(BM_OfferAnswerEnd, least_busy, Distribution::LeastBusy);

BENCHMARK_MAIN();
