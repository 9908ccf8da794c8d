#pragma once
// Internal to ImB2bua (b2bua.cpp, b2bua_dialog.cpp): what it keeps per live session. Not part of
// the library's interface.

#include <array>
#include <chrono>
#include <cstdint>
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

// One target device: the INVITE sent to it and where it goes.
struct BranchLeg {
  sip::Message invite;  // as sent, Via included (CANCEL copies it, §9.1)
  stack::Destination to;
  std::string contact;
  std::optional<txn::Key> key;
  std::optional<sip::Message> last_2xx;
};

// One leg of a live session: its dialog once established, where its requests go, who it is.
struct LegState {
  std::optional<dialog::Dialog> dialog;
  stack::Destination to;
  std::string login;
};

struct ImB2bua::Live {
  Live(std::size_t devices, std::chrono::milliseconds timeout, boost::asio::any_io_executor ex)
      : core(devices, timeout), invite_timer(ex), linger_timer(ex) {}

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
  boost::asio::steady_timer invite_timer;
  boost::asio::steady_timer linger_timer;
  std::vector<txn::Key> clients;  // every client transaction remembered for it
  // A re-INVITE relayed leg to leg (one at a time, §14.2).
  struct Reinvite {
    Side from = Side::Initiator;
    txn::Key server;
    sip::Message request;
    std::uint32_t cseq = 0;  // of the relayed one, for its ACK
    bool answered = false;
  };
  std::optional<Reinvite> reinvite;
  // In-dialog MESSAGEs waiting for their transcript commit, and a BYE that arrived meanwhile:
  // the BYE takes effect once they are relayed, so the other side gets them before the BYE.
  int storing = 0;
  std::optional<Side> bye_after_storing;

  LegState& leg(Side side) { return legs[index(side)]; }
};

}  // namespace ims::sw::im
