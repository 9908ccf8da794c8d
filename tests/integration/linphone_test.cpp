// linphone against the shipped configuration (config/imswitch.yaml), as a new user's would be:
// Debian 12's linphone-cli 5.1, driven through linphone-daemon's command socket (no terminal).
// It logs in over UDP, TCP and TLS (trusting the switch's self-signed certificate, and refusing
// the switch under another trust anchor), exchanges pager MESSAGEs both ways with a test agent,
// and takes an IM session bridged to it as a MESSAGE (PRODUCT §4b): its reply accepts, "/end"
// ends. Every socket is on 127.0.0.1. Skipped (with a message) only when linphone-daemon is not
// installed.
//
// linphone needs its data folder (~/.local/share/linphone, which a desktop user has): without it
// the core never starts, and sends nothing.

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kText = "text/plain;charset=UTF-8";
constexpr std::string_view kDash = "\xE2\x80\x94";  // the em dash of the invitation

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail(const std::string& text, std::size_t bytes = 6000) {
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// Calls done() until it returns true or timeout passes, again whenever a file in dir changes
// (inotify: linphone's log and output are there); the 100 ms cap only bounds a missed event.
bool wait_until(const std::string& dir, Millis timeout, const std::function<bool()>& done) {
  const auto deadline = Clock::now() + timeout;
  const int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (in >= 0) inotify_add_watch(in, dir.c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE);
  bool ok = false;
  while (!(ok = done()) && Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    pollfd p{in, POLLIN, 0};
    poll(&p, in >= 0 ? 1 : 0, static_cast<int>(std::clamp<long long>(left, 0, 100)));
    char buf[4096];
    while (in >= 0 && read(in, buf, sizeof buf) > 0) {
    }
  }
  if (in >= 0) close(in);
  return ok;
}

// alice's linphonerc: the README's account lines (alice's account on the switch's listener for
// `transport`, the default account so that its MESSAGEs go there too; the switch's certificate
// as the trust anchor, its chain checked but not its name: verify_server_cn=0, as Debian 12's
// belle-sip on mbedTLS 2.28 matches no IP address entries of a certificate), and every socket
// on 127.0.0.1 at a port of the system's choice (-1), IPv4 only.
std::string linphonerc(const Listener& l, const std::string& transport, const std::string& ca) {
  const std::string proxy = "sip:127.0.0.1:" + std::to_string(l.port) + ";transport=" + transport;
  std::ostringstream rc;
  rc << "[sip]\nsip_port=-1\nsip_tcp_port=-1\nsip_tls_port=-1\nbind_address=127.0.0.1\n"
     << "use_ipv6=0\nroot_ca=" << ca << "\nverify_server_cn=0\ndefault_proxy=0\n\n"
     << "[proxy_0]\nreg_proxy=<" << proxy << ">\n"
     << "reg_identity=<sip:alice@127.0.0.1>\n\n"
     << "[auth_info_0]\nusername=alice\npasswd=pw-alice\n";
  return rc.str();
}

// One linphone-daemon in a scratch folder of its own (HOME, configuration, log), controlled over
// its command socket (--pipe: a unix socket in /tmp). Commands are answered in order, one
// response each ("Status: Ok", then a blank line and a body when there is one); what linphone
// sees (messages received, message states) waits in its event queue for "pop-event".
// Owned by one test, single-threaded; every wait has a deadline.
class Linphone {
 public:
  static std::unique_ptr<Linphone> start(const std::string& dir, const std::string& rc,
                                         std::string* error) {
    static std::atomic<int> serial{0};
    auto lp = std::unique_ptr<Linphone>(new Linphone);
    lp->dir_ = dir;
    const std::string name =
        "imswitch-linphone-" + std::to_string(getpid()) + "-" + std::to_string(++serial);
    lp->socket_path_ = "/tmp/" + name;
    std::error_code ec;
    std::filesystem::remove(lp->socket_path_, ec);  // a crashed run's leftover
    std::filesystem::create_directories(dir + "/home/.local/share/linphone");
    std::ofstream(dir + "/linphonerc") << rc;
    lp->pid_ = spawn_program(
        {"env", "HOME=" + dir + "/home", "XDG_DATA_HOME=" + dir + "/home/.local/share",
         "XDG_CONFIG_HOME=" + dir + "/home/.config", "linphone-daemon", "--config",
         dir + "/linphonerc", "--log", dir + "/linphone.log", "--pipe", name},
        dir, dir + "/daemon.out");
    if (lp->pid_ <= 0) {
      *error = "cannot start linphone-daemon";
      return nullptr;
    }
    if (!wait_until(dir, 15s, [&] { return lp->connect(); })) {
      *error = "no command socket " + lp->socket_path_ + "\n" + lp->diagnostics();
      return nullptr;
    }
    return lp;
  }
  ~Linphone() {
    quit();
    std::error_code ec;
    std::filesystem::remove(socket_path_, ec);
  }
  Linphone(const Linphone&) = delete;
  Linphone& operator=(const Linphone&) = delete;

  // Sends one command line and returns its response ("" when none came in time).
  std::string command(const std::string& line, Millis timeout = 5s) {
    const std::string out = line + "\n";
    if (fd_ < 0 || ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL) != ssize_t(out.size())) {
      return {};
    }
    std::string response;
    const auto deadline = Clock::now() + timeout;
    while (!complete(response) && Clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char buf[8192];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      response.append(buf, static_cast<std::size_t>(n));
    }
    return response;
  }

  // The first queued event of `type` whose text holds `text`, waiting for it up to timeout;
  // events before it are taken too (all are kept for diagnostics()).
  std::optional<std::string> event(std::string_view type, std::string_view text,
                                   Millis timeout = 15s) {
    std::optional<std::string> found;
    wait_until(dir_, timeout, [&] {
      while (true) {
        const std::string r = command("pop-event");
        if (r.find("Event-type: ") == std::string::npos) return false;
        events_ += r;
        if (r.find("Event-type: " + std::string(type) + "\n") != std::string::npos &&
            r.find(text) != std::string::npos) {
          found = r;
          return true;
        }
      }
    });
    return found;
  }
  // A message linphone received: its "message-received" event with Content "<text>".
  std::optional<std::string> received(std::string_view text, Millis timeout = 15s) {
    return event("message-received", "Content: \"" + std::string(text) + "\"", timeout);
  }
  // Sends a pager MESSAGE; its message id ("" when linphone refused the command).
  std::string send(const std::string& to, const std::string& text) {
    const std::string r = command("message " + to + " " + text);
    const auto id = r.find("Id: ");
    if (r.rfind("Status: Ok", 0) != 0 || id == std::string::npos) return {};
    return r.substr(id + 4, r.find('\n', id) - id - 4);
  }
  // Waits until linphone reports the message delivered (a 2xx came back).
  bool delivered(const std::string& id, Millis timeout = 15s) {
    return !id.empty() && event("message-state-changed",
                                "Id: " + id + "\nState: LinphoneChatMessageStateDelivered", timeout)
                              .has_value();
  }
  // alice's registration as linphone sees it, "LinphoneRegistrationOk" once the 200 is in.
  bool registered(Millis timeout = 15s) {
    return wait_until(dir_, timeout, [&] {
      return command("register-status 1").find("State: LinphoneRegistrationOk") !=
             std::string::npos;
    });
  }
  // "quit" (linphone un-registers on the way out), then waits for the process; SIGKILL past
  // the deadline. Idempotent.
  void quit() {
    if (pid_ <= 0) return;
    if (fd_ >= 0) {
      command("quit");
      close(fd_);
      fd_ = -1;
    } else {
      kill(pid_, SIGTERM);
    }
    exit_ = wait_program(pid_, 10s);
    pid_ = -1;
  }
  std::string log() const { return read_all(dir_ + "/linphone.log"); }
  // linphone's output and log tail and the events taken so far, for failure messages.
  std::string diagnostics() const {
    return "--- linphone-daemon output ---\n" + tail(read_all(dir_ + "/daemon.out"), 2000) +
           "\n--- linphone events ---\n" + events_ + "\n--- linphone log ---\n" + tail(log()) +
           (exit_ ? "\nlinphone-daemon ended with " + exit_->describe() : std::string{});
  }

 private:
  Linphone() = default;
  bool connect() {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    socket_path_.copy(a.sun_path, sizeof a.sun_path - 1);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      fd_ = fd;
      return true;
    }
    if (fd >= 0) close(fd);
    return false;
  }
  // One response: "Status: ...\n" alone, or with a blank line and a body ending in "\n\n". The
  // daemon writes each response with one write(), so a partial one is only a slow reader's view.
  static bool complete(const std::string& r) {
    if (r.rfind("Status: ", 0) != 0 || r.back() != '\n') return false;
    return r.find("\n\n") == std::string::npos || r.ends_with("\n\n");
  }

  std::string dir_;
  std::string socket_path_;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string events_;
  std::optional<ExitStatus> exit_;
};

