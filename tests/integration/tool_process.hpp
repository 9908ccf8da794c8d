#pragma once
// A program under test that a test talks to: its stdin is a pipe or a pseudo-terminal the test
// writes to, and its output (stdout and stderr) is collected as it comes. Waits are event-driven
// (poll on the output descriptor) with deadlines. In pseudo-terminal mode a small Screen model
// replays the output the way a terminal shows it, so a test checks what a person would see.
//
// Owned by one test; not thread-safe. The child gets SIGKILL when this goes, and dies with the
// test process (PR_SET_PDEATHSIG).

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/harness.hpp"

namespace ims::test {

// What a terminal of rows x columns shows after some output: printable text (UTF-8, one cell
// per code point), CR, LF (scrolling at the bottom), BS, and the sequences imtool writes:
// ESC[K, ESC[nC, ESC[nD, ESC[H, ESC[2J; colour (ESC[...m) and other CSI sequences are dropped.
class Screen {
 public:
  Screen(int rows, int columns);
  void feed(std::string_view bytes);
  // The rows, each without trailing spaces.
  std::vector<std::string> lines() const;
  std::string text() const;  // lines() joined with '\n'
  int cursor_row() const { return row_; }
  // The row the cursor is on: the input line with its prompt.
  std::string cursor_line() const;

 private:
  void put(std::string cell);
  void newline();
  std::vector<std::vector<std::string>> cells_;
  int rows_;
  int columns_;
  int row_ = 0;
  int col_ = 0;
  std::string pending_;
};

class ToolProcess {
 public:
  enum class Mode { Pipe, Pty };
  // Starts argv[0] (a path) with extra environment entries ("NAME=value"). In Pty mode the
  // terminal has 30 rows and 100 columns and TERM=xterm.
  ToolProcess(const std::vector<std::string>& argv, Mode mode,
              const std::vector<std::string>& env = {});
  ~ToolProcess();
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // for a signal (Ctrl-C is SIGINT)
  // Writes to the program's stdin (keys, in Pty mode).
  bool write(std::string_view bytes);
  // Pipe mode: end of input.
  void close_input();
  // Waits until the output (Pipe: as written; Pty: the screen's text) contains text, at least
  // `count` times, reading as it arrives. False past the timeout or when the program ended first.
  bool wait_for(std::string_view text, Millis timeout, std::size_t count = 1);
  // Waits for the program to end (SIGKILL past the timeout).
  ExitStatus wait_exit(Millis timeout);

  const std::string& output() const { return output_; }  // everything, raw
  const Screen& screen() const { return screen_; }

 private:
  bool read_some(Millis timeout);  // false when nothing more can come
  std::size_t count_in_view(std::string_view text) const;

  Mode mode_;
  pid_t pid_ = -1;
  int in_fd_ = -1;   // Pipe: write end of stdin; Pty: the master
  int out_fd_ = -1;  // Pipe: read end of stdout+stderr; Pty: the master
  bool eof_ = false;
  std::string output_;
  Screen screen_{30, 100};
  bool reaped_ = false;
  ExitStatus status_;
};

}  // namespace ims::test
