#pragma once
// SwitchTu: imswitch's transaction user, the SIP core of the switch. It routes each new request
// to what handles it:
//   REGISTER          -> the registrar (digest 401, bindings, store), register.cpp
//   MESSAGE (no tag)  -> pager relay through the stateful proxy (digest 407), message.cpp; from
//                        a stock client's device, maybe a session's (the pager bridge,
//                        bridge_messages.cpp, PRODUCT §4b)
//   INVITE (no tag)   -> an IM session through the B2BUA (digest 407), invite.cpp
//   PUBLISH           -> the agent's state for the IM channel (RFC 3903, digest 407), publish.cpp
//   SUBSCRIBE         -> watching an agent's state (RFC 6665 presence, digest 407), in and out of
//                        its dialog: the core's PresenceNotifier, subscribe.cpp
//   requests in an IM session's dialog (MESSAGE, BYE, re-INVITE), ACK, CANCEL of its INVITE
//                     -> the B2BUA (switch/im)
//   everything else   -> the fixed answers of responder.hpp (OPTIONS 200, 405, 501, 481 ...)
// and hands client-transaction events to whichever of the B2BUA and the proxy sent the request. It owns the registrar's binding table, the
// authenticator and the pager proxy; the directory is shared and swapped on reload.
//
// Several SIP cores (sip.threads) each run a SwitchTu with a Stack of their own; what they
// share — the registrar's bindings, the nonce table, the count of live IM sessions — is in
// SharedState, behind locks. Core 0 also runs the periodic sweep and the start-up work.
//
// Owner: the Application. Strand: its core's; every method runs there.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/stack/stack.hpp"
#include "common/stack/transaction_user.hpp"
#include "common/util/guarded.hpp"
#include "switch/agents/publications.hpp"
#include "switch/agents/subscriptions.hpp"
#include "switch/config/config.hpp"
#include "switch/app/authn.hpp"
#include "switch/app/queue_desk.hpp"
#include "switch/app/source_limit.hpp"
#include "switch/app/subscribe.hpp"
#include "switch/directory/directory.hpp"
#include "switch/im/b2bua.hpp"
#include "switch/im/live_sessions.hpp"
#include "switch/proxy/pager.hpp"
#include "switch/registrar/binding_table.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::app {

struct TuSettings {
  registrar::Settings registrar;
  proxy::PagerSettings pager;
  im::ImSettings im;
  im::BridgeSettings bridge;  // im.bridge_* (bridge_settings below)
  agents::SubscribeSettings subscribe;  // im.subscribe_*, im.max_subscriptions*
  // auth.md5_only_user_agents (lowercase patterns): clients offered a single MD5 challenge.
  std::vector<std::string> md5_only_user_agents;
  // sip.overload.unauthenticated_*: the per-source limit on requests without valid credentials.
  SourceLimitSettings source_limit;
  // How often expired registrations and stored messages are swept.
  std::chrono::milliseconds sweep_interval{30000};
};

class SwitchTu;

// What the TUs of all cores share. Every member is thread-safe.
struct SharedState {
  explicit SharedState(auth::Verifier digest)
      : verifier(std::make_shared<auth::Verifier>(std::move(digest))) {}

  std::shared_ptr<auth::Verifier> verifier;  // one nonce table: a nonce is good on every core
  util::Guarded<registrar::BindingTable> bindings;
  im::LiveSessions im_sessions;
  // Which session a stock client's MESSAGE belongs to, on whichever core it is (PRODUCT §4b).
  im::BridgeIndex bridges;
  // Set by the application (with one core too): runs fn later on core `core`'s TU, on its
  // strand. Stored messages of a login are delivered by one core only (hash of the login); the
  // HTTP API sets agents' states on core 0.
  std::function<void(std::size_t core, std::function<void(SwitchTu&)> fn)> on_core;
  std::size_t cores = 1;
  // Agents' states for the IM channel, as published (PRODUCT §2, RFC 3903).
  util::Guarded<agents::Publications> presence;
  // Set by the application (before start): told of every change of an agent's effective state,
  // by PUBLISH, by the HTTP API or by expiry, on the strand of the core that made it (any
  // core), never under a lock.
  std::function<void(const std::string& login, agents::Presence presence,
                     const std::string& reason)>
      on_presence;
  // The queues and the agents' availability for them (set by the application).
  std::unique_ptr<QueueDesk> queues;
  // Presence subscriptions held, per watcher and in all (RFC 6665; subscribe.hpp).
  util::Guarded<agents::SubscriptionQuota> subscriptions;
  // Set by the application: the state of `login` may have changed (its chosen state, its
  // registrations); every core's watchers of it are told (posted). Any thread.
  std::function<void(const std::string& login)> on_watched;
};

