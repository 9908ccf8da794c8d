#pragma once
// AgentCore: the agent's SIP core behind Agent and ImSession (internal to client/). It is the
// stack's TransactionUser: it owns the Stack, the registration, the pending client requests
// (answering 401/407 challenges with credentials and a new CSeq, RFC 3261 §22.2-§22.3), the
// dispatch of incoming requests (pager MESSAGE, INVITE, in-dialog requests, 481 for unknown
// dialogs) and the posting of events to the application.
//
// Owner: Agent (shared_ptr, so that sessions and posted events can hold weak references).
// Strand: the agent's executor; everything here runs on it.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/agent.hpp"
#include "client/digest_client.hpp"
#include "common/stack/stack.hpp"
#include "common/stack/transaction_user.hpp"

namespace ims::client::detail {

using RequestId = std::uint64_t;

// A request the core sends and follows to its final answer.
struct Outgoing {
  // Builds the request afresh for each attempt (a retry after a challenge carries a new CSeq):
  // without Via and without credentials, which the core adds.
  std::function<sip::Message()> build;
  std::function<void(const sip::Message& provisional)> on_provisional;
  // The final response (challenges already answered), or NoAnswer / TransportFailed; `sent` is
  // the last request as it went out (Via included).
  std::function<void(Result<sip::Message> final, const sip::Message& sent)> on_final;
};

class AgentCore final : public stack::TransactionUser,
                        public std::enable_shared_from_this<AgentCore> {
 public:
  AgentCore(boost::asio::any_io_executor executor, AgentOptions options, AgentEvents& events);
  ~AgentCore();

  Result<void> open();  // binds the listener
  void close();
  bool closed() const { return closed_; }
  std::uint64_t retransmissions() const {
    return stack_ ? stack_->counters().retransmissions_sent : 0;
  }

  const AgentOptions& options() const { return options_; }
  const std::string& login() const { return options_.login; }
  const std::string& domain() const { return domain_; }
  std::string aor() const;
  std::string uri_of(std::string_view user) const;     // sip:<user>@<domain>
  std::string from_value(std::string_view tag) const;  // "Name" <sip:login@domain>;tag=...
  std::string contact_uri() const;
  std::string contact_value() const;  // <contact_uri()>
  transport::Endpoint local_endpoint() const { return local_; }
  bool logged_in() const { return logged_in_; }

  // Registration and pager.
  void login(Agent::LoginCallback done);
  void logout(Agent::DoneCallback done);
  void send_pager(std::string_view target, std::string text, Agent::PagerCallback done);

  // Agent state by PUBLISH (presence.cpp).
  void set_agent_state(AgentState state, Agent::StateCallback done);
  std::optional<AgentState> agent_state() const { return published_; }

  // Sessions.
  std::shared_ptr<ImSession> new_session();
  std::vector<std::shared_ptr<ImSession>> sessions() const;
  void adopt(const std::shared_ptr<ImSession>& session);  // started: reachable by Call-ID
  void forget(const ImSession& session);

  // What sessions use.
  Result<RequestId> send(Outgoing outgoing);
  Result<void> cancel(RequestId id);  // CANCEL the pending INVITE id (§9.1)
  Result<void> respond(const txn::Key& server, sip::Message response);
  // The ACK of a 2xx (no transaction): Via added, sent statelessly; returns it as sent.
  sip::Message send_ack(sip::Message ack);
  void resend(const sip::Message& ack);

  // Events, posted to the executor (never called inline).
  void post_state(const std::shared_ptr<ImSession>& s, SessionStatus status);
  void post_provisional(const std::shared_ptr<ImSession>& s, int status);
  void post_entry(const std::shared_ptr<ImSession>& s, TranscriptEntry entry);
  void post_invitation(const std::shared_ptr<ImSession>& s);
  template <class F>
  void post(F f) {
    boost::asio::post(executor_, [weak = weak_from_this(), f = std::move(f)]() mutable {
      auto self = weak.lock();
      if (self && !self->closed_) f(*self);
    });
  }

  // stack::TransactionUser
  void on_request(const txn::Key& server, sip::Message request,
                  const transport::Origin& origin) override;
  void on_ack(sip::Message ack, const transport::Origin& origin) override;
  void on_cancel(const txn::Key& invite, const sip::Message& cancel) override;
  void on_response(const txn::Key& client, sip::Message response) override;
  void on_stray_response(sip::Message response, const transport::Origin& origin) override;
  void on_client_failure(const txn::Key& client, txn::Failure failure) override;
  void on_server_failure(const txn::Key& server, txn::Failure failure) override;

 private:
  struct Pending {
    Outgoing out;
    sip::Message sent;
    txn::Key key;
    int challenges = 0;
  };

  stack::Destination server() const;
  std::string via_value() const;
  void add_credentials(sip::Message& request);
  Result<txn::Key> transmit(RequestId id, Pending& p);
  void finish(RequestId id, Result<sip::Message> final);
  // "cannot reach <server>", with the reason the connection could not be set up when there is
  // one (e.g. the server's certificate failed the check).
  std::string cannot_reach() const;
  std::shared_ptr<ImSession> session_of(std::string_view call_id) const;

  void send_register(std::chrono::seconds expires, std::function<void(Result<sip::Message>)> done);
  void on_register_final(Result<sip::Message> final, bool logging_out);
  std::chrono::seconds granted_expires(const sip::Message& ok) const;
  void schedule_refresh(std::chrono::seconds expires);
  void on_pager_request(const txn::Key& server, const sip::Message& request);

  // One PUBLISH to make: a state to publish, or (nullopt) a refresh of the live publication.
  struct PublishJob {
    std::optional<AgentState> state;
    Agent::StateCallback done;
    int retries = 0;  // after a 412 or a 423
  };
  void publish_next();
  void send_publish(PublishJob job);
  void on_publish_final(Result<sip::Message> final, PublishJob job);
  void publication_lost();
  void schedule_publish_refresh(std::chrono::seconds after);
  void on_invite(const txn::Key& server, const sip::Message& request);
  void answer(const txn::Key& server, const sip::Message& request, int status,
              std::string_view reason = {});

  boost::asio::any_io_executor executor_;
  AgentOptions options_;
  AgentEvents* events_;
  std::string domain_;
  transport::Endpoint server_;
  transport::Endpoint local_;
  std::string local_name_;  // host in Via and Contact: local_'s address, or a random .invalid
  std::unique_ptr<stack::Stack> stack_;
  bool closed_ = false;

  DigestState www_;    // 401 challenges (REGISTER)
  DigestState proxy_;  // 407 challenges (MESSAGE, INVITE)
  RequestId last_request_ = 0;
  std::unordered_map<RequestId, Pending> pending_;
  std::unordered_map<txn::Key, RequestId, txn::KeyHash> by_key_;

  // Registration
  std::string reg_call_id_;
  std::string reg_tag_;
  std::uint32_t reg_cseq_ = 0;
  std::chrono::seconds register_expires_{0};  // asked for; raised by a 423's Min-Expires
  bool logged_in_ = false;
  bool logging_out_ = false;
  std::vector<Agent::LoginCallback> login_waiters_;
  bool registering_ = false;  // a REGISTER (login or refresh) is out
  std::vector<Agent::DoneCallback> logout_waiters_;
  boost::asio::steady_timer refresh_timer_;
  std::uint64_t refresh_generation_ = 0;

  std::vector<std::shared_ptr<ImSession>> sessions_;  // creation order, until done()

  // Agent state (RFC 3903 §4): one PUBLISH out at a time, the others wait in order.
  std::string pub_call_id_;
  std::string pub_tag_;
  std::uint32_t pub_cseq_ = 0;
  std::chrono::seconds publish_expires_{0};  // asked for; raised by a 423's Min-Expires
  std::string etag_;                         // SIP-ETag of the live publication, "" for none
  std::optional<AgentState> published_;      // what the switch last accepted
  std::chrono::steady_clock::time_point publication_ends_{};
  std::deque<PublishJob> publish_jobs_;
  bool publishing_ = false;
  boost::asio::steady_timer publish_timer_;
  std::uint64_t publish_generation_ = 0;
};

}  // namespace ims::client::detail
