#pragma once
// Internal to ImB2bua (b2bua.cpp, b2bua_dialog.cpp): what it keeps per live session. Not part of
// the library's interface.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "common/dialog/dialog.hpp"
#include "common/sip/message.hpp"
#include "common/stack/stack.hpp"
#include "common/txn/key.hpp"
#include "switch/im/b2bua.hpp"
#include "switch/im/session.hpp"

namespace ims::sw::im {

inline std::size_t index(Side side) { return side == Side::Initiator ? 0 : 1; }

// "call-id local-tag": the key of one leg's dialog as the switch sees it.
inline std::string leg_key(std::string_view call_id, std::string_view local_tag) {
  std::string k(call_id);
  k.push_back(' ');
  k.append(local_tag);
  return k;
}

// A stock client's device reached through the pager bridge (PRODUCT §4b, bridge.hpp): MESSAGEs
// outside any dialog, never an INVITE.
struct PlainPeer {
  std::string ruri;  // Request-URI of what the switch sends it
  std::string from;  // From (without tag) of what the switch sends: where its replies go
  std::string to;    // To (without tag)
  std::optional<store::Binding> binding;  // its registration; none for an unregistered client
};

// A From/To value without its tag, to carry an identity onto the other leg (b2bua.cpp).
std::string without_tag(std::string_view value);

// One target device: the INVITE sent to it (or, for a plain device, the invitation MESSAGE)
// and where it goes.
struct BranchLeg {
  sip::Message invite;  // as sent, Via included (CANCEL copies it, §9.1)
  stack::Destination to;
  std::string contact;
  std::optional<txn::Key> key;
  std::optional<sip::Message> last_2xx;
  std::optional<PlainPeer> plain;  // a plain device: invited by MESSAGE
};

// One leg of a live session: its dialog once established (or the plain device of a bridged
// leg, which has none), where its requests go, who it is.
struct LegState {
  std::optional<dialog::Dialog> dialog;
  std::optional<PlainPeer> plain;
  stack::Destination to;
  std::string login;
  // In-dialog MESSAGEs go to a leg one at a time: the next waits here until the one out is
  // answered. Sent back to back over UDP, a retransmitted one would arrive after its successor
  // and be refused 500 for its lower CSeq (RFC 3261 §12.2.2).
  std::deque<sip::Message> relays;
  bool relay_out = false;
};

// A (login, peer) key the session holds in the BridgeIndex.
struct BridgeKey {
  std::string login;
  std::string peer;
  bool initiator = false;  // the stock initiator's key (its late messages go to the agent)
};

// A session to a queue: where it waits and what it has been through (b2bua_queue.cpp).
struct QueuedState {
  QueueTerms terms;
  routing::Facts facts;       // for the routing points of an overflow
  std::string agent;          // the agent the current (or winning) offer went to
  bool in_queue = false;      // between the port's request() and leave()
  bool direct = false;        // the offer goes to an overflow agent: its failure ends the session
  bool wait_over = false;     // the wait limit passed while an offer was out
  std::size_t position = 0;   // in the last 182 Queued; 0: none sent
  std::vector<std::string> skip;  // agents that declined or missed it, kept across overflows
  std::string reason;         // the Reason header of a final answer the switch gives
  // The offer out now, for the transcript's record of offers (store::OfferRecord).
  std::uint32_t offers = 0;            // offers made so far; the current one's number
  std::string offer_queue;             // the queue it comes from; "" for an overflow agent
  std::int64_t offered_at_ms = 0;
  bool offer_recorded = true;          // its outcome is in the store already
};

struct ImB2bua::Live {
  Live(Session session, boost::asio::any_io_executor ex)
      : core(std::move(session)), invite_timer(ex), linger_timer(ex), wait_timer(ex),
        keepalive_timer(ex), idle_timer(ex) {}

  std::string id;
  Session core;
  txn::Key server;          // the initiator's INVITE
  sip::Message invite;      // as received
  std::string local_tag;    // our To tag on the initiator's leg
  std::string target_call_id;
  std::string target_tag;   // our From tag on the target's leg
  std::array<LegState, 2> legs;
  std::vector<BranchLeg> branches;
  std::optional<Stamp> first_stamp;
  std::int64_t started_at_ms = 0;
  bool counted = false;  // in LiveSessions until it ends
  boost::asio::steady_timer invite_timer;  // the invitation timer, or one offer's RONA timer
  boost::asio::steady_timer linger_timer;
  std::optional<QueuedState> queued;       // a session to a queue
  boost::asio::steady_timer wait_timer;     // the queue's wait limit
  boost::asio::steady_timer keepalive_timer;  // 182 Queued every minute while waiting
  std::vector<txn::Key> clients;  // every client transaction remembered for it
  // The pager bridge (b2bua_bridge.cpp).
  boost::asio::steady_timer idle_timer;  // im.bridge_idle_s, while a leg is a plain device
  std::vector<BridgeKey> bridge_keys;
  // A stock initiator's messages written before an agent answered: relayed once one has.
  std::vector<sip::Message> held;
  // The stock initiator's opening MESSAGE, until it is answered (202, or the refusal).
  std::function<void(sip::Message)> opening_reply;
  // A re-INVITE relayed leg to leg (one at a time, §14.2).
  struct Reinvite {
    Side from = Side::Initiator;
    txn::Key server;
    sip::Message request;
    std::uint32_t cseq = 0;  // of the relayed one, for its ACK
    bool answered = false;
  };
  std::optional<Reinvite> reinvite;
  // In-dialog MESSAGEs waiting for their transcript commit, those relayed and not yet answered
  // by the other leg, and a BYE that arrived meanwhile: the BYE takes effect once they are
  // relayed and answered, so the other side has them before its BYE, also when a relay is being
  // retransmitted over a lossy network (a BYE overtaking it would make it a 481).
  int storing = 0;
  int relaying = 0;
  std::optional<Side> bye_after_storing;
  bool bye_must_wait() const { return storing > 0 || relaying > 0; }

  LegState& leg(Side side) { return legs[index(side)]; }
};

}  // namespace ims::sw::im
