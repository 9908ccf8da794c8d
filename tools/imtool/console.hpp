#pragma once
// Console: the terminal of `imtool agent`. In a terminal it switches stdin to raw mode, edits
// the input line with a LineEditor and prints output above that line, redrawing what the user
// was typing, so a message that arrives mid-sentence never garbles it. With stdin or stdout not
// a terminal (a script, a pipe, a file) it reads plain lines and prints plain lines, without
// escape sequences or colours.
//
// Input is read by a small thread (poll on stdin and a wake-up pipe) and handed to the
// executor; every callback and every public call runs on that executor (one strand).
// Owner: the agent front end. The destructor restores the terminal.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/any_io_executor.hpp>

#include "tools/imtool/line_editor.hpp"

namespace ims::tool {

struct ConsoleEvents {
  std::function<void(std::string line)> on_line;
  std::function<void()> on_end_of_input;  // Ctrl-D on an empty line, or stdin closed
  std::function<void()> on_interrupt;     // Ctrl-C
};

class Console {
 public:
  // interactive: use the line editor and colours (normally: stdin and stdout are terminals).
  Console(boost::asio::any_io_executor executor, ConsoleEvents events, bool interactive);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Whether stdin and stdout are both terminals.
  static bool detect_interactive();

  // Starts reading stdin.
  void start();
  // Stops reading, restores the terminal. Idempotent.
  void stop();

  // Prints one line (or several, '\n'-separated) above the input line.
  void print(std::string_view text);
  void set_prompt(std::string prompt, std::size_t visible_width);
  // The terminal was resized (SIGWINCH).
  void on_resize();

  bool interactive() const { return interactive_; }
  bool colours() const { return colours_; }

 private:
  void reader_loop();
  void on_input(std::string bytes);
  void redraw();
  void write_out(std::string_view bytes);

  boost::asio::any_io_executor executor_;
  ConsoleEvents events_;
  bool interactive_;
  bool colours_;
  LineEditor editor_;
  std::thread reader_;
  int wake_[2] = {-1, -1};
  bool raw_ = false;
  bool stopped_ = false;
  struct SavedTermios;
  std::unique_ptr<SavedTermios> saved_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace ims::tool
