#include "tests/integration/switch_checks.hpp"

namespace ims::test {

std::unique_ptr<SwitchProcess> start_switch(const SwitchOptions& options) {
  std::string error;
  auto sw = SwitchProcess::start(options, &error);
  if (!sw) ADD_FAILURE() << "imswitch did not start: " << error;
  return sw;
}

::testing::AssertionResult answers_options(const Listener& l) {
  std::string error;
  std::optional<SipMessage> rsp;
  RequestSpec spec;
  if (l.transport == "udp") {
    auto c = UdpClient::open(l.ipv6(), &error);
    if (!c) return ::testing::AssertionFailure() << error;
    spec = options_to(l, c->local_hostport());
    if (!c->send_to(l, build_request(spec))) return ::testing::AssertionFailure() << "sendto";
    rsp = c->final_response(3s, spec.call_id);
  } else {
    auto c = TcpClient::connect(l, 3s, &error);
    if (!c) return ::testing::AssertionFailure() << error;
    spec = options_to(l, c->local_hostport());
    if (!c->send(build_request(spec))) return ::testing::AssertionFailure() << "send";
    rsp = c->final_response(3s, spec.call_id);
  }
  if (!rsp) {
    return ::testing::AssertionFailure() << "no answer to OPTIONS over " << l.transport << " "
                                         << l.hostport();
  }
  if (rsp->status != 200) {
    return ::testing::AssertionFailure() << "OPTIONS over " << l.transport << " answered "
                                         << rsp->start_line;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult still_serving(SwitchProcess& sw) {
  if (!sw.running()) {
    return ::testing::AssertionFailure() << "imswitch is not running: " << sw.stop().describe()
                                         << "\n--- log ---\n" << sw.log_tail();
  }
  for (const auto& l : sw.listeners()) {
    if (l.transport != "udp" && l.transport != "tcp") continue;
    if (auto r = answers_options(l); !r) {
      return r << "\n--- log ---\n" << sw.log_tail();
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult exits_cleanly(SwitchProcess& sw) {
  ExitStatus s = sw.stop(5s);
  if (s.exited && s.code == 0 && !s.timed_out) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "on SIGTERM imswitch ended with " << s.describe()
                                       << "\n--- log ---\n" << sw.log_tail();
}

::testing::AssertionResult names_the_fault(const SipMessage& rsp) {
  static constexpr std::string_view kGeneric[] = {"", "Bad Request", "Server Internal Error"};
  for (auto g : kGeneric) {
    if (rsp.reason == g) {
      return ::testing::AssertionFailure()
             << "reason phrase \"" << rsp.reason << "\" does not name the fault: "
             << rsp.start_line;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace ims::test
