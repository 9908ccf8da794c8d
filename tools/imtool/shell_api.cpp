// The agent shell's commands on the switch's HTTP API (PRODUCT §1 Team Communicator, §5 the
// consulted agent's view of the contact, §6): /search with numbered hits for /im <n> and
// /consult <n>, /transcripts, /contact and /history for the contact a consultation's case data
// names, and /interaction from a JSON file. Every call is asynchronous on the shell's executor;
// a script's next line waits for the answer (bounded by the API client's time-out).

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "tools/imtool/api_text.hpp"
#include "tools/imtool/shell.hpp"

namespace ims::tool {

namespace {

using nlohmann::json;

// Bounds (STYLE rule 9).
constexpr std::size_t kSearchHits = 20;
constexpr std::size_t kMaxInteractionFileBytes = 1024 * 1024;
// Beyond the API client's own time-out, before a held script goes on regardless.
constexpr std::chrono::seconds kApiWaitMargin{5};

std::optional<std::size_t> hit_number(std::string_view word) {
  const bool hash = !word.empty() && word.front() == '#';
  if (hash) word.remove_prefix(1);
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (word.empty() || ec != std::errc{} || p != word.data() + word.size()) return std::nullopt;
  return n;
}

}  // namespace

bool AgentShell::begin_api(std::string_view command) {
  if (!api_) {
    error("/" + std::string(command) + ": no HTTP API (give --api http://host:port)");
    return false;
  }
  wait_ = Wait{WaitFor::Api, messages_received_};
  wait_timer_.expires_after(api_->options().timeout + kApiWaitMargin);
  std::weak_ptr<int> alive = alive_;
  wait_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired() || !wait_ || wait_->what != WaitFor::Api) return;
    error("no answer from the HTTP API yet; going on");
    finish_wait(false);
  });
  return true;
}

void AgentShell::done_api(bool ok) {
  if (wait_ && wait_->what == WaitFor::Api) finish_wait(ok);
}

std::optional<std::string> AgentShell::resolve_target(std::string_view word) {
  const auto n = hit_number(word);
  const bool hash = word.front() == '#';
  if (n && last_search_) {
    const std::string target = hit_target(*last_search_, *n);
    if (!target.empty()) return target;
  }
  if (hash) {
    error(last_search_ ? fmt::format("no hit {} in the last /search", word)
                       : std::string("no /search yet: /search <text> lists hits to pick"));
    return std::nullopt;
  }
  return std::string(word);
}

void AgentShell::cmd_search(std::string_view args) {
  const std::string text(util::trim(args));
  if (text.empty()) return error("usage: /search <name, login, email or phone>");
  if (!begin_api("search")) return;
  std::weak_ptr<int> alive = alive_;
  api_->search_directory(text, kSearchHits, [this, alive, text](Result<json> r) {
    if (alive.expired()) return;
    if (!r) {
      error("/search: " + r.error().message);
      return done_api(false);
    }
    const std::string lines = directory_lines(*r, true);
    if (lines.empty()) {
      say("nothing matches \"" + text + "\"");
    } else {
      last_search_ = std::move(*r);
      io_.print(lines);
      say("/im <n> <text> opens an IM with hit n, /consult <n> <text> a consultation");
    }
    done_api(true);
  });
}

void AgentShell::cmd_transcripts(std::string_view args) {
  const std::string words(util::trim(args));
  if (words.empty()) return error("usage: /transcripts <words>");
  if (!begin_api("transcripts")) return;
  std::weak_ptr<int> alive = alive_;
  client::TranscriptQuery q;
  q.words = words;
  api_->search_transcripts(q, [this, alive, words](Result<json> r) {
    if (alive.expired()) return;
    if (!r) {
      error("/transcripts: " + r.error().message);
      return done_api(false);
    }
    std::string out;
    if (r->contains("hits") && (*r)["hits"].is_array()) {
      for (const auto& h : (*r)["hits"]) out += (out.empty() ? "" : "\n") + transcript_hit_line(h);
    }
    if (out.empty()) {
      say("no transcript of yours has \"" + words + "\"");
    } else {
      if (r->contains("next_cursor")) out += "\n(more hits: imtool transcripts --all)";
      io_.print(out);
    }
    done_api(true);
  });
}

