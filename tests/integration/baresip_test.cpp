// A real stock client on the real binary: Debian 12's baresip 1.0 (package baresip-core) logs in
// to the shipped configuration (config/imswitch.yaml) as bob over UDP, TCP and TLS, sends and
// receives pager MESSAGEs (RFC 3428), and takes part in IM sessions through the pager bridge
// (PRODUCT §4b, docs/bridge.md): the invitation arrives as a MESSAGE, a reply accepts, "/reject"
// declines, silence runs into the invitation timer, "/end" ends; its presence module shows a
// contact's agent state (SUBSCRIBE/NOTIFY, RFC 3856). The other side is a test Agent (pager) or a
// SessionPeer (a session-capable device), both independent of the switch's code.
//
// baresip runs headless (no terminal under CI, no audio or video). Its console module (cons.so)
// listens on a loopback TCP port; the test types commands there as a user would at the keyboard
// ("/message <text>" writes to the current contact, alice) and reads what the user would see: an
// incoming MESSAGE is printed as `sip:alice@127.0.0.1: "<text>"`. (baresip 1.0's ctrl_tcp takes
// the same commands as JSON but reports no incoming MESSAGE; stdio.so wants a terminal.)
// Everything stays on 127.0.0.1: SIP (sip_listen), the console (cons_listen), the only address
// baresip uses (net_interface) and the DNS server it would ask, though nothing here needs a
// lookup. Skipped only when baresip is not installed.

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/sip_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr std::string_view kText = "text/plain;charset=UTF-8";
constexpr std::string_view kDash = "\xE2\x80\x94";  // the em dash of the invitation

// The last `n` bytes of text, for failure messages.
std::string tail_of(const std::string& text, std::size_t n = 4000) {
  return text.size() > n ? "..." + text.substr(text.size() - n) : text;
}

// A file's contents ("" when it cannot be read).
std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One baresip process logged in as bob (password pw-bob) over one transport, with alice as its
// only (so current) contact. Owned by one test, single-threaded; every wait has a deadline. The
// process dies with the test process (spawn_program), and is stopped by the destructor.
class Baresip {
 public:
  // Writes baresip's folder, starts it and waits until the switch has stored its registration
  // and its console answers. nullptr and *error when it does not come up.
  // With `presence`, its presence module subscribes to alice's state (RFC 3856).
  static std::unique_ptr<Baresip> start(SwitchProcess& sw, const std::string& transport,
                                        std::string* error, bool presence = false) {
    std::unique_ptr<Baresip> b(new Baresip());
    const auto listener = sw.find(transport);
    if (!listener) return fail(error, "the switch has no " + transport + " listener");
    const std::uint16_t console_port = free_loopback_port();
    if (console_port == 0) return fail(error, "no free loopback port for the console");
    b->write_config(sw, *listener, transport, console_port, presence);
    b->pid_ = spawn_program({"baresip", "-f", b->dir_.path(), "-s"}, b->dir_.path(), b->log_path_);
    if (b->pid_ <= 0) return fail(error, "baresip did not start");
    if (!sw.wait_for_log("REGISTER bob: 1 binding(s) now", 1, 10s)) {
      return fail(error, "no registration stored\n" + b->describe() + "--- switch log ---\n" +
                             sw.log_tail(20));
    }
    b->console_ = TcpClient::connect(Listener{"tcp", "127.0.0.1", console_port}, 2s, error);
    if (!b->console_) return fail(error, "no console: " + *error + "\n" + b->describe());
    return b;
  }
  ~Baresip() { stop(); }
  Baresip(const Baresip&) = delete;
  Baresip& operator=(const Baresip&) = delete;

  // Types a line at the console, e.g. "/contacts".
  bool type(std::string_view line) { return console_ && console_->send(std::string(line) + "\n"); }
  // Writes a MESSAGE to the current contact, alice, as a user replying to her would.
  bool message(std::string_view text) { return type("/message " + std::string(text)); }

