#pragma once
// PresenceNotifier: the switch as notifier of the `presence` event package (RFC 6665, RFC 3856) for
// its agents, so that SIP clients (linphone, baresip, JsSIP) show a colleague's state. One per SIP
// core, owned by its SwitchTu; the bookkeeping is agents::Subscriptions (sans-I/O), this class
// carries it out on the wire.
//
// A SUBSCRIBE to sip:<login>@<domain> with `Event: presence`:
//   foreign domain / a Route elsewhere          -> 403
//   several Event headers                       -> 400
//   no Event, or another package                -> 489 with Allow-Events: presence
//   Accept without application/pidf+xml         -> 406 with Accept: application/pidf+xml
//   no (valid) credentials                      -> 407 (digest, as for MESSAGE and PUBLISH)
//   From not the authenticated agent            -> 403
//   not an agent of the directory               -> 404 (after authentication: the directory is
//                                                  not shown to strangers)
//   Expires not a number / below the minimum    -> 400 / 423 with Min-Expires; above the maximum
//                                                  it is cut down
//   no Contact                                  -> 400
//   the watcher's or the switch's limit reached -> 403 / 503 with Retry-After
//   otherwise                                   -> 200 (RFC 6665 §4.2.1.1: 202 is deprecated) with
//                                                  Expires, a To tag and Contact: a dialog
// and at once a NOTIFY in that dialog (Subscription-State: active;expires=<left>, Event as
// subscribed, application/pidf+xml, agents::watched_pidf), then one on every change of the
// agent's state (one in flight at a time, the latest state after it). Any agent may watch any
// agent. A SUBSCRIBE with Expires: 0 outside a dialog is a fetch: 200, one NOTIFY
// `terminated;reason=timeout` with the state, no subscription.
//
// Within the dialog a SUBSCRIBE (authenticated again, by the same agent) refreshes: 200 with the
// new Expires and a NOTIFY with the current state; with Expires: 0 it ends the subscription with
// a final NOTIFY `terminated;reason=timeout` (RFC 6665 §4.1.2.3, §4.2.1.2). An unknown dialog is
// 481. A subscription not refreshed in time ends the same way; one whose NOTIFY is answered
// with an error (481 among them) or not at all ends at once, with no NOTIFY (RFC 6665 §4.2.2);
// so does one whose connection closes (nothing can reach it any more). An agent removed from the
// directory by a reload ends its watchers' subscriptions (`terminated;reason=noresource`), and a
// watcher removed loses its own (`reason=rejected`).
//
// NOTIFYs are in-dialog requests (route set, CSeq, the SUBSCRIBE's Contact as Request-URI) sent
// the way the last SUBSCRIBE came: its transport, address and flow, as the B2BUA reaches its
// initiator. Subscriptions live in memory only: after a restart a refresh gets 481, and the
// client subscribes afresh.
//
// Several SIP cores: a subscription lives on the core that owns its Call-ID (every message of its
// dialog, NOTIFY responses included, comes there); a change of state made on any core reaches
// every core through SwitchTu::on_watched_change (posted), and each core notifies its own
// subscriptions, reading the state afresh when it does. The limits are the switch's
// (SharedState::subscriptions, one lock).
//
// Owner: SwitchTu. Strand: its core's; every method runs there.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/dialog/dialog.hpp"
#include "common/sip/message.hpp"
#include "common/stack/stack.hpp"
#include "common/transport/types.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/key.hpp"
#include "switch/agents/subscriptions.hpp"
#include "switch/app/authn.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::app {

struct SharedState;

struct NotifierCounters {
  std::uint64_t subscribed = 0;       // subscriptions created
  std::uint64_t refreshed = 0;        // in-dialog SUBSCRIBEs that extended one
  std::uint64_t refused = 0;          // SUBSCRIBEs answered 4xx/5xx (challenges not counted)
  std::uint64_t notifies = 0;         // NOTIFYs sent
  std::uint64_t notify_failures = 0;  // NOTIFYs answered with an error or not at all
  std::uint64_t expired = 0;          // subscriptions ended for want of a refresh
};

class PresenceNotifier {
 public:
  // "host:port" of this switch for a request leaving over `protocol` toward `to` (§18.1.1).
  using SentBy =
      std::function<std::string(transport::Protocol protocol, const transport::Endpoint& to)>;
  // Answers a server transaction (the TU's send: counted, a challenge sent statelessly).
  using Respond = std::function<void(const txn::Key& server, sip::Message response)>;