struct TuCounters {
  std::uint64_t answered = 0;       // final responses from the switch itself
  std::uint64_t registrations = 0;  // REGISTERs answered 200
};

class SwitchTu final : public stack::TransactionUser {
 public:
  // Core `core` (0 .. shared.cores - 1); `shared` outlives every TU.
  SwitchTu(boost::asio::any_io_executor strand, store::Store& store,
           std::shared_ptr<const directory::Directory> directory, SharedState& shared,
           TuSettings settings, std::size_t core = 0);
  ~SwitchTu();

  // The stack is built with this TU, so it is attached after construction. Creates the proxy.
  void attach(stack::Stack& stack);
  // Start-up (core 0): the registrations the store kept. Returns how many.
  Result<std::size_t> load_bindings();
  // Start-up (core 0): the presence settings (im.*) and the publications the store kept.
  // Returns how many.
  Result<std::size_t> load_publications(const agents::PublishSettings& settings);
  // Starts the periodic sweep; stop() ends it (and every timer of the proxy).
  void start();
  void stop();

  // SIGHUP: a new directory. Registrations and stored messages are kept; a binding of a login
  // that is gone simply stops being reachable.
  void set_directory(std::shared_ptr<const directory::Directory> directory);
  const directory::Directory& directory() const { return *directory_; }

  // stack::TransactionUser
  void on_request(const txn::Key& server, sip::Message request,
                  const transport::Origin& origin) override;
  void on_ack(sip::Message ack, const transport::Origin& origin) override;
  void on_cancel(const txn::Key& invite, const sip::Message& cancel) override;
  void on_response(const txn::Key& client, sip::Message response) override;
  void on_stray_response(sip::Message response, const transport::Origin& origin) override;
  void on_client_failure(const txn::Key& client, txn::Failure failure) override;
  void on_server_failure(const txn::Key& server, txn::Failure failure) override;
  void on_flow_closed(transport::FlowId flow) override;
  bool vouches_for(const transport::Origin& origin) override;

  const TuCounters& counters() const { return counters_; }
  std::uint64_t answered() const { return counters_.answered; }
  const proxy::PagerProxy* pager() const { return pager_.get(); }
  const im::ImB2bua* im() const { return im_.get(); }
  const Authenticator& authenticator() const { return authn_; }
  const SourceLimiter& source_limiter() const { return limiter_; }
  const PresenceNotifier* notifier() const { return notifier_.get(); }
  // The state of `login` may have changed: this core's subscriptions to it are notified.
  void on_watched_change(const std::string& login) {
    if (!stopped_ && notifier_) notifier_->on_state_changed(login);
  }
  // Runs fn with this core's B2BUA, unless the switch is stopping (the queues' deliveries).
  void with_im(const std::function<void(im::ImB2bua&)>& fn) {
    if (!stopped_ && im_) fn(*im_);
  }
  // The HTTP API sets an agent's state (PUT /api/v1/agents/{login}/state, publish.cpp): as a
  // PUBLISH does, under the API's own publication (agents::Publications::set_by_api), announced
  // as set by `by`. `done` here once the store has it, or failed; not at all once stopped.
  void set_state_by_api(const std::string& login, agents::AgentState state,
                        const std::string& by, std::function<void(Result<void>)> done);
  // Tells the queues whether `login` is logged in with a session-capable device now.
  void update_reachable(const std::string& login);
  // A pager message kept for a queue was given to an agent (queue_messages.cpp).
  void on_queued_message_offer(const routing::Offer& offer);