  // Waits until the console shows an incoming MESSAGE whose text is exactly `text`, and returns
  // its line ("sip:alice@127.0.0.1: \"...\""); nullopt on timeout. Lines shown before it are
  // passed over for good: a later call finds only what came after.
  std::optional<std::string> received(std::string_view text, Millis timeout = 5s) {
    const std::string needle = ": \"" + std::string(text) + "\"\n";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto at = output_.find(needle, seen_);
      if (at != std::string::npos) {
        const auto begin = output_.find_last_of("\r\n", at);
        const auto start = begin == std::string::npos ? 0 : begin + 1;
        seen_ = at + needle.size();
        return output_.substr(start, seen_ - 1 - start);
      }
      const auto left =
          std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
      if (left <= Millis(0) || !console_) return std::nullopt;
      const std::string more = console_->receive_some(left);
      if (more.empty() && console_->peer_closed()) return std::nullopt;
      output_ += more;
    }
  }

  // What `/contacts` shows for contact `uri`: Online, Offline, Busy or Unknown (the presence of
  // a contact it subscribes to); "" when the console does not answer within timeout.
  std::string presence_of(std::string_view uri, Millis timeout = 2s) {
    if (!type("/contacts")) return {};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto head = output_.find("--- Contacts", seen_);
      const auto end = head == std::string::npos ? head : output_.find("\n\n", head);
      if (end != std::string::npos) {
        const std::string block = output_.substr(head, end - head);
        seen_ = end + 2;
        const auto at = block.find("<" + std::string(uri) + ">");
        if (at == std::string::npos) return {};
        const auto start = block.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
        const auto line = block.substr(start, at - start);
        for (const char* word : {"Online", "Offline", "Busy", "Unknown"})
          if (line.find(word) != std::string::npos) return word;
        return {};
      }
      const auto left =
          std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
      if (left <= Millis(0) || !console_) return {};
      const std::string more = console_->receive_some(left);
      if (more.empty() && console_->peer_closed()) return {};
      output_ += more;
    }
  }
  // Asks `/contacts` until it shows `status` for `uri`, within timeout (each answer is awaited).
  bool shows_presence(std::string_view uri, std::string_view status, Millis timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (presence_of(uri) == status) return true;
    }
    return false;
  }

  // Its console output and the tail of its log (with the SIP trace, -s), for failure messages.
  std::string describe() const {
    return "--- baresip console ---\n" + tail_of(output_, 2000) + "\n--- baresip log ---\n" +
           tail_of(file_text(log_path_)) + "\n";
  }

  // SIGTERM: baresip un-registers, then exits. Idempotent.
  ExitStatus stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      status_ = wait_program(pid_, 5s);
      pid_ = -1;
    }
    return status_;
  }

 private:
  Baresip() : dir_("imswitch-baresip-"), log_path_(dir_.path() + "/baresip.log") {}
  static std::unique_ptr<Baresip> fail(std::string* error, std::string why) {
    *error = std::move(why);
    return nullptr;
  }
  // No audio or video modules; menu.so (the commands) with cons.so (their console) instead of
  // the stdio UI, which wants a terminal; account.so and contact.so read the files below. The
  // account names the switch's listener as outbound proxy, so requests to sip:...@127.0.0.1 of
  // every transport go there (a contact's own ;transport= is dropped by baresip 1.0's /message).
  // For TLS, sip_cafile is the switch's self-signed certificate, as a user would configure it
  // (baresip 1.0 does not check the server's certificate: StockClientLogin's note).
  void write_config(const SwitchProcess& sw, const Listener& l, const std::string& transport,
                    std::uint16_t console_port, bool presence) {
    std::ofstream config(dir_.path() + "/config");
    config << "sip_listen 127.0.0.1:" << free_loopback_port() << "\n"
           << "net_interface 127.0.0.1\n"
           << "dns_server 127.0.0.1:53\n"
           << "module_path /usr/lib/baresip/modules\n"
           << "module menu.so\n"
           << "module cons.so\n"
           << "cons_listen 127.0.0.1:" << console_port << "\n"
           << "module account.so\n"
           << "module contact.so\n";
    if (presence) config << "module presence.so\n";
    if (transport == "tls") config << "sip_cafile " << sw.dir() << "/tls/imswitch.crt\n";
    std::ofstream(dir_.path() + "/accounts")
        << "<sip:bob@127.0.0.1;transport=" << transport << ">;auth_pass=pw-bob;outbound=\"sip:"
        << l.hostport() << ";transport=" << transport << "\";regint=600\n";
    // ;presence=p2p: the presence module subscribes to this contact.
    std::ofstream(dir_.path() + "/contacts")
        << "\"Alice\" <sip:alice@127.0.0.1>" << (presence ? ";presence=p2p" : "") << "\n";
  }

  ScratchDir dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  ExitStatus status_;
  std::unique_ptr<TcpClient> console_;
  std::string output_;  // everything the console printed so far
  std::size_t seen_ = 0;
};

