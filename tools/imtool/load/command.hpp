#pragma once
// `imtool load`: its command-line options (CLI11) and the run they ask for (Runner), printing
// the report as a table on stdout and, with --json, as JSON.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "tools/imtool/load/plan.hpp"
#include "tools/imtool/options.hpp"

namespace ims::tool::load {

// What the command line said. The CLI::Option pointers tell which were given, since a given
// option overrides the --profile file and an absent one does not.
struct LoadArgs {
  ConnectArgs connect;
  std::string local, profile, agents, agents_file, targets, password, expires, mix, ramp,
      duration, message_think, queue, ring_timeout, drain, think, json_file;
  double register_rate = 0, rate = 0, accept = 1, decline = 0, no_answer = 0,
         max_failure_rate = 0;
  std::uint64_t count = 0, seed = 1;
  std::size_t max_outstanding = 0, text_bytes = 0;
  int session_messages = 0;
  int progress_every = 5;
  bool answer_only = false;
  CLI::Option *agents_opt = nullptr, *targets_opt = nullptr, *password_opt = nullptr,
              *register_rate_opt = nullptr, *expires_opt = nullptr, *mix_opt = nullptr,
              *rate_opt = nullptr, *ramp_opt = nullptr, *duration_opt = nullptr,
              *count_opt = nullptr, *outstanding_opt = nullptr, *session_messages_opt = nullptr,
              *message_think_opt = nullptr, *queue_opt = nullptr, *ring_timeout_opt = nullptr,
              *drain_opt = nullptr, *size_opt = nullptr, *seed_opt = nullptr,
              *accept_opt = nullptr, *decline_opt = nullptr, *no_answer_opt = nullptr,
              *think_opt = nullptr, *max_failure_opt = nullptr;
};

CLI::App* add_load_command(CLI::App& app, LoadArgs& args);
// The process's exit status: 0, 1 (failure rate above the bound), 2 (usage), 3 (no login).
int run_load(const LoadArgs& args);

}  // namespace ims::tool::load
