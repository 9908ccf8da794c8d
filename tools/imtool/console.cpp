#include "tools/imtool/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>

namespace ims::tool {

struct Console::SavedTermios {
  termios original{};
};

Console::Console(boost::asio::any_io_executor executor, ConsoleEvents events, bool interactive)
    : executor_(std::move(executor)),
      events_(std::move(events)),
      interactive_(interactive),
      colours_(interactive && std::getenv("NO_COLOR") == nullptr) {}

Console::~Console() { stop(); }

bool Console::detect_interactive() { return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO); }

void Console::start() {
  if (::pipe2(wake_, O_CLOEXEC) != 0) {
    wake_[0] = wake_[1] = -1;
  }
  if (interactive_) {
    saved_ = std::make_unique<SavedTermios>();
    if (::tcgetattr(STDIN_FILENO, &saved_->original) == 0) {
      termios raw = saved_->original;
      // Keys one by one, no echo, Ctrl-C and Ctrl-Z as bytes; output processing stays on so
      // "\n" still moves to the start of the next line.
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
      raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL);
      raw.c_cc[VMIN] = 1;
      raw.c_cc[VTIME] = 0;
      raw_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
    }
    on_resize();
    redraw();
  }
  reader_ = std::thread([this] { reader_loop(); });
}

void Console::stop() {
  if (stopped_) return;
  stopped_ = true;
  alive_.reset();
  if (wake_[1] >= 0) {
    const char c = 'q';
    [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  }
  if (reader_.joinable()) reader_.join();
  for (int& fd : wake_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  if (interactive_) write_out(LineEditor::clear());
  if (raw_ && saved_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_->original);
  raw_ = false;
}

void Console::reader_loop() {
  std::weak_ptr<int> alive = alive_;
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    const int n = ::poll(fds, wake_[0] >= 0 ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) return;  // stop()
    if (!fds[0].revents) continue;
    const ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of input or an error: both end the session
    boost::asio::post(executor_,
                      [this, alive, bytes = std::string(buf, static_cast<std::size_t>(got))] {
                        if (!alive.expired()) on_input(bytes);
                      });
  }
  boost::asio::post(executor_, [this, alive] {
    if (alive.expired()) return;
    // A last line without a line end still counts.
    if (!editor_.text().empty()) on_input("\n");
    if (events_.on_end_of_input) events_.on_end_of_input();
  });
}

void Console::on_input(std::string bytes) {
  auto events = editor_.feed(bytes);
  for (auto& e : events) {
    switch (e.kind) {
      case EditorEvent::Kind::Line:
        if (interactive_) {
          // Leave the entered line on screen as typed, then a fresh prompt below it.
          write_out(LineEditor::clear());
        }
        if (events_.on_line) events_.on_line(std::move(e.line));
        break;
      case EditorEvent::Kind::EndOfInput:
        if (events_.on_end_of_input) events_.on_end_of_input();
        break;
      case EditorEvent::Kind::Interrupt:
        if (events_.on_interrupt) events_.on_interrupt();
        break;
      case EditorEvent::Kind::Redraw:
        if (interactive_) write_out("\x1b[H\x1b[2J");
        break;
    }
  }
  if (interactive_ && !stopped_) redraw();
}

void Console::print(std::string_view text) {
  std::string out;
  if (interactive_) out += LineEditor::clear();
  out.append(text);
  if (out.empty() || out.back() != '\n') out.push_back('\n');
  // One write: the terminal never shows the new line without the input line under it.
  if (interactive_ && !stopped_) out += editor_.render();
  write_out(out);
}

void Console::set_prompt(std::string prompt, std::size_t visible_width) {
  editor_.set_prompt(std::move(prompt), visible_width);
  if (interactive_ && !stopped_) redraw();
}

void Console::on_resize() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) editor_.set_width(ws.ws_col);
  if (interactive_ && !stopped_) redraw();
}

void Console::redraw() { write_out(editor_.render()); }

void Console::write_out(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stdout gone: nothing useful left to do with the output
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace ims::tool
