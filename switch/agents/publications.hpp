#pragma once
// Publications: the switch as event state compositor (ESC, RFC 3903) for the `presence` event
// package, per agent login. Each device of an agent may publish its own state (a publication, named
// by the entity-tag of its last successful PUBLISH); the agent's effective state is that of its
// most recently modified unexpired publication, and with none the configured default
// (im.default_state). Busy and logged out are derived elsewhere.
//
// How a PUBLISH is applied (publish()), in the order of RFC 3903 §6 once the SIP layer has checked
// the Request-URI (step 1), the Event header (step 2, is_presence_event()) and the credentials
// (step 3):
//  4. SIP-If-Match names a live publication of this login, else 412. Without it the request is
//     an initial publication and must have a body, else 400.
//  5. Expires (absent: default_expires_s): above 0 and below min_expires_s (and an hour), 423
//     with Min-Expires; above max_expires_s, cut down.
//  6. A body must be application/pidf+xml (else 415) and well-formed PIDF (else 400 with the
//     fault as reason phrase). Then: with SIP-If-Match and Expires 0, the publication is
//     removed; with SIP-If-Match and no body, refreshed (new expiry, same state); with both,
//     modified; otherwise an initial publication is added (past max_per_login, the agent's
//     least recently modified one makes room).
//  7. Every success gets a new entity-tag (§4.1: SIP-ETag of the 2xx; the old one stops
//     working), except a removal, which echoes the removed one with Expires: 0.
// A failed request changes nothing. On success the outcome says what the store must write and
// whether the agent's effective state changed.
//
// Sans-I/O: time comes in as now_ms (Unix epoch ms), entity-tags as values the caller drew at
// random. Owner: the application's SharedState, behind a lock (every SIP core uses it).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "switch/agents/agent_state.hpp"

namespace ims::sw::agents {

inline constexpr std::string_view kPresenceEvent = "presence";  // RFC 3856 §3
// Entity-tags of the publication the HTTP API keeps for an agent (set_by_api). Devices' tags are
// random letters and digits, so none starts with this.
inline constexpr std::string_view kApiEtagPrefix = "api-";

struct PublishSettings {
  Presence default_presence = Presence::Ready;  // agents without a publication (im.default_state)
  std::uint32_t min_expires_s = 60;             // below it: 423 (im.publish_min_expires_s)
  std::uint32_t max_expires_s = 3600;           // above it: cut down (im.publish_max_expires_s)
  std::uint32_t default_expires_s = 3600;       // when Expires is absent (RFC 3903 §6 step 5)
  std::size_t max_per_login = 16;               // publications one agent holds at once
};

// One publication (RFC 3903 §4.1): what one device of an agent published.
struct Publication {
  std::string login;
  std::string etag;  // the entity-tag of its last successful PUBLISH
  AgentState state;
  std::int64_t expires_at_ms = 0;   // Unix epoch ms
  std::int64_t modified_at_ms = 0;  // initial publication or last modification (not refresh)
};

// A PUBLISH for `presence` as the SIP layer read it.
struct PublishRequest {
  std::string login;                     // authenticated, and the Request-URI's user
  std::optional<std::string> if_match;   // SIP-If-Match, when present
  std::optional<std::uint32_t> expires;  // Expires, when present
  bool has_body = false;
  std::string content_type;
  std::string body;
};

// An agent's effective state changed to `state`.
struct StateChange {
  std::string login;
  AgentState state;
};

enum class PublishOp : std::uint8_t { Initial, Refresh, Modify, Remove };

struct PublishOutcome {
  int status = 200;
  std::string reason;             // "" = the standard phrase
  std::uint32_t min_expires = 0;  // 423 only: the Min-Expires value
  // 2xx only:
  PublishOp op = PublishOp::Initial;
  std::string etag;             // SIP-ETag
  std::uint32_t expires_s = 0;  // Expires
  // What the store must do: write `stored` in place of the entity-tag `replaced` ("" for none) of
  // the same login, and delete every publication in `removed`.
  std::optional<Publication> stored;
  std::string replaced;
  std::vector<Publication> removed;
  std::optional<StateChange> changed;

  bool ok() const { return status / 100 == 2; }
};

class Publications {
 public:
  explicit Publications(PublishSettings settings = {}) : settings_(settings) {}

  // A reload: new bounds and default. Publications are kept.
  void set_settings(const PublishSettings& settings) { settings_ = settings; }
  const PublishSettings& settings() const { return settings_; }

  PublishOutcome publish(const PublishRequest& request, std::string_view new_etag,
                         std::int64_t now_ms);

  // The state set for an agent through the HTTP API (PRODUCT §2), kept as a publication of its
  // own: one per login, under an entity-tag starting kApiEtagPrefix, which no device is given.
  // Each call modifies it (a new entity-tag, `replaced` the last one) or creates it, so it is the
  // agent's most recently modified publication, hence its state, until a device publishes a
  // state of its own, the next call replaces it, or it expires at expires_at_ms. Like any
  // publication it may make room (max_per_login). Always a 200 outcome.
  PublishOutcome set_by_api(const std::string& login, AgentState state,
                            std::string_view new_etag, std::int64_t expires_at_ms,
                            std::int64_t now_ms);

  // Removes every publication expired at now_ms (the store deletes them too) and reports the agents
  // whose effective state changed with them.
  struct Expired {
    std::vector<Publication> removed;
    std::vector<StateChange> changed;
  };
  Expired expire(std::int64_t now_ms);

  // Start-up: the publications the store holds, expired ones included (the next expire() removes
  // them from the store too). Returns the agents whose state is not the default.
  std::vector<StateChange> load(std::vector<Publication> publications, std::int64_t now_ms);

  AgentState state_of(std::string_view login, std::int64_t now_ms) const;
  AgentState default_state() const { return AgentState{settings_.default_presence, {}}; }

  std::size_t size() const { return count_; }

 private:
  struct Entry {
    Publication publication;
    std::uint64_t order = 0;  // higher = modified later
  };
  using List = std::vector<Entry>;

  Entry* find(std::string_view login, std::string_view etag, std::int64_t now_ms);
  const Entry* effective(std::string_view login, std::int64_t now_ms) const;
  // The agent's effective state now against the one last reported; records and returns a change.
  std::optional<StateChange> settle(const std::string& login, std::int64_t now_ms);
  // Makes room for one more publication of `list`: expired ones go first, then the least recently
  // modified.
  void make_room(List& list, std::int64_t now_ms, std::vector<Publication>& removed);

  PublishSettings settings_;
  std::unordered_map<std::string, List> table_;  // by login
  // The last effective state reported per login, when it is not the default.
  std::unordered_map<std::string, AgentState> reported_;
  std::uint64_t order_ = 0;
  std::size_t count_ = 0;
};

// The Event header of a PUBLISH names the presence package (RFC 3265 §7.2.1: parameters such as id
// are allowed).
bool is_presence_event(std::string_view event);

}  // namespace ims::sw::agents
