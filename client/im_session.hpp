#pragma once
// ImSession: one IM session of the agent (PRODUCT §4, the seed's IM window), either side. The
// initiator creates it with Agent::new_session() and start()s it with the first message; the
// recipient gets it from AgentEvents::on_invitation with the initiator's login, the first message
// and the case data, and accept()s or reject()s it. Connected, both send() text; either end()s;
// done() closes it. State changes and transcript entries arrive as AgentEvents.
//
// On the wire it is one leg of the switch's B2BUA, a plain UA dialog (RFC 3261 §12-§15):
// INVITE with a multipart/mixed body (zero-m-line SDP, the first message, the case data), ACK of
// the 2xx, in-dialog MESSAGE (RFC 3428) stamped by the switch, BYE, CANCEL while Establishing;
// a re-INVITE is answered 488 (voice is not handled here).
//
// Owner: shared by the application and its Agent (the agent keeps it until done()). Strand: the
// agent's executor; every call is made there. Misuse (send on an ended session, accept twice, any
// call after the agent closed) returns an Error (ClientErrc::BadState / Closed), never crashes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/session_state.hpp"
#include "client/transcript.hpp"
#include "common/dialog/dialog.hpp"
#include "common/sip/message.hpp"
#include "common/txn/key.hpp"
#include "common/util/result.hpp"

namespace ims::client {

class Interaction;
namespace detail {
class AgentCore;
}

// A state and why it was entered, as delivered with each change.
struct SessionStatus {
  SessionState state = SessionState::NotConnected;
  std::optional<EndReason> reason;  // set once Ended
  int queue_position = 0;           // while Queued
};

class ImSession : public std::enable_shared_from_this<ImSession> {
 public:
  using SendCallback = std::function<void(Result<TranscriptEntry>)>;
  // The final status of the request that ended the session (the BYE's 200, the 603 we sent),
  // or why it got none (NoAnswer, TransportFailed).
  using EndCallback = std::function<void(Result<int>)>;

  ~ImSession();
  ImSession(const ImSession&) = delete;
  ImSession& operator=(const ImSession&) = delete;

  // ---- what the application shows -------------------------------------------------------------
  Role role() const { return machine_.role(); }
  SessionState state() const { return machine_.state(); }
  std::optional<EndReason> end_reason() const { return machine_.reason(); }
  SessionStatus status() const;
  const std::string& peer() const { return peer_; }  // the other party's login
  // When we invited a queue or routing point and an agent took it: its number (peer() is the
  // agent from then on); "" otherwise.
  const std::string& queue() const { return queue_; }
  // The initiator's login: ours when we started it.
  const std::string& initiator() const;
  const std::string& first_text() const { return first_text_; }
  // Case data of a consultation (application/json as sent), read-only.
  const std::optional<std::string>& case_data() const { return case_json_; }
  const Transcript& transcript() const { return transcript_; }
  // The Reason text of a CANCEL that ended an invitation ("answered elsewhere"), or "".
  const std::string& end_detail() const { return end_detail_; }
  const std::string& call_id() const { return call_id_; }
  // The switch's id of the session (Imswitch-Session), once its INVITE or 200 named it; the
  // key of the stored transcript.
  const std::string& switch_id() const { return switch_id_; }

  // ---- initiator ------------------------------------------------------------------------------
  // NotConnected → Establishing: INVITE to sip:<target>@<domain> with the first message and,
  // for a consultation, the case data (a JSON text).
  Result<void> start(std::string_view target, std::string first_text,
                     std::optional<std::string> case_json = std::nullopt);
  // A consultation from an interaction: its case data goes along as application/json.
  Result<void> start(std::string_view target, std::string first_text, const Interaction& from);

  // ---- recipient ------------------------------------------------------------------------------
  Result<void> accept();  // 200 with an SDP answer without media → Connected
  Result<void> reject();  // 603 Decline → Ended(Rejected)

  // ---- both -----------------------------------------------------------------------------------
  // An in-dialog MESSAGE (text/plain). The entry joins the transcript, with the switch's stamp,
  // when the switch answers 200; done (optional) hears the same or the failure.
  Result<void> send(std::string text, SendCallback done = {});
  // Connected: BYE → Ended(LocalEnded). Establishing as initiator: CANCEL → Ended(Cancelled) once
  // the switch answers. An open invitation as recipient: as reject(). The state changes at once;
  // done (optional) hears the BYE's final answer later (for a CANCEL or a decline: their own
  // outcome, 200 or 603, as soon as it is sent).
  Result<void> end(EndCallback done = {});
  // Ended → Done: the agent forgets the session.
  Result<void> done();

 private:
  friend class detail::AgentCore;
  struct Private {};  // only the agent creates sessions

 public:
  ImSession(Private, std::weak_ptr<detail::AgentCore> core, std::string me, Role role);

 private:
  std::shared_ptr<detail::AgentCore> core_or_null() const;
  Error closed_error() const;

  // Called by the agent core (friend), on the strand.
  static std::shared_ptr<ImSession> incoming(const std::shared_ptr<detail::AgentCore>& core,
                                             const txn::Key& server, const sip::Message& invite);
  void on_in_dialog_request(const txn::Key& server, sip::Message request);
  void on_ack(const sip::Message& ack);
  void on_cancel(const sip::Message& cancel);
  void on_stray_2xx(const sip::Message& response);
  void on_server_failure(const txn::Key& server);
  void on_agent_closed();
  bool owns_dialog(const sip::Message& request) const;
  bool invitation_key_is(const txn::Key& key) const {
    return invite_server_ && *invite_server_ == key;
  }

  // Initiator: the INVITE's answers.
  void on_invite_provisional(const sip::Message& response);
  void on_invite_final(Result<sip::Message> response, const sip::Message& sent);
  void send_cancel_now();
  void send_bye(EndCallback done = {});
  void stamp_first_text(const sip::Message& carrier, Direction direction);
  void changed();  // tells the application about the new status

  std::weak_ptr<detail::AgentCore> core_;
  std::string me_;  // our login
  SessionMachine machine_;
  std::string peer_;
  std::string queue_;
  std::string first_text_;
  std::optional<std::string> case_json_;
  Transcript transcript_;
  std::string end_detail_;
  std::string switch_id_;
  std::string call_id_;
  std::string local_tag_;
  std::optional<dialog::Dialog> dialog_;
  // Initiator
  std::uint64_t invite_request_ = 0;  // the agent's id of our INVITE (kept across challenges)
  std::uint32_t invite_cseq_ = 0;
  bool provisional_seen_ = false;
  bool cancel_wanted_ = false;
  bool cancel_sent_ = false;
  std::optional<sip::Message> ack_;  // as sent, for 2xx retransmissions (§13.2.2.4)
  // Recipient
  std::optional<txn::Key> invite_server_;
  std::optional<sip::Message> invite_;
  bool acked_ = false;
};

}  // namespace ims::client
