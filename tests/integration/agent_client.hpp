#pragma once
// A small SIP user agent for black-box tests of the registrar and the pager proxy: REGISTER and
// MESSAGE with digest authentication (RFC 3261 §22, RFC 7616, RFC 8760), incoming requests
// answered with a chosen status, UDP retransmissions both ways (§17.1.2, §17.2.2).
//
// Independent of the switch's code on purpose: digests are computed here with OpenSSL EVP, the
// wire is read with parse_sip() from sip_client.hpp, nothing from common/ is linked. A bug the
// switch shares with common/auth therefore shows up as a failed login, not as agreement.
//
// Owned by one test, single-threaded; every wait is a poll on the agent's socket with a deadline.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/sip_client.hpp"

namespace ims::test {

enum class Digest { Sha256, Md5 };

// Lower-case hex of MD5 or SHA-256 over data (OpenSSL EVP).
std::string hex_hash(Digest algorithm, std::string_view data);

// One WWW-Authenticate / Proxy-Authenticate value, read independently of common/auth.
struct DigestChallenge {
  std::string scheme;     // "Digest"
  std::string algorithm;  // as sent ("SHA-256", "MD5"); "" when absent (then MD5)
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string qop;  // e.g. "auth"
  bool has_opaque = false;
  bool stale = false;
};
std::optional<DigestChallenge> parse_challenge(std::string_view value);
// The challenges of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate), in order.
std::vector<DigestChallenge> challenges_of(const SipMessage& response);

// The Authorization / Proxy-Authorization value answering challenge with qop=auth.
std::string digest_credentials(Digest algorithm, const DigestChallenge& challenge,
                               std::string_view user, std::string_view password,
                               std::string_view method, std::string_view uri, std::uint32_t nc,
                               std::string_view cnonce);

// A folder under $TMPDIR removed when this goes (a store file shared by two switch runs).
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes a file in the folder and returns its path ("" on failure).
  std::string write(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

// config/imswitch.yaml with the values of some second-level keys replaced, e.g.
// {{"fork_timeout_ms", "1000"}}; "" when a key was not found.
std::string imswitch_yaml_with(
    const std::vector<std::pair<std::string_view, std::string>>& values);

struct AgentOptions {
  std::string login;
  std::string password;
  std::string domain = "127.0.0.1";  // AOR host and Request-URI host of REGISTER
  std::string transport = "udp";     // "udp" or "tcp" (one connection, kept open)
  Digest digest = Digest::Sha256;    // the challenge this agent answers
  // Answer later requests with the last nonce and an increasing nc (RFC 7616 §3.4) instead of
  // waiting for a fresh challenge each time.
  bool reuse_nonce = false;
  // The Contact URI to register instead of the socket's own address (a device behind NAT that
  // names an address nobody can reach); "" for contact_uri()'s default.
  std::string contact;
  // Register the contact with +imswitch.session, as the client library does (PRODUCT §2).
  bool session_capable = false;
};

// config/imswitch.yaml (the sample agents, realm 127.0.0.1) on UDP and TCP 127.0.0.1 port 0.
SwitchOptions im_switch_options();
// A sample agent of config/imswitch.yaml: login, password pw-<login>.
AgentOptions sample_agent(std::string login, std::string transport = "udp",
                          Digest digest = Digest::Sha256);

// A request the agent sends. Defaults: From is the agent's AOR with a tag, To is the
// Request-URI, a new Call-ID, CSeq 1.
struct AgentRequest {
  std::string method;
  std::string uri;
  std::string to;    // a name-addr or URI; default "<uri>"
  std::string from;  // a URI; default the agent's AOR
  std::vector<std::string> headers;  // extra header lines without CRLF
  std::string content_type;
  std::string body;
  // Answer one 401/407 with credentials (and reuse_nonce applies). False: send as given.
  bool authenticate = true;
  std::string call_id;  // default: unique
  // Within a dialog: the From tag and CSeq number to send (defaults: a new tag, CSeq 1).
  std::string from_tag;
  std::uint32_t cseq = 1;
};

class Agent {
 public:
  // Opens the socket (UDP) or connection (TCP) to the switch's listener of that transport.
  static std::unique_ptr<Agent> open(const SwitchProcess& sw, AgentOptions options,
                                     std::string* error);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  const std::string& login() const { return options_.login; }
  std::string aor() const;          // sip:<login>@<domain>
  std::string contact_uri() const;  // sip:<login>@127.0.0.1:<port>[;transport=tcp]
  std::string local_hostport() const;
  // The To tag of every response this agent sends: tells which device answered.
  const std::string& tag() const { return tag_; }

  // ---- requests -------------------------------------------------------------------------------
  // Sends one request and waits for its final response (1xx skipped). With authenticate, one
  // 401/407 is answered with credentials; a second one is returned. nullopt on timeout.
  std::optional<SipMessage> request(AgentRequest r, Millis timeout = 5s);
  // The same without waiting; the Call-ID to find its answer with next_final().
  std::string send(AgentRequest r);
  // The next final response to a request made with send() (challenges handled as above).
  std::optional<SipMessage> next_final(Millis timeout);
  // Requests sent and not yet finally answered.
  std::size_t outstanding() const { return pending_.size(); }
  // Forget every outstanding request (e.g. after the switch was killed).
  void abandon_outstanding() { pending_.clear(); }

  // The last 401/407 this agent received, and how many.
  const std::optional<SipMessage>& last_challenge() const { return last_challenge_; }
  int challenges_seen() const { return challenges_seen_; }
  // Final responses that matched no outstanding request (a second 2xx of a fork, ...).
  const std::vector<SipMessage>& stray_responses() const { return stray_; }
  // Provisional responses to this agent's requests, in arrival order.
  const std::vector<SipMessage>& provisional_responses() const { return provisional_; }
  // The bytes of the last request put on the wire.
  const std::string& last_sent() const { return last_sent_; }

  // REGISTER of contact_uri() with "Expires: <expires>" (none when nullopt).
  std::optional<SipMessage> register_contact(std::optional<std::uint32_t> expires = 3600,
                                             std::vector<std::string> headers = {});
  std::optional<SipMessage> unregister();      // this contact, Expires: 0
  std::optional<SipMessage> unregister_all();  // Contact: *, Expires: 0
  std::optional<SipMessage> query();           // no Contact: lists the bindings
  // A pager MESSAGE to sip:<user>@<domain> (To the same).
  std::optional<SipMessage> message(std::string_view user, std::string body,
                                    std::string content_type = "text/plain",
                                    std::vector<std::string> headers = {}, Millis timeout = 5s);
  AgentRequest message_request(std::string_view user, std::string body,
                               std::string content_type = "text/plain") const;

  // ---- incoming requests ----------------------------------------------------------------------
  // The next new request from the switch (retransmissions are absorbed: answered again with the
  // same response, or ignored while unanswered). It is answered with `status` (0: left
  // unanswered, a device that never responds). nullopt on timeout.
  std::optional<SipMessage> receive_request(Millis timeout, int status = 200);
  // Answers a request taken earlier with receive_request(timeout, 0).
  void respond(const SipMessage& request, int status);
  // Requests already received and not yet taken by receive_request().
  std::size_t waiting_requests() const { return inbox_.size(); }

 private:
  struct Pending {
    AgentRequest spec;
    std::uint32_t cseq = 1;
    std::string wire;
    std::string from_tag;
    bool challenged = false;  // credentials already sent once in answer to a challenge
    std::chrono::steady_clock::time_point next_retransmit;
    Millis interval{500};
  };
  struct Cached {  // the last challenge of one kind, for reuse_nonce
    DigestChallenge challenge;
    std::uint32_t nc = 0;
  };

  Agent() = default;
  bool udp() const { return udp_ != nullptr; }
  bool send_raw(const std::string& bytes);
  void send_to_via(const SipMessage& request, const std::string& bytes);
  std::string build(Pending& p, const std::string& credentials_line);
  std::string credentials_line(const AgentRequest& r, bool proxy, Cached& cached);
  void transmit(Pending& p, const std::string& credentials_line);
  // Reads and dispatches what arrives before deadline (or one message); false on timeout.
  bool pump(std::chrono::steady_clock::time_point deadline);
  void on_response(SipMessage m);
  void on_request(SipMessage m);
  std::string answer(const SipMessage& request, int status) const;

  AgentOptions options_;
  Listener switch_;
  std::unique_ptr<UdpClient> udp_;
  std::unique_ptr<TcpClient> tcp_;
  std::string tag_;
  std::map<std::string, Pending> pending_;  // by Call-ID
  std::deque<SipMessage> finals_;
  std::map<std::string, std::string> completed_;  // Call-ID -> To of the final response taken
  std::deque<SipMessage> inbox_;
  std::map<std::string, std::string> answered_;  // request key -> response sent ("" unanswered)
  std::optional<Cached> www_;
  std::optional<Cached> proxy_;
  std::optional<SipMessage> last_challenge_;
  int challenges_seen_ = 0;
  std::vector<SipMessage> stray_;
  std::vector<SipMessage> provisional_;
  std::string last_sent_;
};

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 3261 §20.17, RFC 1123 date in GMT).
bool is_rfc1123_date(std::string_view text);

// The status of a response, or -1 when there was none (a timeout).
inline int status_of(const std::optional<SipMessage>& response) {
  return response ? response->status : -1;
}

// Header values of a REGISTER response's Contact list, split at top-level commas.
std::vector<std::string> contact_values(const SipMessage& response);
// The expires parameter of the Contact value whose URI contains uri_part; nullopt if none.
std::optional<std::uint32_t> contact_expires(const SipMessage& response,
                                             std::string_view uri_part);

// A PIDF document (RFC 3863) with one tuple: <basic> open (Ready) or closed (Not Ready), and a
// <note> when not empty.
std::string pidf(std::string_view entity, std::string_view basic, std::string_view note = {});

// A PUBLISH of presence (RFC 3903) to the agent's own address; `etag` empty for an initial
// publication, `basic` empty for no body (a refresh or, with expires "0", a removal).
AgentRequest publish(const Agent& a, std::string_view etag, std::string_view basic,
                     std::string_view note = {}, std::string expires = "600");

// The real switch on config/imswitch.yaml with a store file that outlives it, for tests that
// restart or kill it: its log is shown when a test fails, and a passing test ends with the
// switch still serving and exiting cleanly.
class StoredSwitchTest : public ::testing::Test {
 protected:
  explicit StoredSwitchTest(std::string_view scratch_prefix) : dir_(scratch_prefix) {}
  void SetUp() override;
  void TearDown() override;
  // A sample agent of config/imswitch.yaml (password pw-<login>), its socket open.
  std::unique_ptr<Agent> agent(const std::string& login, const std::string& transport = "udp",
                               bool reuse_nonce = false);
  // SIGKILL (no chance to flush anything), then a new switch on the same store file.
  void kill_and_restart();

  ScratchDir dir_;
  SwitchOptions options_;
  std::unique_ptr<SwitchProcess> sw_;
};

}  // namespace ims::test
