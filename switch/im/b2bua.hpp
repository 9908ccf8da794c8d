#pragma once
// ImB2bua: the switch's back-to-back user agent for IM sessions (PRODUCT §4, RFC 3261 §12-§15).
// Given an INVITE the application has authenticated and checked (a local initiator with the im
// task, a local target agent with the im task), it owns both legs:
//   - the initiator's leg: the INVITE's dialog, with the switch's To tag and Contact;
//   - the target's leg: a new Call-ID, From tag, CSeq and Contact, INVITEd in parallel to every
//     contact of the target registered with +imswitch.session, over the flow it registered from.
// It relays 180, the first 200 (ACKed by the switch, the other branches CANCELled with
// Reason: SIP;cause=200;text="answered elsewhere"), failures (best of the branches) and its own
// invitation timer (CANCEL with Reason: SIP;cause=408, 408 to the initiator); then in-dialog
// MESSAGE (stamped, sequenced, stored in the transcript before the 200), BYE and re-INVITE leg to
// leg. The decisions are Session's (session.hpp, sans-I/O); this class carries them out.
//
// A session to a queue (start_queued, b2bua_queue.cpp) has no target at first: the QueuePort
// offers it to one agent at a time. While it waits the initiator gets 182 Queued with its place
// in line (the reason phrase's first number), again whenever the place changes and every
// minute (RFC 3261 §13.3.1.1); an agent's decline or no-answer (the queue's no_answer_s, then
// CANCEL with Reason: SIP;cause=408) means the next agent; the queue's wait limit sends it to the
// overflow target, or ends it with 480 and Reason: SIP;cause=480;text="no agent available".
//
// The stamp: the switch answers each MESSAGE of a session 200 with
//   Imswitch-Stamp: 2026-12-03T08:15:02.123Z;seq=3
// (switch time, UTC, ms; the session's sequence number) and puts the same header into the
// MESSAGE it relays, so both sides show the same time and order. The INVITE's first message is
// seq 1; the relayed INVITE and the 200 to the initiator carry its stamp. Both legs also carry
// Imswitch-Session: <session id>.
//
// Stock clients (PRODUCT §4b, b2bua_bridge.cpp, decisions in bridge.hpp): with a BridgeIndex set
// (set_bridge), a target's devices registered without +imswitch.session are not INVITEd but
// get the invitation as a MESSAGE; the first reply accepts, and the session runs on with that
// leg as pager MESSAGEs. A stock client writing to a queue opens a session (start_bridged)
// whose initiator leg is such a device. The pager MESSAGEs of those devices come in through
// on_plain_message.
//
// Owner: SwitchTu. Strand: the stack's; store completions are posted there.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "common/sip/message.hpp"
#include "common/stack/stack.hpp"
#include "common/transport/types.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/key.hpp"
#include "switch/directory/directory.hpp"
#include "switch/im/body.hpp"
#include "switch/im/bridge.hpp"
#include "switch/im/bridge_index.hpp"
#include "switch/im/live_sessions.hpp"
#include "switch/im/queue_port.hpp"
#include "switch/im/session.hpp"
#include "switch/store/records.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::im {

inline constexpr std::string_view kStampHeader = "Imswitch-Stamp";
inline constexpr std::string_view kSessionHeader = "Imswitch-Session";
inline constexpr std::string_view kAssertedIdentity = "P-Asserted-Identity";  // RFC 3325

struct ImSettings {
  std::chrono::milliseconds invite_timeout{30000};  // im.invite_timeout_s
  std::size_t max_sessions = 10000;                 // im.max_sessions
  std::size_t udp_size_limit = 1300;                // proxy.udp_size_limit (RFC 3428 §6)
  // An ended session keeps its dialogs this long, to answer a crossing BYE 200 and absorb late
  // responses (64*T1 by default).
  std::chrono::milliseconds linger{32000};
};

struct ImCounters {
  std::uint64_t started = 0;    // sessions that sent INVITEs to the target
  std::uint64_t connected = 0;  // sessions a target accepted
  std::uint64_t refused = 0;    // INVITEs answered 4xx/5xx before any branch was tried
  std::uint64_t queued = 0;     // sessions to a queue
  std::uint64_t offers = 0;     // offers of queued sessions to an agent
  std::uint64_t messages = 0;   // in-dialog MESSAGEs stored and relayed
  std::uint64_t bridged = 0;    // MESSAGEs from stock clients' devices taken by a session
  std::uint64_t store_errors = 0;
  std::array<std::uint64_t, kEndReasons> ended{};  // sessions ended, by EndReason
};

