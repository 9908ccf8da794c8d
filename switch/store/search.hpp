#pragma once
// What the HTTP API asks the store (PRODUCT §6: transcripts, sessions, contacts and history) and
// what it gets back: plain values, no behaviour. The store runs them on a thread and a connection
// of its own (SqliteStore), so a search never holds up a write.
//
// Words are user text, searched literally: each whitespace-separated word must occur (any order,
// accents and case ignored: "cafe" finds "Café"), and the last word, from kMinPrefixBytes letters
// and digits (bytes of UTF-8) and unless the text ends in whitespace, also matches as a prefix
// ("refu" finds "refund"; "refu " does not). Quotes, *, NEAR, AND, parentheses and the
// like are plain text, never query syntax. A text with no letter or digit finds nothing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switch/store/records.hpp"

namespace ims::sw::store {

// Snippets mark each matched word between these two control characters (STX, ETX), which no
// chat text uses, so a reader can escape the rest and turn the marks into <mark> or [ ].
inline constexpr std::string_view kMarkOpen = "\x02";
inline constexpr std::string_view kMarkClose = "\x03";
// Stands for text a snippet leaves out before or after it.
inline constexpr std::string_view kSnippetEllipsis = "\xe2\x80\xa6";  // U+2026 …

// Bounds on what a caller may ask (STYLE rule 9); past them the request fails with Invalid.
inline constexpr std::size_t kMaxSearchBytes = 512;  // of the words
inline constexpr std::size_t kMaxSearchWords = 16;
inline constexpr std::size_t kMaxSearchLimit = 200;  // a larger limit is taken as this
inline constexpr std::size_t kMinPrefixBytes = 4;    // shorter last words match whole only

// Transcript full-text search. Hits come newest first: by message id, descending, which is the
// order the store received the messages (stamp order, but for messages of different sessions
// stamped within the same moment). A page's cursor continues below its last hit, so pages stay
// without duplicates or gaps while new messages arrive (they land above the first page).
struct TranscriptQuery {
  std::string words;
  std::string participant;  // a login: only sessions it took part in (initiator or target); ""
                            // for all sessions (admin)
  std::optional<std::int64_t> since_ms;  // stamped_at_ms >= since_ms
  std::optional<std::int64_t> until_ms;  // stamped_at_ms <= until_ms
  std::size_t limit = 20;                // hits per page, 1 .. kMaxSearchLimit
  std::string cursor;                    // "" for the first page, else the last page's next_cursor
};

struct TranscriptHit {
  std::int64_t message_id = 0;  // the store's id of the message, unique and increasing
  std::string session_id;
  std::uint32_t seq = 0;
  std::int64_t stamped_at_ms = 0;
  std::string sender;
  std::string recipient;
  std::string initiator;  // the session's parties
  std::string target;
  std::string snippet;  // the body around the matched words, marked with kMarkOpen/kMarkClose
};

struct TranscriptPage {
  std::vector<TranscriptHit> hits;
  std::string next_cursor;  // opaque; "" when there is no further page
};

// IM sessions, newest first: by start, then by id (descending). A page's cursor continues below
// its last session, so a session that starts meanwhile lands above the first page and none is
// shown twice.
enum class SessionFilter : std::uint8_t { Any, Live, Ended };

struct SessionQuery {
  std::string party;  // a login: only sessions it took part in (initiator or target); "" for all
  std::string with;   // with party: only those shared with this login too; "" for no such bound
  SessionFilter state = SessionFilter::Any;
  std::size_t limit = 20;  // sessions per page, 1 .. kMaxSearchLimit
  std::string cursor;      // "" for the first page, else the last page's next_cursor
};

struct SessionPage {
  std::vector<SessionRecord> sessions;
  std::string next_cursor;  // opaque; "" when there is no further page
};

// A contact's history: its history entries and the IM sessions tied to it (by
// SessionRecord::contact_id, or by an entry naming the session), newest first.
struct ContactHistoryQuery {
  std::string contact_id;
  std::string words;  // "" (or whitespace) for everything; else entries whose summary, and
                      // sessions whose transcript, has the words
  std::optional<std::int64_t> until_ms;  // at_ms <= until_ms (the next page: the last item's at_ms
                                         // and skip what was already shown)
  std::size_t limit = 20;                // 1 .. kMaxSearchLimit
};

// A channel's name in the API and the store: "voice", "email", "chat", "workitem", "im".
std::string_view channel_name(ContactChannel c);
std::optional<ContactChannel> channel_named(std::string_view name);

struct ContactHistoryItem {
  std::int64_t entry_id = 0;  // the history entry; 0 for a session found by its contact_id
  ContactChannel channel = ContactChannel::Im;
  std::int64_t at_ms = 0;  // the entry's time, or the session's start
  std::string summary;     // the entry's summary; "" for a session without an entry
  std::string session_id;  // "" for an entry without a session
  std::string initiator;   // the session's parties, when there is a session
  std::string target;
  std::string snippet;  // with words: the summary's or the newest matching message's, marked
};

}  // namespace ims::sw::store
