#include "tests/integration/tool_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace ims::test {

// ---- Screen -----------------------------------------------------------------------------------

Screen::Screen(int rows, int columns)
    : cells_(static_cast<std::size_t>(rows), std::vector<std::string>(static_cast<std::size_t>(columns), " ")),
      rows_(rows),
      columns_(columns) {}

void Screen::newline() {
  if (row_ + 1 < rows_) {
    ++row_;
    return;
  }
  cells_.erase(cells_.begin());
  cells_.emplace_back(static_cast<std::size_t>(columns_), " ");
}

void Screen::put(std::string cell) {
  if (col_ >= columns_) {  // autowrap
    col_ = 0;
    newline();
  }
  cells_[static_cast<std::size_t>(row_)][static_cast<std::size_t>(col_)] = std::move(cell);
  ++col_;
}

void Screen::feed(std::string_view bytes) {
  std::string in = std::move(pending_);
  pending_.clear();
  in.append(bytes);
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == 0x1b) {
      if (i + 1 >= in.size()) {
        pending_ = in.substr(i);
        return;
      }
      if (in[i + 1] != '[') {
        i += 2;
        continue;
      }
      std::size_t end = i + 2;
      while (end < in.size() && !(in[end] >= 0x40 && in[end] <= 0x7e)) ++end;
      if (end >= in.size()) {
        pending_ = in.substr(i);
        return;
      }
      const std::string params = in.substr(i + 2, end - i - 2);
      const int n = params.empty() ? 1 : std::max(1, std::atoi(params.c_str()));
      switch (in[end]) {
        case 'K':
          for (int k = col_; k < columns_; ++k) cells_[static_cast<std::size_t>(row_)][static_cast<std::size_t>(k)] = " ";
          break;
        case 'C': col_ = std::min(columns_ - 1, col_ + n); break;
        case 'D': col_ = std::max(0, col_ - n); break;
        case 'H': row_ = col_ = 0; break;
        case 'J':
          for (auto& r : cells_) std::fill(r.begin(), r.end(), " ");
          break;
        default: break;  // colours and the rest: no effect on the text
      }
      i = end + 1;
      continue;
    }
    if (c == '\r') {
      col_ = 0;
      ++i;
      continue;
    }
    if (c == '\n') {
      newline();
      ++i;
      continue;
    }
    if (c == '\b') {
      col_ = std::max(0, col_ - 1);
      ++i;
      continue;
    }
    if (c < 0x20) {
      ++i;
      continue;
    }
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + len > in.size()) {
      pending_ = in.substr(i);
      return;
    }
    put(in.substr(i, len));
    i += len;
  }
}

std::vector<std::string> Screen::lines() const {
  std::vector<std::string> out;
  for (const auto& r : cells_) {
    std::string line;
    for (const auto& cell : r) line += cell;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::string Screen::text() const {
  std::string out;
  for (const auto& l : lines()) out += l + "\n";
  return out;
}

std::string Screen::cursor_line() const { return lines()[static_cast<std::size_t>(row_)]; }

// ---- ToolProcess ------------------------------------------------------------------------------

ToolProcess::ToolProcess(const std::vector<std::string>& argv, Mode mode,
                         const std::vector<std::string>& env)
    : mode_(mode) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  auto child_setup = [&] {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    execv(args[0], args.data());
    _exit(127);
  };
  if (mode == Mode::Pty) {
    winsize ws{};
    ws.ws_row = 30;
    ws.ws_col = 100;
    int master = -1;
    pid_ = forkpty(&master, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      setenv("TERM", "xterm", 1);
      unsetenv("NO_COLOR");
      child_setup();
    }
    in_fd_ = out_fd_ = master;
    return;
  }
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    child_setup();
  }
  close(in[0]);
  close(out[1]);
  in_fd_ = in[1];
  out_fd_ = out[0];
}

ToolProcess::~ToolProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (in_fd_ >= 0 && in_fd_ != out_fd_) close(in_fd_);
  if (out_fd_ >= 0) close(out_fd_);
}

bool ToolProcess::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(in_fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void ToolProcess::close_input() {
  if (mode_ == Mode::Pipe && in_fd_ >= 0) {
    close(in_fd_);
    in_fd_ = -1;
  }
}

bool ToolProcess::read_some(Millis timeout) {
  if (eof_) return false;
  pollfd p{out_fd_, POLLIN, 0};
  const int r = poll(&p, 1, static_cast<int>(timeout.count()));
  if (r <= 0) return r == 0;  // timeout: maybe more later; error: treat as nothing more
  char buf[8192];
  const ssize_t n = read(out_fd_, buf, sizeof buf);
  if (n <= 0) {  // EOF, or EIO on a pty whose program ended
    eof_ = true;
    return false;
  }
  output_.append(buf, static_cast<std::size_t>(n));
  if (mode_ == Mode::Pty) screen_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  return true;
}

std::size_t ToolProcess::count_in_view(std::string_view text) const {
  const std::string view = mode_ == Mode::Pty ? screen_.text() : output_;
  std::size_t count = 0;
  for (auto pos = view.find(text); pos != std::string::npos; pos = view.find(text, pos + 1))
    ++count;
  return count;
}

bool ToolProcess::wait_for(std::string_view text, Millis timeout, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (count_in_view(text) < count) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left <= Millis{0}) return false;
    if (!read_some(left) && eof_) return count_in_view(text) >= count;
  }
  return true;
}

ExitStatus ToolProcess::wait_exit(Millis timeout) {
  if (reaped_) return status_;
  // Drain the output while waiting, so the program never blocks on a full pipe.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_ && std::chrono::steady_clock::now() < deadline) {
    read_some(std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
  }
  status_ = wait_program(pid_, std::chrono::duration_cast<Millis>(
                                   std::max(deadline - std::chrono::steady_clock::now(),
                                            std::chrono::steady_clock::duration{Millis{100}})));
  reaped_ = true;
  return status_;
}

}  // namespace ims::test