struct PlainPeer;  // live.hpp

// Where a stock client's lines that no agent took are kept (ImB2bua::set_unplaced).
struct Unplaced {
  std::string recipient;  // a queue's number or an agent's login
  bool queue = true;
};

class ImB2bua {
 public:
  // The registered contacts of a login, best first.
  using Locator = std::function<std::vector<store::Binding>(std::string_view login)>;
  // "host:port" of this switch for a request leaving over `protocol` toward `to` (§18.1.1).
  using SentBy = std::function<std::string(transport::Protocol protocol,
                                           const transport::Endpoint& to)>;
  // Unix epoch ms: the stamps' clock.
  using Clock = std::function<std::int64_t()>;

  // `live` counts the sessions of every core (the limits are the switch's); it outlives this.
  ImB2bua(boost::asio::any_io_executor strand, stack::Stack& stack, store::Store& store,
          LiveSessions& live, Locator locator, SentBy sent_by, Clock clock, ImSettings settings);
  ~ImB2bua();
  ImB2bua(const ImB2bua&) = delete;
  ImB2bua& operator=(const ImB2bua&) = delete;

  // Opens a session for `invite` (server transaction `server`) from `initiator` to `target`,
  // whose IM capacity is `target_capacity`. Answers 100 at once, then 180/200/failure as the
  // target's devices do; or 415 (no usable first message), 480 (no capable contact), 486 (the
  // target is at capacity), 503 (the switch is at im.max_sessions).
  void start(const txn::Key& server, sip::Message invite, const transport::Origin& origin,
             std::string initiator, std::string target, unsigned target_capacity);

  // Opens a session for `invite` from `initiator` to `queue` (reached from the Request-URI,
  // maybe through routing points; `facts` are kept for its overflow's routing points). Answers
  // 100 at once, then 182 Queued while it waits, 180/200 once an agent's device rings and
  // accepts; or 415, 480 (no agent in time, no overflow), 486 (queue full, no overflow), 503.
  // Needs a queue port (set_queue_port): without one it answers 480.
  void start_queued(const txn::Key& server, sip::Message invite, const transport::Origin& origin,
                    std::string initiator, QueueTerms queue, routing::Facts facts);
  // The queues' part of the work, on this core's strand: an agent was reserved for one of this
  // core's sessions, or its place in line changed.
  void on_offer(const routing::Offer& offer);
  void on_position(const routing::PositionChange& change);
  // Its queue is gone (a reload removed it): the session ends with 480.
  void on_dropped(const std::string& interaction);
  // The port outlives this B2BUA; nullptr (the default) turns queues off.
  void set_queue_port(QueuePort* port) { queues_ = port; }

  // ---- the pager bridge (b2bua_bridge.cpp) ----------------------------------------------------
  // Answers a request the caller received (on whichever core: the caller posts it home).
  using Reply = std::function<void(sip::Message response)>;
  // The name people see for a login (the directory's display name).
  using NameOf = std::function<std::string(std::string_view login)>;
  // Turns the bridge on: this core is `core` in `index` (shared by every core, outlives this).
  void set_bridge(BridgeIndex* index, std::size_t core, BridgeSettings settings, NameOf names);
  // What a stock client wrote (its opening line and those held after it) when its session
  // ended without an agent: the application keeps them for the queue (or the agent a routing
  // point named) as pager messages, since the client was told they were taken (202).
  using KeepUnplaced = std::function<void(const std::string& sender, const Unplaced& where,
                                          std::vector<sip::Message> lines)>;
  void set_unplaced(KeepUnplaced fn) { unplaced_ = std::move(fn); }
  // A MESSAGE outside any dialog from a device of `sender` that is not session-capable, which
  // the BridgeIndex leads to session `session` of this core. False when the session has no use
  // for it (gone, or not this device's): the caller relays it as a pager message.
  bool on_plain_message(const std::string& session, const sip::Message& request,
                        const transport::Origin& origin, const std::string& sender, Reply reply);
  // A stock client's MESSAGE to `address`, a queue (maybe through routing points): a session
  // to the queue whose initiator leg is that device. `reply` gets 202 once it is in, or 415,
  // 480, 486, 503 as start_queued refuses an INVITE.
  void start_bridged(sip::Message request, const transport::Origin& origin, std::string sender,
                     std::string address, QueueTerms queue, routing::Facts facts, Reply reply);
  // The same for a routing point that leads to an agent: a session to that agent, whose
  // devices are invited as start() does (486 when at its IM capacity, 480 with no device).
  void start_bridged(sip::Message request, const transport::Origin& origin, std::string sender,
                     std::string address, std::string agent, unsigned agent_capacity,
                     Reply reply);

