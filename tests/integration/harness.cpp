#include "tests/integration/harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <vector>

namespace ims::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline, int cap_ms) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, cap_ms));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// Waits until pid ends or timeout passes; the pidfd (when the kernel has one) makes this an event
// wait, otherwise it re-checks every 10 ms.
std::optional<ExitStatus> wait_pid(pid_t pid, int pidfd, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode(status);
    if (r < 0 && errno != EINTR) return ExitStatus{};  // not our child any more
    int ms = remaining_ms(deadline, pidfd >= 0 ? 1000 : 10);
    if (ms == 0 && Clock::now() >= deadline) return std::nullopt;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, ms);
    } else {
      poll(nullptr, 0, ms);
    }
  }
}

// fork + exec with stdout/stderr to log_path. The argv array is built before fork: the child
// only calls async-signal-safe functions.
pid_t spawn(const std::string& path, const std::vector<std::string>& args, const std::string& cwd,
            const std::string& log_path) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(126);
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || null < 0) _exit(126);
  dup2(null, 0);
  dup2(log, 1);
  dup2(log, 2);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
  execv(path.c_str(), argv.data());
  _exit(127);
}

std::optional<std::vector<Listener>> parse_ports(const std::string& text) {
  std::vector<Listener> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    Listener l;
    unsigned port = 0;
    if (!(fields >> l.transport >> l.address >> port) || port == 0 || port > 65535) {
      return std::nullopt;
    }
    if (l.address.size() > 2 && l.address.front() == '[' && l.address.back() == ']') {
      l.address = l.address.substr(1, l.address.size() - 2);
    }
    l.port = static_cast<std::uint16_t>(port);
    out.push_back(l);
  }
  return out;
}

}  // namespace

std::string imswitch_binary() {
#ifdef IMSWITCH_BIN
  return IMSWITCH_BIN;
#else
  return "imswitch";
#endif
}

std::string source_dir() {
#ifdef IMS_SOURCE_DIR
  return IMS_SOURCE_DIR;
#else
  return ".";
#endif
}

std::string Listener::hostport() const {
  return (ipv6() ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

bool ipv6_loopback_available() {
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

std::uint16_t free_loopback_ports(int count) {
  // Below Linux's ephemeral range (32768-60999 by default), so that no socket bound to port 0
  // by this or a concurrent test can take one of them between this check and the tool's bind.
  constexpr int kLow = 20000, kHigh = 32000;
  static std::mt19937 pick(static_cast<unsigned>(getpid()) ^
                           static_cast<unsigned>(Clock::now().time_since_epoch().count()));
  // Ports handed out before are not handed out again by this process: a tool may not have bound
  // its port yet when the next one is picked.
  static std::set<int> given;
  static std::mutex given_lock;
  std::lock_guard<std::mutex> hold(given_lock);
  std::uniform_int_distribution<int> base_of(kLow, kHigh - count);
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int base = base_of(pick);
    std::vector<int> fds;
    bool free = true;
    for (int i = 0; i < count && free; ++i) free = !given.contains(base + i);
    for (int i = 0; i < count && free; ++i) {
      for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
        int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<std::uint16_t>(base + i));
        if (fd >= 0) fds.push_back(fd);
        if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) free = false;
      }
    }
    for (int fd : fds) close(fd);
    if (free) {
      for (int i = 0; i < count; ++i) given.insert(base + i);
      return static_cast<std::uint16_t>(base);
    }
  }
  return 0;
}

std::uint16_t free_loopback_port() { return free_loopback_ports(1); }

std::string ExitStatus::describe() const {
  std::string s = exited ? "exit code " + std::to_string(code)
                         : "killed by signal " + std::to_string(signal) + " (" +
                               strsignal(signal) + ")";
  return timed_out ? s + " after not stopping within the deadline" : s;
}

SwitchOptions& SwitchOptions::with_ipv6() {
  if (ipv6_loopback_available()) {
    listen.push_back("udp:[::1]:0");
    listen.push_back("tcp:[::1]:0");
  }
  return *this;
}

std::string make_scratch_dir(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + std::string(prefix) +
                      "XXXXXX";
  if (!mkdtemp(templ.data())) return {};
  return templ;
}

std::optional<std::string> find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos) {
    return access(std::string(name).c_str(), X_OK) == 0 ? std::optional(std::string(name))
                                                        : std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string full = (dir.empty() ? "." : dir) + "/" + std::string(name);
    if (access(full.c_str(), X_OK) == 0) return full;
  }
  return std::nullopt;
}

int test_switch_threads() {
  const char* text = std::getenv("IMS_TEST_SWITCH_THREADS");
  const int n = text ? std::atoi(text) : 1;
  return n > 1 ? n : 1;
}