// The switch on the shipped configuration (its agents alice and bob, its auth policy with
// md5_only_user_agents for "baresip v1.*") at debug level, on UDP, TCP and TLS.
class BaresipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_program("baresip"))
      GTEST_SKIP() << "baresip is not installed (apt-get install baresip-core)";
  }
  void TearDown() override {
    if (HasFailure()) {
      if (baresip_) {
        ADD_FAILURE() << baresip_->describe();
      }
      if (sw_) {
        ADD_FAILURE() << "--- switch log ---\n" << sw_->log_tail(60);
      }
    }
    if (baresip_) baresip_->stop();
    if (sw_ && !HasFailure()) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  // Starts the switch (config/imswitch.yaml, or its text with keys replaced) and baresip over
  // `transport`.
  void start(const std::string& transport,
             const std::vector<std::pair<std::string_view, std::string>>& replaced = {},
             bool presence = false) {
    SwitchOptions o;
    o.config = source_dir() + "/config/imswitch.yaml";
    if (!replaced.empty()) {
      const std::string text = imswitch_yaml_with(replaced);
      ASSERT_FALSE(text.empty());
      o.config = config_dir_.write("imswitch.yaml", text);
    }
    o.extra_args = {"--log-level", "debug"};
    o.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0", "tls:127.0.0.1:0"};
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
    baresip_ = Baresip::start(*sw_, transport, &error, presence);
    ASSERT_TRUE(baresip_) << error;
  }
  // alice on a test agent that answers every request 200 (a pager-only device).
  std::unique_ptr<Agent> pager_alice() {
    std::string error;
    auto a = Agent::open(*sw_, sample_agent("alice"), &error);
    EXPECT_TRUE(a) << error;
    if (a) {
      EXPECT_EQ(status_of(a->register_contact(600)), 200);
    }
    return a;
  }
  // alice on a session-capable device, as the client library registers it.
  std::unique_ptr<SessionPeer> session_alice() {
    std::string error;
    auto p = SessionPeer::open(*sw_, "alice", &error);
    EXPECT_TRUE(p) << error;
    if (p) {
      EXPECT_EQ(p->register_device(true), 200);
    }
    return p;
  }
  // alice opens an IM session to bob with `first`; bob's baresip shows the invitation.
  PeerDialog invite_bob(SessionPeer& alice, std::string_view first) {
    PeerDialog d = alice.invite("bob", kText, first);
    const std::string invitation = "IM from Alice Martin: " + std::string(first) + " " +
                                   std::string(kDash) + " reply to accept, /reject to decline";
    auto shown = baresip_->received(invitation);
    EXPECT_TRUE(shown) << "baresip did not show the invitation: " << invitation;
    if (shown) {
      EXPECT_EQ(shown->rfind("sip:alice@127.0.0.1: ", 0), 0u)
          << *shown << "\nfrom alice, so baresip's reply goes back to her";
    }
    return d;
  }

  ScratchDir config_dir_{"imswitch-baresip-config-"};
  std::unique_ptr<SwitchProcess> sw_;
  std::unique_ptr<Baresip> baresip_;
};

class BaresipOverEachTransport : public BaresipTest,
                                 public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    BaresipTest::SetUp();
    if (IsSkipped()) return;
    start(GetParam());
  }
};

INSTANTIATE_TEST_SUITE_P(Transports, BaresipOverEachTransport,
                         ::testing::Values("udp", "tcp", "tls"),
                         [](const auto& param_info) { return param_info.param; });

TEST_P(BaresipOverEachTransport, SendsAMessageThatArrivesWithItsText) {
  auto alice = pager_alice();
  ASSERT_TRUE(alice);
  const std::string text = "Hello from baresip over " + GetParam();
  ASSERT_TRUE(baresip_->message(text));
  auto got = alice->receive_request(5s);
  ASSERT_TRUE(got) << "nothing reached alice";
  EXPECT_EQ(got->start_line.rfind("MESSAGE ", 0), 0u) << got->start_line;
  EXPECT_EQ(got->body, text);
  EXPECT_NE(got->header("From").value_or("").find("sip:bob@127.0.0.1"), std::string::npos)
      << "from the authenticated bob";
  if (GetParam() == "tls") {
    EXPECT_TRUE(sw_->wait_for_log("tls: accepted", 1, 1s)) << "not over TLS";
  }
}

TEST_P(BaresipOverEachTransport, ReceivesAMessageAndAnswersIt200) {
  auto alice = pager_alice();
  ASSERT_TRUE(alice);
  const std::string text = "Hi baresip, over " + GetParam();
  EXPECT_EQ(status_of(alice->message("bob", text)), 200) << "baresip's own 200, relayed";
  auto shown = baresip_->received(text);
  ASSERT_TRUE(shown) << "baresip did not show it";
  EXPECT_EQ(shown->rfind("sip:alice@127.0.0.1: ", 0), 0u) << *shown;
}

