#pragma once
// Runner: one `imtool load` run on the client library. It logs the plan's agents in at the
// registration rate, offers the traffic mix (paced from a Schedule, or flat out with a bound on
// scenarios in flight), answers the invitations its agents get, waits a bounded time for the last
// answers, logs out and returns the Results. With the switch's HTTP API it reads /metrics before
// and after, and compares.
//
// Threading: everything runs on the one io_context given (agents, timers, callbacks); run()
// returns when the run is over. interrupt() may be called from a signal handler's completion on
// the same io_context (Ctrl-C): the first stops starting scenarios and waits at most 5 s for
// answers, the second ends at once. Every phase is bounded in time, so run() always returns.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "client/agent.hpp"
#include "client/api_client.hpp"
#include "tools/imtool/load/plan.hpp"
#include "tools/imtool/load/results.hpp"

namespace ims::tool::load {

struct RunnerSetup {
  // The switch, the transport, the domain and TLS; login and password are set per agent.
  client::AgentOptions base;
  std::optional<client::ApiOptions> api;  // for the /metrics check
  // The progress: rewritten in place on a terminal every second, else a line every interval
  // (zero: none). Written through `progress`.
  bool tty = false;
  std::chrono::seconds progress_every{5};
  std::function<void(std::string_view)> progress;
};

class Runner {
 public:
  Runner(boost::asio::io_context& io, LoadPlan plan, RunnerSetup setup);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  Results run();
  void interrupt();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ims::tool::load