// The switch on the shipped configuration, listening on UDP, TCP and TLS on 127.0.0.1 port 0
// (its self-signed certificate generated into its scratch folder), and linphone as alice.
class LinphoneClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_program("linphone-daemon")) {
      GTEST_SKIP() << "linphone is not installed (apt-get install linphone-cli)";
    }
    SwitchOptions o;
    o.config = source_dir() + "/config/imswitch.yaml";
    o.extra_args = {"--log-level", "debug"};
    o.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0", "tls:127.0.0.1:0"};
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
    dir_ = make_scratch_dir("imswitch-linphone-");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (linphone_) linphone_->quit();
    if (HasFailure()) {
      if (linphone_) ADD_FAILURE() << linphone_->diagnostics();
      if (sw_) ADD_FAILURE() << "--- switch log ---\n" << sw_->log_tail(60);
    }
    linphone_.reset();
    if (sw_) {
      EXPECT_TRUE(still_serving(*sw_));
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string certificate() const { return sw_->dir() + "/tls/imswitch.crt"; }
  // Starts linphone as alice on `transport`, trusting `ca` (default: the switch's certificate).
  void start_linphone(const std::string& transport, std::string ca = {}) {
    const auto l = sw_->find(transport);
    ASSERT_TRUE(l) << transport;
    std::string error;
    linphone_ =
        Linphone::start(dir_, linphonerc(*l, transport, ca.empty() ? certificate() : ca), &error);
    ASSERT_TRUE(linphone_) << error;
  }
  // Starts linphone and waits until the switch has stored alice's registration and linphone
  // has seen the 200, over `transport`.
  void log_in(const std::string& transport) {
    ASSERT_NO_FATAL_FAILURE(start_linphone(transport));
    ASSERT_TRUE(sw_->wait_for_log("REGISTER alice: 1 binding(s) now", 1, 20s))
        << "no registration stored";
    ASSERT_TRUE(linphone_->registered()) << "linphone did not see its registration succeed";
    EXPECT_TRUE(sw_->wait_for_log("REGISTER sip:127.0.0.1 from " + transport + "/127.0.0.1", 1, 1s))
        << "not over " << transport;
  }
  // bob on a plain device of the test's own (a stock client's: pager MESSAGEs only), registered.
  std::unique_ptr<Agent> plain_bob() {
    std::string error;
    auto bob = Agent::open(*sw_, sample_agent("bob"), &error);
    EXPECT_TRUE(bob) << error;
    if (bob) {
      EXPECT_EQ(status_of(bob->register_contact(600)), 200);
    }
    return bob;
  }
  // The next MESSAGE at bob's plain device (answered 200).
  static std::optional<SipMessage> next_message(Agent& device, Millis timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto r = device.receive_request(std::chrono::duration_cast<Millis>(deadline - Clock::now()));
      if (!r) return std::nullopt;
      if (r->start_line.rfind("MESSAGE ", 0) == 0) return r;
    }
    return std::nullopt;
  }

  std::unique_ptr<SwitchProcess> sw_;
  std::string dir_;
  std::unique_ptr<Linphone> linphone_;
};