  // `shared` and `authn` outlive this.
  PresenceNotifier(boost::asio::any_io_executor strand, stack::Stack& stack, SharedState& shared,
                   Authenticator& authn, std::shared_ptr<const directory::Directory> directory,
                   agents::SubscribeSettings settings, SentBy sent_by, Respond respond);
  ~PresenceNotifier();
  PresenceNotifier(const PresenceNotifier&) = delete;
  PresenceNotifier& operator=(const PresenceNotifier&) = delete;

  // Any SUBSCRIBE, outside a dialog or within one.
  void on_subscribe(const txn::Key& server, sip::Message request,
                    const transport::Origin& origin);
  // Responses and failures of client transactions: false when the key is not a NOTIFY's.
  bool on_response(const txn::Key& client, const sip::Message& response);
  bool on_client_failure(const txn::Key& client, txn::Failure failure);
  void on_flow_closed(transport::FlowId flow);
  // The state of agent `login` may have changed: its watchers on this core hear of it if so.
  void on_state_changed(const std::string& login);
  // A reload: subscriptions to or by agents that are gone end.
  void set_directory(std::shared_ptr<const directory::Directory> directory);
  // The switch stops: no more NOTIFYs, the timer is cancelled.
  void stop();

  std::size_t active() const { return table_.size(); }
  const NotifierCounters& counters() const { return counters_; }

 private:
  // What the SIP side keeps per subscription, next to the bookkeeping's record.
  struct Leg {
    dialog::Dialog dialog;
    stack::Destination to;  // where the last SUBSCRIBE came from
    std::string event;      // the Event value as subscribed, echoed in every NOTIFY
    std::string entity;     // sip:<login>@<domain>, the PIDF's entity
  };
  enum class End : std::uint8_t { Timeout, NoResource, Rejected };

  void on_refresh(const txn::Key& server, sip::Message request, const transport::Origin& origin);
  // RFC 6665 §4.2.1.1: one Event header naming the presence package. Otherwise answers 400
  // (several) or 489 with Allow-Events, and returns true.
  bool refuse_bad_event(const txn::Key& server, const sip::Message& request,
                        const std::vector<std::string_view>& events, const std::string& to_tag);
  // The duration to grant the SUBSCRIBE (its Expires within the configured bounds), or nullopt
  // once it is answered 400 (a bad Expires) or 423 with Min-Expires.
  std::optional<agents::Granted> grant(const txn::Key& server, const sip::Message& request,
                                       const std::string& to_tag);
  // 406 with Accept: application/pidf+xml, the only body a presence NOTIFY carries here
  // (RFC 3261 §21.4.7).
  void refuse_unacceptable(const txn::Key& server, const sip::Message& request,
                           const std::string& to_tag);
  // The watched agent's state now.
  agents::WatchedState state_of(const std::string& login) const;
  // A NOTIFY for subscription `id` if the bookkeeping says one is due.
  void notify(const std::string& id, bool force);
  // Sends a NOTIFY in leg's dialog; the client transaction's key is remembered for `id` ("" when
  // the answer does not matter: a final NOTIFY). False when it could not be sent.
  bool send_notify(Leg& leg, std::string_view subscription_state,
                   const agents::WatchedState& state, const std::string& id);
  // Ends subscription `id`: with a final NOTIFY naming why, or silently (nothing reaches it).
  void end(const std::string& id, End why);
  void drop(const std::string& id, std::string_view why);
  // After a removal from the table: the quota's place back, the leg forgotten.
  void forget(const agents::Subscription& s);
  void rearm();
  void on_timer();
  std::string contact_for(const transport::Origin& origin) const;
  sip::Message with_via(sip::Message request, const stack::Destination& to) const;

  boost::asio::any_io_executor strand_;
  stack::Stack* stack_;
  SharedState* shared_;
  Authenticator* authn_;
  std::shared_ptr<const directory::Directory> directory_;
  agents::SubscribeSettings settings_;
  SentBy sent_by_;
  Respond respond_;
  agents::Subscriptions table_;
  std::unordered_map<std::string, Leg> legs_;                    // by subscription id
  std::unordered_map<txn::Key, std::string, txn::KeyHash> notifies_;  // NOTIFY in flight -> id
  boost::asio::steady_timer timer_;
  std::optional<std::int64_t> armed_for_;  // the expiry the timer waits for
  NotifierCounters counters_;
  bool stopped_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards the timer's callback
};

}  // namespace ims::sw::app