std::unique_ptr<SwitchProcess> SwitchProcess::start(const SwitchOptions& options,
                                                    std::string* error) {
  std::unique_ptr<SwitchProcess> p(new SwitchProcess());
  p->dir_ = make_scratch_dir("imswitch-test-");
  if (p->dir_.empty()) {
    *error = "cannot create a scratch folder";
    return nullptr;
  }
  p->ports_file_ = p->dir_ + "/ports";
  p->log_file_ = p->dir_ + "/imswitch.log";
  if (access(options.binary.c_str(), X_OK) != 0) {
    *error = "no switch binary at " + options.binary;
    return nullptr;
  }
  std::vector<std::string> args = {options.binary};
  if (!options.config.empty()) args.insert(args.end(), {"--config", options.config});
  for (const auto& l : options.listen) {
    args.push_back("--listen");
    args.push_back(l);
  }
  args.push_back("--http");
  args.push_back(options.http.empty() ? "off" : options.http);
  args.push_back("--ports-file");
  args.push_back(p->ports_file_);
  // Each switch keeps its store in its own scratch folder unless the test names one.
  if (options.store_arg) {
    args.push_back("--store");
    args.push_back(options.store.empty() ? p->dir_ + "/imswitch.db" : options.store);
  }
  // IMS_TEST_SWITCH_THREADS=N: every switch of the run has N SIP cores (CTest runs the session
  // and pager suites a second time so).
  if (test_switch_threads() > 1) {
    args.push_back("--threads");
    args.push_back(std::to_string(test_switch_threads()));
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

  p->pid_ = spawn(options.binary, args, source_dir(), p->log_file_);
  if (p->pid_ < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  p->pidfd_ = open_pidfd(p->pid_);
  if (!p->wait_for_ports(options.listen.size(), options.startup_timeout, error)) {
    *error += "\n--- switch log ---\n" + p->log_tail();
    return nullptr;
  }
  return p;
}

// Watches the scratch folder with inotify (the switch renames the finished file into place) and
// the process with its pidfd, so this wakes on events; the 50 ms cap only bounds a missed one.
bool SwitchProcess::wait_for_ports(std::size_t expected, Millis timeout, std::string* error) {
  const auto deadline = Clock::now() + timeout;
  int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (in >= 0) inotify_add_watch(in, dir_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
  bool ok = false;
  while (true) {
    if (auto ports = parse_ports(read_all(ports_file_)); ports && ports->size() >= expected) {
      listeners_.clear();
      for (const auto& l : *ports) {
        if (l.transport == "http")
          http_ = l;
        else
          listeners_.push_back(l);
      }
      ok = true;
      break;
    }
    if (!running()) {
      *error = "the switch exited before writing its ports file: " + exit_->describe();
      break;
    }
    if (Clock::now() >= deadline) {
      *error = "no complete ports file after " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd fds[2] = {{in, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    poll(fds, 2, remaining_ms(deadline, 50));
    char buf[4096];
    while (in >= 0 && read(in, buf, sizeof buf) > 0) {
    }
  }
  if (in >= 0) close(in);
  return ok;
}

bool SwitchProcess::wait_for_log(std::string_view text, std::size_t count, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (in >= 0) inotify_add_watch(in, log_file_.c_str(), IN_MODIFY);
  bool found = false;
  while (true) {
    const std::string all = log();
    std::size_t n = 0;
    for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) ++n;
    if (n >= count) {
      found = true;
      break;
    }
    if (!running() || Clock::now() >= deadline) break;
    pollfd fds[2] = {{in, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    poll(fds, 2, remaining_ms(deadline, 100));
    char buf[4096];
    while (in >= 0 && read(in, buf, sizeof buf) > 0) {
    }
  }
  if (in >= 0) close(in);
  return found;
}

SwitchProcess::~SwitchProcess() {
  if (pid_ > 0 && !exit_) {
    kill(pid_, SIGKILL);
    wait_pid(pid_, pidfd_, 5s);
  }
  if (pidfd_ >= 0) close(pidfd_);
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::optional<Listener> SwitchProcess::find(std::string_view transport, bool ipv6) const {
  for (const auto& l : listeners_) {
    if (l.transport == transport && l.ipv6() == ipv6) return l;
  }
  return std::nullopt;
}

Listener SwitchProcess::udp(bool ipv6) const { return find("udp", ipv6).value_or(Listener{}); }
Listener SwitchProcess::tcp(bool ipv6) const { return find("tcp", ipv6).value_or(Listener{}); }

bool SwitchProcess::running() {
  if (exit_) return false;
  if (auto s = wait_pid(pid_, -1, 0ms)) {
    exit_ = s;
    return false;
  }
  return true;
}

std::optional<long> SwitchProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return std::nullopt;
}

ExitStatus SwitchProcess::stop(Millis grace, int sig) {
  if (exit_) return *exit_;
  kill(pid_, sig);
  if (auto s = wait_pid(pid_, pidfd_, grace)) {
    exit_ = s;
  } else {
    kill(pid_, SIGKILL);
    exit_ = wait_pid(pid_, pidfd_, 5s).value_or(ExitStatus{});
    exit_->timed_out = true;
  }
  return *exit_;
}

std::string SwitchProcess::log() const { return read_all(log_file_); }

std::string SwitchProcess::log_tail(std::size_t lines) const {
  std::string all = log();
  std::size_t pos = all.size();
  for (std::size_t n = 0; n <= lines && pos > 0; ++n) {
    pos = all.rfind('\n', pos - 1);
    if (pos == std::string::npos) return all;
  }
  return all.substr(pos + 1);
}

ExitStatus run_program(const std::vector<std::string>& argv, const std::string& cwd,
                       const std::string& log_path, Millis timeout) {
  if (!find_program(argv.at(0))) return ExitStatus{true, 127, 0, false};
  const pid_t pid = spawn_program(argv, cwd, log_path);
  if (pid < 0) return ExitStatus{};
  return wait_program(pid, timeout);
}

pid_t spawn_program(const std::vector<std::string>& argv, const std::string& cwd,
                    const std::string& log_path) {
  auto path = find_program(argv.at(0));
  if (!path) return -1;
  return spawn(*path, argv, cwd, log_path);
}

ExitStatus wait_program(pid_t pid, Millis timeout) {
  int pidfd = open_pidfd(pid);
  auto s = wait_pid(pid, pidfd, timeout);
  if (!s) {
    kill(pid, SIGKILL);
    s = wait_pid(pid, pidfd, 5s).value_or(ExitStatus{});
    s->timed_out = true;
  }
  if (pidfd >= 0) close(pidfd);
  return *s;
}

}  // namespace ims::test
