#pragma once
// The transcript of one IM session as the agent shows it: every message with the login of its
// author, the switch's stamp (UTC, ms) and sequence number, and whether we sent or received it.
// Both parties see the same stamps: the switch returns the stamp in its 200 to our MESSAGE and
// puts the same stamp on the MESSAGE it relays. Entries are kept in sequence order, whatever
// order the answers arrived in. Plain value; owned by its ImSession.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ims::client {

enum class Direction { Sent, Received };

struct TranscriptEntry {
  std::string login;                           // the author
  std::chrono::system_clock::time_point time;  // the switch's stamp
  std::uint64_t seq = 0;                       // the switch's sequence within the session
  Direction direction = Direction::Sent;
  std::string text;

  friend bool operator==(const TranscriptEntry&, const TranscriptEntry&) = default;
};

class Transcript {
 public:
  // Inserts in seq order. An entry whose seq is already there is a retransmission: ignored,
  // false.
  bool add(TranscriptEntry entry);
  const std::vector<TranscriptEntry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<TranscriptEntry> entries_;
};

}  // namespace ims::client
