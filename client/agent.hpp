#pragma once
// Agent: one agent's device on an imswitch, for applications such as imtool (no GUI, no console
// I/O). It connects over UDP or TCP, logs in with REGISTER and digest authentication (RFC 3261
// §10, §22; SHA-256 preferred over MD5, RFC 8760), refreshes the registration before it expires
// and logs out; its Contact carries +imswitch.session so the switch offers it IM sessions. It
// sends and receives pager MESSAGEs (RFC 3428), opens and answers IM sessions (ImSession), and
// sets the agent's state for the IM channel, Ready or Not Ready, with PUBLISH (RFC 3903).
//
// Threading: the executor given to create() is the agent's one strand (STYLE rule 6): every
// socket, timer and SIP transaction runs there, every public call (Agent's and ImSession's) is
// made there, and every AgentEvents callback and completion is posted there (never called from
// inside the public call). An application with a multi-threaded io_context passes a strand.
//
// Owner: the application (unique_ptr). Destroying it, or close(), stops everything at once: no
// event or completion follows; sessions still held answer ClientErrc::Closed.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "client/im_session.hpp"
#include "client/interaction.hpp"
#include "client/presence.hpp"
#include "common/stack/stack.hpp"
#include "common/transport/types.hpp"
#include "common/util/result.hpp"

namespace ims::client {

namespace detail {
class AgentCore;
}

// The SIP stack of one agent: room for its own few transactions from the start, and no table of
// responses by status (a switch's /metrics); a load generator runs thousands of agents.
inline stack::Options agent_stack_options() {
  stack::Options o;
  o.txn.reserve = 64;
  o.count_by_method = false;
  o.timer_slots = 64;
  return o;
}

struct AgentOptions {
  std::string server_host = "127.0.0.1";  // an IP literal (no DNS)
  std::uint16_t server_port = 5060;
  // UDP and TCP: the agent listens on local_host:local_port too. TLS, WS and WSS: it reaches
  // the switch and is reached over the one connection it opens, as a browser does (RFC 7118
  // §5, RFC 5626), and names itself with a random `.invalid` host in Via and Contact.
  transport::Protocol transport = transport::Protocol::Udp;
  // TLS and WSS: the CA certificates (PEM) the switch's certificate must chain to; empty: the
  // system's. The certificate must name server_host (or tls_server_name when set).
  std::string tls_ca_file;
  std::string tls_server_name;
  bool tls_verify = true;  // false only for tests of the TLS layer itself
  std::string domain;  // the SIP domain and digest realm's host; "" = server_host
  std::string login;
  std::string password;
  std::string display_name;
  std::string local_host = "127.0.0.1";  // where the agent listens (IP literal)
  std::uint16_t local_port = 0;          // 0: any free port
  std::chrono::seconds expires{600};     // asked for in REGISTER; the switch may shorten it
  stack::Options stack = agent_stack_options();  // transport limits, SIP timers (T1, T2 ...)
  // Asked for in PUBLISH (RFC 3903 §4.2); the switch may shorten it.
  std::chrono::seconds publish_expires{3600};
};

// A pager MESSAGE that reached this device.
struct PagerMessage {
  std::string from;  // the sender's login
  std::string to;    // the addressee's login (ours, or the target when a copy)
  std::string text;  // the body, when it is text (text/plain or message/cpim)
  std::string content_type;
  std::string body;  // as received
  // Imswitch-Copy: sent: a copy of a message we sent from another device.
  bool copy = false;
};

// What the agent tells the application, on the agent's executor. Every function has an empty
// default, so an application overrides what it shows.
class AgentEvents {
 public:
  virtual ~AgentEvents() = default;
  // The registration holds for `expires` (also after each refresh).
  virtual void on_logged_in(std::chrono::seconds /*expires*/) {}
  // Login or a refresh failed; reason.message says why in words ("wrong login or password").
  virtual void on_login_failed(const Error& /*reason*/) {}
  virtual void on_logged_out() {}
  virtual void on_pager_message(const PagerMessage& /*message*/) {}
  // Someone invites us to an IM session: session->peer(), first_text(), case_data().
  virtual void on_invitation(const std::shared_ptr<ImSession>& /*session*/) {}
  virtual void on_session_state(const std::shared_ptr<ImSession>& /*session*/,
                                const SessionStatus& /*status*/) {}
  // A provisional answer to our invitation (180 Ringing: the target's device was offered it;
  // 182: queued, which also changes the state). The state does not change for a 180.
  virtual void on_session_provisional(const std::shared_ptr<ImSession>& /*session*/,
                                      int /*status*/) {}
  virtual void on_transcript_entry(const std::shared_ptr<ImSession>& /*session*/,
                                   const TranscriptEntry& /*entry*/) {}
  // The agent's state on the switch changed, as far as the agent knows: a set_ready() or
  // set_not_ready() was accepted, or the publication was lost (nullopt: the switch's configured
  // default applies).
  virtual void on_agent_state(const std::optional<AgentState>& /*state*/) {}
};

class Agent {
 public:
  using LoginCallback = std::function<void(Result<std::chrono::seconds>)>;
  using DoneCallback = std::function<void(Result<void>)>;
  // The switch's final status for a pager MESSAGE: 200 (delivered) or 202 (stored).
  using PagerCallback = std::function<void(Result<int>)>;
  // The state the switch accepted, or why it did not.
  using StateCallback = std::function<void(Result<AgentState>)>;