class LinphoneLogin : public LinphoneClient, public ::testing::WithParamInterface<std::string> {};

// Registers (answering the SHA-256 challenge, the first the switch offers), and un-registers
// when it quits.
TEST_P(LinphoneLogin, RegistersWithTheShippedConfig) {
  ASSERT_NO_FATAL_FAILURE(log_in(GetParam()));
  EXPECT_NE(linphone_->log().find("algorithm=SHA-256, username=\"alice\""), std::string::npos)
      << "linphone answered another challenge than SHA-256";
  linphone_->quit();
  EXPECT_TRUE(sw_->wait_for_log("REGISTER alice: 0 binding(s) now", 1, 10s))
      << "no un-registration";
}

TEST_P(LinphoneLogin, ExchangesPagerMessagesWithAnAgent) {
  ASSERT_NO_FATAL_FAILURE(log_in(GetParam()));
  auto bob = plain_bob();
  ASSERT_TRUE(bob);

  const std::string id = linphone_->send("sip:bob@127.0.0.1", "Hello Bob, from linphone");
  ASSERT_FALSE(id.empty());
  auto m = next_message(*bob);
  ASSERT_TRUE(m) << "no MESSAGE at bob";
  EXPECT_TRUE(linphone_->delivered(id)) << "bob's 200 did not reach linphone";
  EXPECT_EQ(m->body, "Hello Bob, from linphone");
  EXPECT_NE(m->header("From").value_or("").find("sip:alice@127.0.0.1"), std::string::npos)
      << m->header("From").value_or("");

  EXPECT_EQ(status_of(bob->message("alice", "Hello Alice, from bob")), 200)
      << "linphone did not answer the relayed MESSAGE";
  auto got = linphone_->received("Hello Alice, from bob");
  ASSERT_TRUE(got) << "linphone did not report the message";
  EXPECT_NE(got->find("From: sip:bob@127.0.0.1"), std::string::npos) << *got;
}

