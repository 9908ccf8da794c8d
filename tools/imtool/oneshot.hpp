#pragma once
// The one-shot commands of imtool, for scripts: each logs in, does one thing, logs out, prints
// what happened (as text, or as one JSON object with --json) and returns an Exit status.
//   send <agent> <text>   a pager message: delivered (200) or stored for later (202)
//   im <agent> <text>     an IM session: waits for the invitation's outcome; when accepted,
//                         sends the --message texts, then ends it (or with --wait, stays until
//                         the other side ends it)

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/agent.hpp"
#include "tools/imtool/render.hpp"

namespace ims::tool {

struct SendArgs {
  std::string target;
  std::string text;
  bool json = false;
  std::chrono::seconds timeout{30};
};

struct ImArgs {
  std::string target;
  std::string text;
  std::vector<std::string> messages;  // sent in order once connected
  std::optional<std::string> case_data;  // JSON
  bool wait = false;  // stay until the other side ends the session
  bool json = false;
  std::chrono::seconds timeout{60};
};

Exit run_send(client::AgentOptions options, const SendArgs& args);
Exit run_im(client::AgentOptions options, const ImArgs& args);

}  // namespace ims::tool