  // Binds the agent's socket (local_host:local_port, the chosen transport). Call on the executor
  // or before it runs. events must outlive the agent. Fails for options that cannot work (no
  // login, a host that is not an IP literal) or a socket that cannot be bound.
  static Result<std::unique_ptr<Agent>> create(boost::asio::any_io_executor executor,
                                               AgentOptions options, AgentEvents& events);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  const AgentOptions& options() const;
  std::string aor() const;                     // sip:<login>@<domain>
  transport::Endpoint local_endpoint() const;  // the bound address and port
  bool logged_in() const;
  // Requests and responses this agent's SIP stack sent again on a timer (RFC 3261 §17: Timer A,
  // E, G and the 2xx to INVITE), since it was created: a measure of loss or of a slow switch.
  std::uint64_t retransmissions() const;

  // REGISTER with digest; done (optional) and on_logged_in / on_login_failed tell the outcome.
  // Once logged in, the agent refreshes at half the granted time until logout().
  void login(LoginCallback done = {});
  // REGISTER with Expires: 0 for this device's contact; then on_logged_out.
  void logout(DoneCallback done = {});
  // A pager MESSAGE (text/plain) to sip:<target>@<domain>, answering a 407 with credentials.
  void send_pager(std::string_view target, std::string text, PagerCallback done = {});

  // The agent's state for the IM channel (PRODUCT §2): a PUBLISH of presence to the agent's own
  // address with a PIDF body (open; closed with the reason as note), answering a 407. The first
  // one is an initial publication, later ones modify it (SIP-If-Match with the SIP-ETag the
  // switch gave). The publication is refreshed at half its granted time until close(), and
  // published again if the switch no longer knows it (412). Calls made while a PUBLISH is out
  // are sent in order after it. done (optional) and on_agent_state tell the outcome.
  void set_ready(StateCallback done = {});
  void set_not_ready(std::string reason, StateCallback done = {});
  // The state the switch last accepted; nullopt before any (the switch's default applies).
  std::optional<AgentState> agent_state() const;

  // A new session, NotConnected, for start().
  std::shared_ptr<ImSession> new_session();
  // A consultation about an interaction (PRODUCT §5): a new session started to `target` with
  // the first message and the interaction's case data, which the target reads but does not
  // change. The session (Establishing), or why it could not start (then nothing is kept).
  Result<std::shared_ptr<ImSession>> consult(const Interaction& from, std::string_view target,
                                             std::string first_text);
  // Sessions not yet done(), in creation order.
  std::vector<std::shared_ptr<ImSession>> sessions() const;

  // Stops at once: sockets closed, timers cancelled, no event follows. Idempotent.
  void close();

 private:
  explicit Agent(std::shared_ptr<detail::AgentCore> core);
  std::shared_ptr<detail::AgentCore> core_;
};

}  // namespace ims::client
