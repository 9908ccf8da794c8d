#pragma once
// Black-box test harness: starts the real imswitch binary on loopback with port 0, finds its
// ports through --ports-file, and stops it with SIGTERM, reporting how it exited. Also runs other
// programs (sipp, sipsak) with a deadline. Every wait is bounded; nothing sleeps a fixed time.
//
// Owned by the test that creates it; not thread-safe. The child dies with the test process
// (PR_SET_PDEATHSIG), so a crashed test never leaves a switch behind.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ims::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// Where the build put the switch (IMSWITCH_BIN) and the source tree (IMS_SOURCE_DIR).
std::string imswitch_binary();
std::string source_dir();

// One line of the ports file: "udp 127.0.0.1 40312".
struct Listener {
  std::string transport;  // "udp", "tcp"
  std::string address;    // without brackets: "127.0.0.1", "::1"
  std::uint16_t port = 0;
  bool ipv6() const { return address.find(':') != std::string::npos; }
  // "127.0.0.1:40312" or "[::1]:40312", as in a SIP URI or Via sent-by.
  std::string hostport() const;
};

// True when a socket can be bound to [::1] (IPv6 tests skip otherwise).
bool ipv6_loopback_available();

// A port on 127.0.0.1 that was free for both UDP and TCP a moment ago, for tools that cannot be
// told to pick one themselves (sipp's -p, -cp, -mp). 0 when none was found.
std::uint16_t free_loopback_port();
// The first of `count` consecutive such ports (sipp's -mp takes four: audio and video, RTP and
// RTCP). Chosen below the kernel's ephemeral range, so no port-0 bind can take them meanwhile.
std::uint16_t free_loopback_ports(int count);

// How a child process ended.
struct ExitStatus {
  bool exited = false;   // normal exit (code valid)
  int code = -1;
  int signal = 0;        // killing signal when !exited
  bool timed_out = false;  // did not end by itself within the deadline; was SIGKILLed
  std::string describe() const;
};

// The SIP cores every switch of this run gets (IMS_TEST_SWITCH_THREADS, default 1).
int test_switch_threads();

struct SwitchOptions {
  std::string binary = imswitch_binary();
  std::string config = source_dir() + "/config/minimal.yaml";  // empty: no --config
  std::vector<std::string> listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0"};
  std::vector<std::string> extra_args;  // e.g. {"--log-level", "debug"}
  std::string store;  // --store: empty = a fresh file in the switch's scratch folder
  bool store_arg = true;  // false: no --store, the config's store.path
  // --http: the HTTP API's address; a free port on the loopback unless a test says otherwise
  // ("off": none), so that no test switch takes the shipped default's 8080.
  std::string http = "127.0.0.1:0";
  Millis startup_timeout = 10s;
  // Adds udp:[::1]:0 and tcp:[::1]:0 when IPv6 loopback is available.
  SwitchOptions& with_ipv6();
};

class SwitchProcess {
 public:
  // Starts the switch and waits (bounded) for its ports file. nullptr and *error (with the
  // switch's log) when it does not come up.
  static std::unique_ptr<SwitchProcess> start(const SwitchOptions& options, std::string* error);
  ~SwitchProcess();  // SIGKILL if still running; removes the scratch folder
  SwitchProcess(const SwitchProcess&) = delete;
  SwitchProcess& operator=(const SwitchProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The scratch folder: ports file, log, store and the self-signed TLS pair (tls/imswitch.crt).
  const std::string& dir() const { return dir_; }
  // The SIP listeners; the HTTP API's is http().
  const std::vector<Listener>& listeners() const { return listeners_; }
  std::optional<Listener> http() const { return http_; }
  // The first listener for transport ("udp"/"tcp") in the given family.
  std::optional<Listener> find(std::string_view transport, bool ipv6 = false) const;
  Listener udp(bool ipv6 = false) const;  // asserts-free: port 0 when absent
  Listener tcp(bool ipv6 = false) const;

  // Still running (not exited, not a zombie)?
  bool running();
  // Resident set size from /proc/<pid>/status (VmRSS), in KiB.
  std::optional<long> rss_kib() const;
  // Sends sig (SIGTERM by default), waits up to grace, then SIGKILLs. Idempotent: later calls
  // return the same status.
  ExitStatus stop(Millis grace = 5s, int sig = SIGTERM);
  // Everything the switch wrote to stdout and stderr so far.
  std::string log() const;
  // Waits until log() holds `text` at least `count` times, woken by the log file's changes
  // (inotify), up to timeout. False on timeout or when the switch exits first.
  bool wait_for_log(std::string_view text, std::size_t count, Millis timeout);
  // The last lines of log(), for failure messages.
  std::string log_tail(std::size_t lines = 30) const;

 private:
  SwitchProcess() = default;
  bool wait_for_ports(std::size_t expected, Millis timeout, std::string* error);
  std::optional<ExitStatus> reap(Millis timeout);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::string dir_;  // scratch folder: ports file, log
  std::string ports_file_;
  std::optional<Listener> http_;
  std::string log_file_;
  std::vector<Listener> listeners_;
  std::optional<ExitStatus> exit_;
};

// Runs argv[0] (searched in PATH) with cwd and stdout+stderr to log_path, waits up to timeout,
// SIGKILLs it past that. For sipp, sipsak and the like.
ExitStatus run_program(const std::vector<std::string>& argv, const std::string& cwd,
                       const std::string& log_path, Millis timeout);

// The same in two steps, for a program that must run while the test does something else:
// spawn_program starts it (-1 when it cannot), wait_program waits for it with a deadline and
// SIGKILLs it past the deadline (timed_out set).
pid_t spawn_program(const std::vector<std::string>& argv, const std::string& cwd,
                    const std::string& log_path);
ExitStatus wait_program(pid_t pid, Millis timeout);

// The full path of a program found in PATH, or nullopt.
std::optional<std::string> find_program(std::string_view name);

// A fresh scratch folder under $TMPDIR (or /tmp); the caller removes it.
std::string make_scratch_dir(std::string_view prefix);

}  // namespace ims::test
