// Stock clients log in and exchange pager messages through the switch (issue 4): sipp plays both
// agents with MD5 digest (all sipp 3.6 speaks), one registering and answering as a UAS, the
// other sending. Scenarios and the switch's config are in tests/conformance/sipp/.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/conformance/corpus.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

const std::string kSippDir = source_dir() + "/tests/conformance/sipp";

class SippAgents : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!find_program("sipp")) GTEST_SKIP() << "sipp is not installed (apt-get install sip-tester)";
    SwitchOptions o;
    o.config = kSippDir + "/sipp.yaml";
    o.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"};
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
    dir_ = make_scratch_dir("imswitch-sipp-");
    ASSERT_FALSE(dir_.empty());
    write("register.csv", "SEQUENTIAL\nbob;[authentication username=bob password=pw-bob]\n");
    write("message.csv",
          "SEQUENTIAL\nalice;bob;[authentication username=alice password=pw-alice]\n");
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  // sipp bound to 127.0.0.1 only (signalling, media and control sockets), bounded in time. The
  // control port is sipp's own choice: it tries 60 from 8888 on, where a port named with -cp
  // that another process took in the meantime would be fatal.
  std::vector<std::string> sipp(const std::string& scenario, std::uint16_t port,
                                std::vector<std::string> extra) {
    const std::string media = std::to_string(free_loopback_ports(4));
    std::vector<std::string> a = {"sipp", "-sf", kSippDir + "/" + scenario, "-i", "127.0.0.1",
                                  "-p", std::to_string(port), "-mi", "127.0.0.1", "-mp", media,
                                  "-ci", "127.0.0.1", "-m", "1",
                                  "-timeout", "15s", "-timeout_error", "-trace_err", "-nostdin"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string output() {
    std::string out;
    for (const auto& f : std::filesystem::directory_iterator(dir_))
      out += "--- " + f.path().filename().string() + " ---\n" +
             read_file(f.path().string()).value_or("") + "\n";
    return out + "--- switch ---\n" + sw_->log_tail(20);
  }

  // bob logs in (401, then 200 with his Contact) from another port than his device listens on,
  // then alice sends him a MESSAGE (407, then relayed, 200 from bob's device). `transport` is
  // sipp's -t: u1 (UDP) or t1 (TCP, one connection per sipp instance).
  void register_then_message(const std::string& transport) {
    const Listener l = transport == "t1" ? sw_->tcp() : sw_->udp();
    const std::uint16_t bob_device = free_loopback_port();
    ASSERT_NE(bob_device, 0);
    auto reg = sipp("register_md5.xml", free_loopback_port(),
                    {l.hostport(), "-t", transport, "-inf", dir_ + "/register.csv", "-key",
                     "cport", std::to_string(bob_device)});
    ExitStatus r = run_program(reg, dir_, dir_ + "/register.log", 30s);
    ASSERT_TRUE(r.exited && r.code == 0) << r.describe() << "\n" << output();

    const pid_t uas = spawn_program(sipp("uas_pager.xml", bob_device, {"-t", transport}), dir_,
                                    dir_ + "/uas.log");
    ASSERT_GT(uas, 0);
    auto msg = sipp("message_md5.xml", free_loopback_port(),
                    {l.hostport(), "-t", transport, "-inf", dir_ + "/message.csv", "-auth_uri",
                     "bob@" + l.hostport()});
    ExitStatus m = run_program(msg, dir_, dir_ + "/message.log", 30s);
    ExitStatus u = wait_program(uas, 30s);
    EXPECT_TRUE(m.exited && m.code == 0) << m.describe() << "\n" << output();
    EXPECT_TRUE(u.exited && u.code == 0) << "bob's device: " << u.describe() << "\n" << output();
  }
  std::unique_ptr<SwitchProcess> sw_;
  std::string dir_;
};

TEST_F(SippAgents, RegisterWithMd5DigestThenReceiveAMessageFromAnotherAgent) {
  register_then_message("u1");
}

// Over TCP the REGISTER's connection belongs to the registering sipp, not to bob's device, whose
// Contact names another port of the same host: the MESSAGE must open a connection to that
// Contact rather than go back over the REGISTER's connection (where no one answers it).
TEST_F(SippAgents, OverTcpAContactRegisteredFromAnotherProcessIsReachedAtItsAddress) {
  register_then_message("t1");
}

}  // namespace
}  // namespace ims::test