  // Sessions (establishing or connected) `login` takes part in, on every core.
  std::size_t live_sessions_of(std::string_view login) const;
  std::size_t live_sessions() const;

  // Stack events. Each returns false when the message or key belongs to no session (the caller
  // answers 481 or passes it on).
  bool on_request(const txn::Key& server, const sip::Message& request,
                  const transport::Origin& origin);
  bool on_ack(const sip::Message& ack);
  bool on_cancel(const txn::Key& invite);
  bool on_response(const txn::Key& client, const sip::Message& response);
  bool on_client_failure(const txn::Key& client, txn::Failure failure);
  bool on_server_failure(const txn::Key& server, txn::Failure failure);
  bool on_stray_response(const sip::Message& response);

  // The switch stops: sessions are ended (BYE, CANCEL) and recorded as ended by shutdown.
  void stop();

  void set_settings(const ImSettings& settings) { settings_ = settings; }
  const ImCounters& counters() const { return counters_; }

 private:
  struct Live;
  // PlainRelay and PlainNotice: MESSAGEs the bridge sends to a plain device.
  enum class Purpose : std::uint8_t { Branch, Relay, Bye, ReInvite, Cancel, PlainRelay, PlainNotice };
  struct ClientRef {
    std::string session;
    Purpose purpose = Purpose::Bye;
    std::size_t branch = 0;  // Purpose::Branch: which device
    Side side = Side::Initiator;  // Relay, ReInvite, Bye: the leg the request went to
  };
  struct LegRef {
    std::string session;
    Side side = Side::Initiator;
  };