// The whole life of a bridged session: invitation, accept by reply, a message each way, /end.
TEST_P(BaresipOverEachTransport, AcceptsABridgedSessionByReplyingAndEndsItWithSlashEnd) {
  auto alice = session_alice();
  ASSERT_TRUE(alice);
  PeerDialog d = invite_bob(*alice, "Hello, a question");
  ASSERT_FALSE(HasFailure());

  ASSERT_TRUE(baresip_->message("Sure, go ahead"));
  auto ok = alice->final(d);
  ASSERT_EQ(status_of(ok), 200) << "the reply accepts";
  EXPECT_TRUE(alice->rang()) << "baresip's 200 to the invitation is the device alerting: 180";
  alice->ack(d, *ok);
  auto first = alice->next_request("MESSAGE");
  ASSERT_TRUE(first) << "the reply is the session's first message from bob";
  EXPECT_EQ(first->body, "Sure, go ahead");
  EXPECT_EQ(first->header("Call-ID").value_or(""), d.call_id) << "in the session's dialog";
  alice->reply(*first, 200);

  const auto cseq = alice->send_in_dialog(d, "MESSAGE", kText, "Thanks! Order 42 is late.");
  EXPECT_EQ(status_of(alice->response(d, cseq)), 200);
  EXPECT_TRUE(baresip_->received("Thanks! Order 42 is late.")) << "alice's message, in the session";
  ASSERT_TRUE(baresip_->message("It ships today."));
  auto second = alice->next_request("MESSAGE");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "It ships today.");
  EXPECT_EQ(second->header("Call-ID").value_or(""), d.call_id);
  alice->reply(*second, 200);

  ASSERT_TRUE(baresip_->message("/end"));
  auto bye = alice->next_request("BYE");
  ASSERT_TRUE(bye) << "baresip's /end is a BYE to alice";
  EXPECT_EQ(bye->header("Call-ID").value_or(""), d.call_id);
  alice->reply(*bye, 200);
}

// The rest over UDP only: the bridge's rules do not depend on the transport, and the cases above
// show each transport carries the bridge's messages both ways.

TEST_F(BaresipTest, RejectDeclinesABridgedSessionWith603) {
  start("udp");
  auto alice = session_alice();
  ASSERT_TRUE(alice);
  PeerDialog d = invite_bob(*alice, "Got a minute?");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(baresip_->message("/reject"));
  auto r = alice->final(d);
  ASSERT_EQ(status_of(r), 603) << "declined";
  alice->ack(d, *r);
}

TEST_F(BaresipTest, SilenceRunsIntoTheInvitationTimer) {
  start("udp", {{"invite_timeout_s", "1"}});
  auto alice = session_alice();
  ASSERT_TRUE(alice);
  PeerDialog d = invite_bob(*alice, "Are you there?");
  ASSERT_FALSE(HasFailure());
  auto r = alice->final(d, 5s);
  ASSERT_EQ(status_of(r), 408) << "im.invite_timeout_s is 1";
  alice->ack(d, *r);
  EXPECT_TRUE(baresip_->received("The IM from Alice Martin was not answered in time."));
}

TEST_F(BaresipTest, AnEndFromTheSessionSideIsShownToBaresip) {
  start("udp");
  auto alice = session_alice();
  ASSERT_TRUE(alice);
  PeerDialog d = invite_bob(*alice, "Quick one");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(baresip_->message("ok"));
  auto ok = alice->final(d);
  ASSERT_EQ(status_of(ok), 200);
  alice->ack(d, *ok);
  auto first = alice->next_request("MESSAGE");
  ASSERT_TRUE(first);
  alice->reply(*first, 200);
  const auto bye = alice->send_in_dialog(d, "BYE");
  EXPECT_EQ(status_of(alice->response(d, bye)), 200);
  EXPECT_TRUE(baresip_->received("Session ended by Alice Martin."));
}

// Agent state over SIP (RFC 3856): baresip's presence module subscribes to its contact alice,
// and shows her Online while she is logged in and Ready, Offline once she publishes Not Ready.
TEST_F(BaresipTest, ShowsAContactGoingNotReady) {
  start("udp", {}, true);
  auto alice = pager_alice();
  ASSERT_TRUE(alice);
  ASSERT_TRUE(sw_->wait_for_log("SUBSCRIBE by bob to alice: active", 1, 10s));
  ASSERT_TRUE(sw_->wait_for_log("to <sip:bob@127.0.0.1>: Ready", 1, 5s));
  EXPECT_TRUE(baresip_->shows_presence("sip:alice@127.0.0.1", "Online"));
  ASSERT_EQ(status_of(alice->request(publish(*alice, "", "closed", "lunch"))), 200);
  ASSERT_TRUE(sw_->wait_for_log("to <sip:bob@127.0.0.1>: Not Ready: lunch", 1, 5s));
  EXPECT_TRUE(baresip_->shows_presence("sip:alice@127.0.0.1", "Offline"));
}

}  // namespace
}  // namespace ims::test
