#include "switch/app/transcripts.hpp"

#include <sys/stat.h>

#include <ctime>

#include <fmt/format.h>

#include "switch/store/errors.hpp"
#include "switch/store/queries.hpp"
#include "switch/store/sqlite_connection.hpp"

namespace ims::sw::app {
namespace {

// "2026-12-03 09:01:56.702Z"
std::string utc(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms % 1000);
}

// The text of a body as stored: text/plain as is, CPIM's payload after its headers.
std::string text_of(const store::TranscriptEntry& e) {
  std::string body = e.body;
  if (e.content_type.find("cpim") != std::string::npos) {
    // message/cpim (RFC 3862): headers, a blank line, the MIME headers, a blank line, the text.
    std::size_t at = 0;
    for (int blank = 0; blank < 2; ++blank) {
      const auto next = body.find("\r\n\r\n", at);
      if (next == std::string::npos) break;
      at = next + 4;
    }
    body = body.substr(at);
  }
  for (char& c : body)
    if (c == '\r' || c == '\n') c = ' ';
  return body;
}

}  // namespace

Result<void> print_transcripts(const std::string& store_path, std::size_t limit,
                               std::ostream& out) {
  struct stat st{};
  if (::stat(store_path.c_str(), &st) != 0)
    return Error{make_error_code(store::StoreErrc::NotFound), "no store file " + store_path};
  auto db = store::Connection::open(store_path);
  if (!db) return db.error();
  auto ids = store::queries::recent_sessions(*db, limit);
  if (!ids) return ids.error();
  if (ids->empty()) out << "no IM sessions in " << store_path << "\n";
  for (const auto& id : *ids) {
    auto t = store::queries::load_transcript(*db, id);
    if (!t) return t.error();
    const auto& s = t->session;
    std::string ended = "live";
    if (s.ended_at_ms != 0) {
      ended = "ended " + utc(s.ended_at_ms) + ": " + s.end_reason;
      if (!s.ended_by.empty()) ended += " by " + s.ended_by;
    }
    const std::string via = s.queue.empty() || s.queue == s.target ? "" : " (queue " + s.queue + ")";
    out << fmt::format("{}  {} -> {}{}  started {}  {}  ({} message{})\n", s.id, s.initiator,
                       s.target, via, utc(s.started_at_ms), ended, t->messages.size(),
                       t->messages.size() == 1 ? "" : "s");
    for (const auto& o : t->offers) {
      out << fmt::format("  [{}] offered to {}{}: {}\n", utc(o.offered_at_ms).substr(11), o.agent,
                         o.queue.empty() ? " (overflow)" : "", o.outcome);
    }
    for (const auto& e : t->messages) {
      out << fmt::format("  [{}] #{} {}: {}\n", utc(e.stamped_at_ms).substr(11), e.seq, e.sender,
                         text_of(e));
    }
  }
  return {};
}

}  // namespace ims::sw::app