  Live* find(const std::string& id);
  // The steps of a new session, direct or queued.
  // A stock client's opening MESSAGE taken in (start_bridged): 202, unless already answered.
  void accept_opening(const std::string& id);
  // A stock client's opening MESSAGE refused (start_bridged): counted, logged, answered.
  void refuse_opening(const sip::Message& request, const std::string& who, int status,
                      std::string_view reason, std::string_view why, const Reply& reply);
  void refuse(const txn::Key& server, const sip::Message& invite, int status,
              std::string_view reason, std::string_view why, std::string_view who);
  // `plain`: the initiator is a stock client's device (its opening MESSAGE as `invite`).
  Live* open(const txn::Key& server, sip::Message invite, const transport::Origin& origin,
             std::string initiator, Session core, const std::string& to_tag, bool plain = false);
  void record_start(Live& s, std::string target, const FirstMessage& first);
  // The devices of a target a session goes to: the session-capable ones, and with the bridge on
  // the plain ones too.
  std::vector<store::Binding> session_devices(const std::vector<store::Binding>& bindings) const;
  // INVITEs for the devices among `contacts` (from session_devices), appended to s.branches
  // (an invitation MESSAGE for a plain one): how many. A device over UDP the request is too
  // large for is left out.
  std::size_t add_branches(Live& s, const std::vector<store::Binding>& contacts);
  // Sends the INVITEs of branches [first, end); those that cannot be sent fail with 503.
  void send_branches(Live& s, std::size_t first);
  // Queued sessions (b2bua_queue.cpp).
  void enter_queue(Live& s, QueueTerms terms);
  void offer_to(Live& s, const std::string& agent, std::chrono::milliseconds timeout);
  void on_offer_ended(Live& s, const OfferEnded& e);
  void on_wait_limit(const std::string& id);
  void overflow(Live& s);
  void send_queued(Live& s, std::size_t position);
  void arm_keepalive(Live& s);
  void on_queued_answer(Live& s);
  static std::string agent_uri(const Live& s, std::string_view login);
  void on_queued_end(Live& s);
  // The current offer's outcome into the session's record of offers.
  void record_offer(Live& s, std::string_view outcome);
  void run(Live& s, const Actions& actions);
  void act(Live& s, const Action& action);
  void answer_initiator(Live& s, const AnswerInitiator& a);
  void cancel_branch(Live& s, const CancelBranch& c);
  void send_bye(Live& s, Side to);
  void on_ended(Live& s, const SessionEnded& e);
  void uncount(Live& s);
  void arm_invite_timer(Live& s, std::chrono::milliseconds after);
  // Sends an in-dialog request (built by the leg's Dialog, no Via yet) to a leg in a new client
  // transaction remembered for `purpose`.
  std::optional<txn::Key> send_in_dialog(Live& s, Side to, sip::Message request, Purpose purpose);
  void answer(const txn::Key& server, const sip::Message& request, int status,
              std::string_view reason = {}, std::string_view to_tag = {});
  // `reply` answers the MESSAGE; empty when it was answered already (a held one).
  void relay_message(Live& s, Side from, const sip::Message& request, Reply reply);
  // A BYE held back by Live::bye_must_wait() takes effect once nothing holds it any more.
  void bye_when_settled(Live& s);
  // Sends a relayed MESSAGE to a leg (LegState::relays: one at a time); and when its answer
  // came (or its failure), the next. relay_answered may end the session: find it again.
  void send_relay(Live& s, Side to, sip::Message relay);
  void relay_answered(Live& s, Side to);
  // Once a relayed MESSAGE is in the transcript (or failed to get there): its answer, then the
  // MESSAGE on the other leg.
  void relay_stored(const std::string& id, Side from, const Reply& reply, const Stamp& stamp,
                    const sip::Message& request, const Result<void>& stored);
  Reply reply_to(const txn::Key& server);
  // The pager bridge's part (b2bua_bridge.cpp).
  bool add_plain_branch(Live& s, const store::Binding& device);
  // false when it could not be sent.
  bool send_plain(Live& s, const PlainPeer& peer, const stack::Destination& to, std::string text,
                  std::optional<Stamp> stamp, Purpose purpose, Side side);
  void relay_to_plain(Live& s, Side to, const Stamp& stamp, const sip::Message& request);
  void notify_plain_branch(Live& s, std::size_t branch, std::string_view reason);
  void accept_plain_branch(Live& s, std::size_t branch, bool late);
  void answer_plain_initiator(Live& s, const AnswerInitiator& a);
  void end_plain_leg(Live& s, Side to);
  void arm_idle(Live& s);
  // Keys of the invited devices that lost (a capable device won), or every key once it ended.
  void release_bridge_keys(Live& s, bool ended);
  std::string name_of(std::string_view login) const;
  void relay_reinvite(Live& s, Side from, const txn::Key& server, const sip::Message& request);
  void on_branch_response(Live& s, std::size_t branch, const sip::Message& response);
  void on_reinvite_response(Live& s, const sip::Message& response);
  void on_reinvite_failure(Live& s, int status);
  // ACKs a 2xx of a branch (§13.2.2.4); the winner's dialog becomes the target leg, any other
  // is ended at once with BYE.
  void ack_branch(Live& s, std::size_t branch, bool bye);
  void forget(const std::string& id);
  std::string contact_for(transport::Protocol protocol, const transport::Endpoint& to) const;
  sip::Message with_via(sip::Message request, const stack::Destination& to) const;
  void remember(Live& s, const txn::Key& key, ClientRef ref);

  boost::asio::any_io_executor strand_;
  stack::Stack* stack_;
  store::Store* store_;
  LiveSessions* live_;  // every core's sessions
  QueuePort* queues_ = nullptr;
  Locator locator_;
  SentBy sent_by_;
  Clock clock_;
  ImSettings settings_;
  ImCounters counters_;
  std::unordered_map<std::string, std::unique_ptr<Live>> sessions_;
  std::unordered_map<txn::Key, std::string, txn::KeyHash> by_server_invite_;
  std::unordered_map<txn::Key, ClientRef, txn::KeyHash> by_client_;
  std::unordered_map<std::string, LegRef> by_dialog_;  // "call-id local-tag" -> leg
  BridgeIndex* bridges_ = nullptr;  // the pager bridge, when on
  std::size_t core_ = 0;
  BridgeSettings bridge_;
  NameOf names_;
  KeepUnplaced unplaced_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards timer and store callbacks
};

}  // namespace ims::sw::im