 private:
  // Routes a new request to what handles it (the table at the top of this file).
  void dispatch(const txn::Key& server, sip::Message request, const transport::Origin& origin);
  void on_register(const txn::Key& server, const sip::Message& request,
                   const transport::Origin& origin);
  void on_message(const txn::Key& server, sip::Message request, const transport::Origin& origin);
  void on_invite(const txn::Key& server, sip::Message request, const transport::Origin& origin);
  void on_publish(const txn::Key& server, sip::Message request, const transport::Origin& origin);
  // The sweep's part for publications: expired ones leave the table and the store.
  void expire_publications(std::int64_t now_ms);
  // Who may send a pager MESSAGE or open an IM session (PRODUCT §2, RFC 3261 §16.3, §22.3): an
  // authenticated local agent with the im task, speaking for itself, to a local agent with the
  // im task. The sender's login and the target, or nullopt once the refusal (or the digest
  // challenge) has been sent. `what` names the request in log lines ("MESSAGE", "IM").
  struct Admitted {
    std::string sender;
    directory::Target target;  // an agent with the im task, a queue or a routing point
  };
  std::optional<Admitted> admit(const txn::Key& server, sip::Message& request,
                                std::string_view what);
  // An admitted pager MESSAGE, as the proxy relays it: to the agent, or routed by a queue.
  void relay_admitted(const txn::Key& server, sip::Message request,
                      const transport::Origin& origin, const Admitted& admitted);
  // The pager bridge (bridge_messages.cpp): a MESSAGE from a device of the sender that is not
  // session-capable, which belongs to a session (live, or ended a moment ago) or opens one to
  // a queue. False: an ordinary pager message.
  bool bridge_message(const txn::Key& server, sip::Message& request,
                      const transport::Origin& origin, const Admitted& admitted);
  // Whether the request came from one of login's devices registered with +imswitch.session.
  bool from_session_device(const std::string& login, const transport::Origin& origin) const;
  // Answers server transaction `server` of this core from whichever core the session runs on.
  im::ImB2bua::Reply reply_home(const txn::Key& server);
  void send(const txn::Key& server, sip::Message response);
  // Whether the request is one the switch authenticates (the digest of authn.hpp): what the
  // per-source limit applies to.
  static bool needs_credentials(const sip::Message& request);
  // A request over its source's limit (source_limit.hpp): dropped over UDP, 503 otherwise.
  void shed_unauthenticated(const txn::Key& server, const sip::Message& request,
                            const transport::Origin& origin);
  // A pager MESSAGE to a queue or routing point (queue_messages.cpp): to the agent a routing
  // point leads to, to a free member of the queue, or kept in the queue's line (202).
  void route_message(const txn::Key& server, sip::Message request,
                     const transport::Origin& origin, const Admitted& admitted);
  // A message kept for `queue` (store id `id`) takes its place in the queue's line, or goes to
  // the member free now; false when the line is full.
  bool line_up_message(const std::string& queue, const std::string& sender, std::int64_t id);
  // A stock client's lines that its IM session could not place with an agent (the sender had
  // its 202): kept for the queue, or the agent, as pager messages (PRODUCT §4b: nothing is
  // lost).
  void keep_unplaced(const std::string& sender, const im::Unplaced& where,
                     std::vector<sip::Message> lines);
  // Start-up (core 0): messages the store keeps for queues take their places in line again.
  void requeue_stored_messages();
  // After a registration: the login's stored messages, delivered by the core that owns them.
  void deliver_stored(const std::string& login);
  std::vector<store::Binding> lookup(std::string_view login) const;
  void sweep();
  // "host:port" of our Via for a request leaving over protocol toward `to` (§18.1.1).
  std::string sent_by(transport::Protocol protocol, const transport::Endpoint& to);

  boost::asio::any_io_executor strand_;
  stack::Stack* stack_ = nullptr;
  store::Store* store_;
  std::shared_ptr<const directory::Directory> directory_;
  SharedState* shared_;
  std::size_t core_;
  Authenticator authn_;
  TuSettings settings_;
  SourceLimiter limiter_;
  // The limit's warning: at most one every 10 s, with the count shed meanwhile.
  std::chrono::steady_clock::time_point limit_logged_{};
  std::uint64_t limit_unlogged_ = 0;
  std::unique_ptr<proxy::PagerProxy> pager_;
  std::unique_ptr<im::ImB2bua> im_;
  std::unique_ptr<PresenceNotifier> notifier_;
  boost::asio::steady_timer sweep_timer_;
  std::unordered_map<std::string, std::string> source_address_cache_;  // peer IP -> our IP
  TuCounters counters_;
  bool stopped_ = false;
  bool started_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards store callbacks
};

// Unix epoch milliseconds (system clock): registration expiry, message stamps.
std::int64_t unix_now_ms();

// The pager bridge's settings from the im section of the config (im.bridge_idle_s,
// im.bridge_late_s), for TuSettings::bridge.
im::BridgeSettings bridge_settings(const config::Im& im);

}  // namespace ims::sw::app
