#pragma once
// BindingTable: the registrar's location service (RFC 3261 §10.3), per address of record (the
// agent's login) the contacts currently bound. Sans-I/O: time comes in as now_ms (Unix epoch
// milliseconds), and every change goes out as values (Outcome::upserted / removed, expire())
// that the caller writes to the store. Owned by the switch core and used on its strand only.
//
// How a REGISTER is applied (apply()), in RFC order, all or nothing:
//  1. Bindings of the AOR already past their expiry are dropped first (and reported removed).
//  2. §10.3 step 6: each contact's expiry is its expires parameter, else the Expires header,
//     else Settings::default_expires_s. 0 removes. Above max_expires_s it is clamped down.
//     Between 0 and min_expires_s (and below 3600: §10.3 forbids 423 for an hour or more) the
//     whole request fails 423 with Outcome::min_expires for the Min-Expires header.
//  3. §10.3 step 7: a contact matches an existing binding by +sip.instance (with reg-id when
//     present, RFC 5626 §6: the instance names the device, whatever its URI today; compared
//     byte for byte, RFC 3840 §9 string rules), else by URI equality (§19.1.4). For a match
//     with the same Call-ID, the CSeq must be higher than the stored one, or the request is
//     aborted: 500 "Out-of-Order CSeq". RFC 3261 names no
//     status; 500 says "not done, try again" (a client that bumps its CSeq succeeds), where
//     400 would wrongly call a well-formed request malformed. "*" removes every binding under
//     the same CSeq rule.
//  4. A refresh keeps registered_at_ms; every add or refresh records the flow it came over.
//     A contact whose URI equals another binding's supersedes it (one binding per reachable
//     URI, so the store's (aor, contact) key never collides).
//  5. If the request grows the AOR past max_contacts_per_agent: 403 "Too Many Contacts".
//     403, not 503: it is policy, retrying elsewhere cannot help (all nodes share the
//     bindings) until the agent unregisters a device.
// A failed request changes nothing. On success the store applies `removed`, then `upserted` and
// `refreshed`.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/util/result.hpp"
#include "switch/registrar/contact.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::registrar {

struct Settings {
  std::uint32_t min_expires_s = 60;
  std::uint32_t max_expires_s = 3600;
  std::uint32_t default_expires_s = 3600;
  std::size_t max_contacts_per_agent = 10;
};

// The transport flow a REGISTER arrived over (RFC 3581, RFC 5626 §5.2).
struct FlowInfo {
  std::string transport;       // "udp", "tcp", "tls", "ws", "wss"
  std::string source_address;  // IP literal without brackets
  std::uint16_t source_port = 0;
  std::uint64_t flow_id = 0;  // transport::FlowId value, 0 = none (UDP)
  // The sent-by of the REGISTER's top Via (host as written; port 0 when
  // absent). A contact on the source address at another port than this names a listener other
  // than the sender - a load generator registering its answering side - and is not tied to
  // the flow: requests reach it at its own address.
  std::string sent_by_host;
  std::uint16_t sent_by_port = 0;
};

struct Outcome {
  int status = 200;
  std::string reason;             // "" = the standard phrase
  std::uint32_t min_expires = 0;  // 423 only: the Min-Expires value
  // 200 only: the AOR's bindings after the change, in lookup() order (the 200's Contacts).
  std::vector<store::Binding> bindings;
  // 200 only: what the store must do. removed holds (aor, contact) keys. refreshed holds live
  // bindings whose new version differs only in expiry, Call-ID and CSeq: the store writes
  // them too, but the client may be answered before they are committed (losing one to a crash
  // leaves the binding stored with its previous expiry, which the client was also told).
  std::vector<store::Binding> upserted;
  std::vector<store::Binding> refreshed;
  std::vector<std::pair<std::string, std::string>> removed;

  bool ok() const { return status == 200; }
  // The Outcome for a parse_register() failure: 400 or 403 with the Error's reason phrase.
  static Outcome rejected(const Error& error);
};

class BindingTable {
 public:
  Outcome apply(const RegisterRequest& request, std::string_view aor, const FlowInfo& flow,
                std::int64_t now_ms, const Settings& settings);

  // Unexpired bindings of aor, by q descending, then most recently registered first.
  std::vector<store::Binding> lookup(std::string_view aor, std::int64_t now_ms) const;

  // Removes and returns every binding expired at now_ms; the caller deletes them from the store.
  std::vector<store::Binding> expire(std::int64_t now_ms);

  // Start-up: the bindings the store holds. flow_id is cleared (a flow does not survive a
  // restart); a later duplicate (aor, contact) replaces an earlier one. Expired ones are kept
  // until the next expire() so the store learns to delete them too.
  void load(std::vector<store::Binding> bindings);

  // A connection closed: bindings that used it keep their contact and source address but lose
  // the flow_id, so the proxy opens a new connection (or, for an RFC 5626 outbound binding it
  // cannot reach any more, answers 430 Flow Failed) until the device re-registers, which
  // records the new flow. Bindings are not removed: a TCP client reconnects and re-registers
  // within its keep-alive interval, and a message for it in between is better kept by the
  // proxy's offline store than lost with the binding. Returns the changed bindings.
  std::vector<store::Binding> forget_flow(std::uint64_t flow_id);

  std::size_t aor_count() const { return table_.size(); }
  std::size_t binding_count() const { return bindings_; }

 private:
  // A binding as the table keeps it: its strings in one allocation, its AOR in the map's key.
  // 72 bytes and its text (some 150 in all), where a store::Binding takes some 380 (100,000
  // registered agents: 23 MB less); apply(), lookup() and expire() hand out store::Binding
  // values.
  struct Packed {
    // contact, contact_params, display_name, instance, call_id, transport, source_address
    static constexpr std::size_t kFields = 7;
    std::unique_ptr<char[]> text;                   // the fields one after the other
    std::uint32_t size = 0;                         // of text
    std::array<std::uint32_t, kFields - 1> ends{};  // where each field but the last ends
    std::int64_t expires_at_ms = 0;
    std::int64_t registered_at_ms = 0;
    std::uint64_t flow_id = 0;
    std::uint32_t cseq = 0;
    std::uint16_t q_millis = 1000;
    std::uint16_t source_port = 0;
    bool session_capable = false;

    static Packed of(const store::Binding& b);
    std::string_view field(std::size_t i) const;
    std::string_view contact() const { return field(0); }
    store::Binding unpack(std::string_view aor) const;
  };
  std::vector<store::Binding> unpacked(std::string_view aor, const std::vector<Packed>& v) const;

  std::unordered_map<std::string, std::vector<Packed>> table_;
  std::size_t bindings_ = 0;  // sum of the vectors' sizes, expired-but-uncollected included
  // The AORs that registered over each open flow, so that a closing connection costs a look at
  // its own AORs, not the whole table. An AOR stays listed after its binding moved on or
  // expired (forget_flow checks); a flow's entry goes when the flow is forgotten.
  std::unordered_map<std::uint64_t, std::unordered_set<std::string>> aors_by_flow_;
};

// lookup()'s order: q descending, then registered_at_ms descending, then contact.
void sort_bindings(std::vector<store::Binding>& bindings);

}  // namespace ims::sw::registrar
