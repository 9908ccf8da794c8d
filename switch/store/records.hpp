#pragma once
// Records the switch keeps durably: registrations (bindings), stored pager messages, IM
// session transcripts and agents' presence publications. Plain values shared by the registrar,
// the proxy, the IM B2BUA and the store; no behaviour, no I/O.

#include <cstdint>
#include <string>
#include <vector>

namespace ims::sw::store {

// One registered contact of an agent (RFC 3261 §10.3), with the flow it registered over so that
// requests reach a client behind NAT or on TCP the way it came (RFC 3581, RFC 5626 §5.2).
struct Binding {
  std::string aor;             // the agent's login (user part of the address of record)
  std::string contact;         // the Contact URI as registered, without angle brackets
  std::string contact_params;  // header parameters after the URI as written (";+imswitch.session;q=0.5")
  std::string display_name;    // as written in the Contact, may be empty
  std::string instance;        // +sip.instance value when present (RFC 5626), else empty
  std::uint16_t q_millis = 1000;  // q-value × 1000 (RFC 3261 §20.10); 1000 when absent
  bool session_capable = false;   // the contact carries the +imswitch.session feature tag
  std::string call_id;            // of the REGISTER that made or last refreshed it (§10.3 step 7)
  std::uint32_t cseq = 0;
  std::int64_t expires_at_ms = 0;     // Unix epoch milliseconds
  std::int64_t registered_at_ms = 0;  // first registration of this contact
  // The flow: the transport and source address the REGISTER arrived from. flow_id is the live
  // transport flow (TCP connection) and means nothing after a restart (store it, ignore it on
  // load).
  std::string transport;        // "udp" or "tcp"
  std::string source_address;   // IP literal without brackets
  std::uint16_t source_port = 0;
  std::uint64_t flow_id = 0;    // transport::FlowId value, 0 = none
};

// A pager MESSAGE (RFC 3428) kept for an agent who could not take it, delivered on its next
// registration. Body and content type are kept byte for byte.
struct StoredMessage {
  std::int64_t id = 0;              // assigned by the store; delivery order is id order
  std::string recipient;            // login of the target agent
  std::string sender_login;         // authenticated sender
  std::string from;                 // the From header value as received (name-addr with tag)
  std::string to;                   // the To header value as received (without a tag)
  std::string content_type;         // the Content-Type header value, verbatim
  std::string body;                 // bytes, may contain NULs
  std::int64_t received_at_ms = 0;  // Unix epoch ms when the switch took it
  std::int64_t expires_at_ms = 0;   // dropped (and logged) after this if still undelivered
};

// An IM session the B2BUA ran (PRODUCT §4): who took part, when, and how it ended. Written when
// the session starts (state "live") and updated once when it ends.
struct SessionRecord {
  std::string id;                // the switch's session id, unique for the life of the store
  std::string initiator;         // login of the agent who sent the INVITE
  std::string target;            // login of the invited agent
  std::string state;             // "live" or "ended"
  std::int64_t started_at_ms = 0;  // Unix epoch ms: the INVITE was accepted for routing
  std::int64_t ended_at_ms = 0;    // 0 while live
  std::string ended_by;          // login of the party who ended it, "" when the switch did
  std::string end_reason;        // "bye", "rejected", "timed-out", "cancelled", ... ("" while live)
  std::string initiator_call_id;  // Call-ID of the initiator's leg
  std::string target_call_id;     // Call-ID of the target's leg (the switch's own)
  std::string queue;  // the queue it was addressed to; "" for an agent's address. Its target is
                      // the queue's number until an agent takes it, then that agent's login
  std::string contact_id;  // the contact of the case data it carried (PRODUCT §5); "" for none
};

// One offer of a session to an agent of a queue (PRODUCT §4: who was offered it and what they
// answered).
struct OfferRecord {
  std::string session_id;
  std::uint32_t n = 0;        // 1, 2, ... in offer order
  std::string queue;          // the queue it was offered from; "" for an overflow to an agent
  std::string agent;
  std::int64_t offered_at_ms = 0;
  std::string outcome;        // "answered", "declined", "no-answer", "unavailable", "cancelled"
};

// One message of a transcript, as the switch stamped it: seq orders the session's messages
// (1, 2, 3 ... in the order the switch received them), stamped_at_ms is the switch's clock.
struct TranscriptEntry {
  std::string session_id;
  std::uint32_t seq = 0;
  std::int64_t stamped_at_ms = 0;  // Unix epoch ms (UTC)
  std::string sender;              // login of the party who sent it
  std::string recipient;           // login of the party it went to
  std::string content_type;        // verbatim ("text/plain;charset=UTF-8", "message/cpim")
  std::string body;                // bytes, may contain NULs
};

// A session with its messages in seq order.
struct Transcript {
  SessionRecord session;
  std::vector<TranscriptEntry> messages;
  std::vector<OfferRecord> offers;  // a queued session's, in order
};

// PIDF <basic> status (RFC 3863 §4.1.4): open is Ready, closed Not Ready.
enum class PresenceBasic : std::uint8_t { Open, Closed };

// A presence publication (RFC 3903 §4.1, PRODUCT §2): the agent state one device of an agent
// published, under the entity-tag of its last successful PUBLISH. Kept so that an agent's state
// and its devices' entity-tags survive a restart.
struct Publication {
  std::string login;                           // the agent
  std::string etag;                            // entity-tag; unique per login
  PresenceBasic basic = PresenceBasic::Open;
  std::string note;                            // the reason ("lunch"), "" when none
  std::int64_t expires_at_ms = 0;              // Unix epoch ms
  std::int64_t modified_at_ms = 0;             // initial publication or last modification
};

// A customer as the importer knows it (PRODUCT §5: the invited agent reads the contact of a
// consultation's case data). The id is the importer's own, unique, never empty.
struct Contact {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  std::string company;
  std::string notes;
  std::string attributes = "{}";   // further attributes, a JSON object as text ("" means "{}")
  std::int64_t created_at_ms = 0;  // first upsert; a later upsert keeps the stored value
  std::int64_t updated_at_ms = 0;  // last upsert
};

// The channel of a contact's past interaction.
enum class ContactChannel : std::uint8_t { Voice, Email, Chat, Workitem, Im };

// One past interaction of a contact, as the contact centre's other systems report it.
struct ContactHistoryEntry {
  std::int64_t id = 0;  // assigned by the store
  std::string contact_id;
  std::int64_t at_ms = 0;  // Unix epoch ms
  ContactChannel channel = ContactChannel::Voice;
  std::string summary;
  std::string session_id;  // the IM session it was, "" for none
};

}  // namespace ims::sw::store