std::string transport_name(const ::testing::TestParamInfo<std::string>& p) { return p.param; }

INSTANTIATE_TEST_SUITE_P(Transports, LinphoneLogin, ::testing::Values("udp", "tcp", "tls"),
                         transport_name);

// Under a trust anchor that is not the switch's certificate (the CA list linphone ships),
// linphone refuses the handshake and never registers: the check that makes TLS worth having.
TEST_F(LinphoneClient, RefusesTheSwitchsCertificateUnderAnotherTrustAnchor) {
  const std::string other = "/usr/share/linphone/rootca.pem";
  if (!std::filesystem::exists(other)) GTEST_SKIP() << other << " is missing (linphone-common)";
  ASSERT_NO_FATAL_FAILURE(start_linphone("tls", other));
  EXPECT_TRUE(sw_->wait_for_log("TLS handshake: tlsv1 alert unknown ca", 1, 20s))
      << "linphone did not refuse the certificate";
  EXPECT_TRUE(wait_until(dir_, 10s, [&] {
    return linphone_->command("register-status 1").find("LinphoneRegistrationFailed") !=
           std::string::npos;
  }));
  EXPECT_EQ(sw_->log().find("REGISTER alice: 1 binding(s)"), std::string::npos);
}

// bob (a session-capable device) opens an IM session to alice, whose only device is linphone:
// the switch invites her by MESSAGE, her reply accepts and is her first message of the session,
// bob's next message reaches her as a MESSAGE, and her "/end" ends the session with a BYE.
TEST_F(LinphoneClient, TakesABridgedSessionByReplyingAndEndsItWithSlashEnd) {
  ASSERT_NO_FATAL_FAILURE(log_in("udp"));
  std::string error;
  auto bob = SessionPeer::open(*sw_, "bob", &error);
  ASSERT_TRUE(bob) << error;
  ASSERT_EQ(bob->register_device(true), 200);

  PeerDialog d = bob->invite("alice", kText, "Can you check order 42?");
  auto invitation =
      linphone_->received("IM from Bob Durand: Can you check order 42? " + std::string(kDash) +
                          " reply to accept, /reject to decline");
  ASSERT_TRUE(invitation) << "linphone got no invitation MESSAGE";
  EXPECT_NE(invitation->find("From: sip:bob@127.0.0.1"), std::string::npos) << *invitation;

  // linphone's reply button: a MESSAGE back to the invitation's sender.
  const std::string reply = linphone_->send("sip:bob@127.0.0.1", "Sure, looking now");
  ASSERT_FALSE(reply.empty());
  auto ok = bob->final(d);
  ASSERT_EQ(status_of(ok), 200) << "the reply did not accept the session";
  bob->ack(d, *ok);
  auto first = bob->next_request("MESSAGE");
  ASSERT_TRUE(first) << "the accepting reply is alice's first message";
  EXPECT_EQ(first->body, "Sure, looking now");
  bob->reply(*first, 200);
  EXPECT_TRUE(linphone_->delivered(reply));

  const auto cseq = bob->send_in_dialog(d, "MESSAGE", kText, "Thanks! It is late.");
  EXPECT_EQ(status_of(bob->response(d, cseq)), 200);
  EXPECT_TRUE(linphone_->received("Thanks! It is late.")) << "bob's message did not reach linphone";

  const std::string end = linphone_->send("sip:bob@127.0.0.1", "/end");
  ASSERT_FALSE(end.empty());
  auto bye = bob->next_request("BYE");
  ASSERT_TRUE(bye) << "/end did not end the session";
  bob->reply(*bye, 200);
  EXPECT_TRUE(linphone_->delivered(end));
}

}  // namespace
}  // namespace ims::test
