#include "switch/app/application.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/sip/parser.hpp"
#include "switch/app/responder.hpp"
#include "tests/unit/common/transport/loopback_peer.hpp"

namespace ims::sw::app {
namespace {

using transport::Endpoint;
using transport::ListenerInfo;
using transport::Protocol;

// A store file of this test process's own, removed with its WAL files when the test ends.
struct TempStore {
  std::string path = "/tmp/imswitch-app-test-" + std::to_string(::getpid()) + ".db";
  ~TempStore() {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PortsFile, HasOneLinePerListenerWithBareAddresses) {
  std::vector<ListenerInfo> l{
      {Protocol::Udp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 40312)},
      {Protocol::Tcp, Endpoint::make(*transport::parse_ip("::1"), 40313)}};
  EXPECT_EQ(ports_file_text(l), "udp 127.0.0.1 40312\ntcp ::1 40313\n");
}

TEST(PortsFile, IsWrittenAtomicallyAndLeavesNoTemporaryFile) {
  const std::string path = ::testing::TempDir() + "imswitch_ports_" + std::to_string(::getpid());
  std::vector<ListenerInfo> l{{Protocol::Udp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 1)}};
  ASSERT_TRUE(write_ports_file(path, l).ok());
  EXPECT_EQ(read_file(path), "udp 127.0.0.1 1\n");
  EXPECT_NE(::access((path + ".tmp." + std::to_string(::getpid())).c_str(), F_OK), 0);
  ::unlink(path.c_str());
}

TEST(PortsFile, ReportsAnUnwritableDirectory) {
  EXPECT_FALSE(write_ports_file("/nonexistent/dir/ports", {}).ok());
}

TEST(StackOptions, CarryTheConfiguredBounds) {
  config::Config c;
  c.sip.limits.max_vias = 7;
  c.sip.tcp.max_connections = 3;
  c.sip.tcp.idle_timeout = std::chrono::seconds(9);
  c.sip.timers.t1 = std::chrono::milliseconds(250);
  auto o = stack_options(c);
  EXPECT_EQ(o.transport.limits.max_vias, 7u);
  EXPECT_EQ(o.transport.max_connections, 3u);
  EXPECT_EQ(o.transport.tcp_idle_timeout.count(), 9);
  EXPECT_EQ(o.txn.timers.t1.count(), 250);
}

TEST(Application, AnswersOptionsAndStops) {
  TempStore store;
  config::Config c;
  c.store.path = store.path;
  c.sip.listen = {config::Listen{Protocol::Udp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 0)}};
  auto app = Application::create(c);
  ASSERT_TRUE(app.ok()) << app.error().message;
  const auto port = (*app)->listeners().at(0).local.port;
  std::thread runner([&] { (*app)->run(); });
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(port, test::make_request("OPTIONS", "z9hG4bKapp", peer.port())));
  auto got = peer.receive();
  (*app)->stop();
  runner.join();
  ASSERT_TRUE(got);
  auto rsp = sip::parse_datagram(*got);
  ASSERT_TRUE(rsp.ok());
  EXPECT_EQ(rsp->status(), 200);
  EXPECT_EQ(rsp->get(sip::HeaderId::Allow), kAllow);
}

TEST(Application, FailsWhenAPortIsTaken) {
  test::UdpPeer holder;
  TempStore store;
  config::Config c;
  c.store.path = store.path;
  c.sip.listen = {config::Listen{Protocol::Udp,
                                 Endpoint::make(*transport::parse_ip("127.0.0.1"), holder.port())}};
  auto app = Application::create(c);
  EXPECT_FALSE(app.ok());
}

TEST(Application, SeveralCoresDoNotShareAPortWithAnotherSwitch) {
  // Cores bind with SO_REUSEPORT; a second switch doing the same must still be refused the
  // port rather than quietly take part of its traffic.
  TempStore store1;
  TempStore store2;
  config::Config c;
  c.sip.threads = 2;
  c.store.path = store1.path;
  c.sip.listen = {config::Listen{Protocol::Udp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 0)},
                  config::Listen{Protocol::Tcp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 0)}};
  auto first = Application::create(c);
  ASSERT_TRUE(first.ok()) << first.error().message;
  for (const auto& l : (*first)->listeners()) {
    config::Config again = c;
    again.store.path = store2.path;
    again.sip.listen = {config::Listen{l.protocol, l.local}};
    auto second = Application::create(again);
    EXPECT_FALSE(second.ok()) << transport::protocol_name(l.protocol) << " port shared";
  }
}

}  // namespace
}  // namespace ims::sw::app