std::string AgentShell::current_contact(std::string_view command) {
  const Tracked* t = current();
  if (!t) {
    error("/" + std::string(command) + ": no current session (a consultation's case data names "
          "the contact)");
    return {};
  }
  const auto& case_data = t->session->case_data();
  std::string id = case_data ? contact_id_of(*case_data) : std::string();
  if (id.empty() && t->session->role() == client::Role::Initiator && interaction_)
    id = interaction_->get("contact_id").value_or("");
  if (id.empty())
    error("/" + std::string(command) + ": the current session's case data names no contact "
          "(contact_id)");
  return id;
}

void AgentShell::cmd_contact(std::string_view args) {
  std::string id(util::trim(args));
  if (id.empty()) id = current_contact("contact");
  if (id.empty()) return;
  if (!begin_api("contact")) return;
  std::weak_ptr<int> alive = alive_;
  api_->contact(id, [this, alive, id](Result<json> r) {
    if (alive.expired()) return;
    if (!r) {
      error("/contact " + id + ": " + r.error().message);
      return done_api(false);
    }
    io_.print("contact " + contact_text(*r));
    done_api(true);
  });
}

void AgentShell::cmd_history(std::string_view args) {
  const std::string id = current_contact("history");
  if (id.empty()) return;
  if (!begin_api("history")) return;
  const std::string words(util::trim(args));
  std::weak_ptr<int> alive = alive_;
  client::HistoryQuery q;
  q.words = words;
  api_->contact_history(id, q, [this, alive, id, words](Result<json> r) {
    if (alive.expired()) return;
    if (!r) {
      error("/history: " + r.error().message);
      return done_api(false);
    }
    std::string out;
    if (r->contains("items") && (*r)["items"].is_array()) {
      for (const auto& item : (*r)["items"]) out += "\n  " + history_line(item);
    }
    if (out.empty()) {
      say(words.empty() ? "contact " + id + " has no history"
                        : "nothing in contact " + id + "'s history has \"" + words + "\"");
    } else {
      io_.print("history of contact " + id + (words.empty() ? "" : " with \"" + words + "\"") +
                ":" + out);
    }
    done_api(true);
  });
}

void AgentShell::interaction_from_file(std::string_view kind_word, std::string_view id,
                                       std::string_view path) {
  const std::string file(path);
  std::ifstream in(file, std::ios::binary);
  if (!in) return error("/interaction: cannot open " + file);
  std::string text(kMaxInteractionFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxInteractionFileBytes)
    return error(fmt::format("/interaction: {} is larger than {} bytes", file,
                             kMaxInteractionFileBytes));
  if (kind_word.empty()) {
    // The whole interaction, as a consultation carries it.
    auto loaded = client::Interaction::from_json(text);
    if (!loaded) {
      return error("/interaction: " + file + ": " + loaded.error().message +
                   " (expected {\"interaction\":{\"kind\":\"voice\",\"id\":\"...\"}, and the "
                   "case data beside it; for case data alone: /interaction <kind> <id> " +
                   file + ")");
    }
    interaction_ = std::move(*loaded);
  } else {
    const auto data = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!data.is_object())
      return error("/interaction: " + file + ": the case data must be a JSON object");
    client::Interaction in_file(*client::interaction_kind_from(kind_word), std::string(id));
    for (auto it = data.begin(); it != data.end(); ++it) in_file.set(it.key(), *it);
    interaction_ = std::move(in_file);
  }
  say("active interaction: " + interaction_->to_json());
}

}  // namespace ims::tool
