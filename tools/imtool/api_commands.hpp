#pragma once
// The one-shot commands of imtool on the switch's HTTP API, for people and scripts: each makes
// its calls (as an agent over Digest, or as the operator with the admin token), prints the
// answer as text, or with --json as one JSON object (the switch's answer plus "exit"), and
// returns an Exit status.
//   search <text>                      the Team Communicator: ranked hits with their state
//   state ready|not-ready [reason]     set an agent's state for IM
//   queues [number]                    each queue's line, or one queue in detail
//   transcripts <words>                search the saved transcripts
//   contacts import FILE.csv|FILE.json upsert contacts (admin), checked whole before sending

#include <cstddef>
#include <optional>
#include <string>

#include "client/api_client.hpp"
#include "tools/imtool/render.hpp"

namespace ims::tool {

// Bounds of `transcripts --all` (STYLE rule 9).
inline constexpr std::size_t kMaxTranscriptPages = 50;

struct SearchArgs {
  std::string text;
  std::size_t limit = 20;
  bool json = false;
};

struct StateArgs {
  bool ready = true;
  std::string reason;  // not ready only
  std::string agent;   // whose; "" = the --login agent
  bool json = false;
};

struct QueuesArgs {
  std::string number;  // "" = every queue
  bool json = false;
};

struct TranscriptsArgs {
  std::string words;
  std::string party;
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;
  std::size_t limit = 0;  // per page; 0 = the switch's default
  bool all = false;       // follow next_cursor, up to kMaxTranscriptPages pages
  bool json = false;
};

struct ImportArgs {
  std::string file;
  bool json = false;
};

Exit run_search(client::ApiOptions options, const SearchArgs& args);
Exit run_state(client::ApiOptions options, const StateArgs& args);
Exit run_queues(client::ApiOptions options, const QueuesArgs& args);
Exit run_transcripts(client::ApiOptions options, const TranscriptsArgs& args);
Exit run_contacts_import(client::ApiOptions options, const ImportArgs& args);

}  // namespace ims::tool
