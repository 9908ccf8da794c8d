#pragma once
// LineEditor: the input line of `imtool agent` in a terminal. Sans-I/O: it is fed the bytes the
// terminal sends in raw mode (keys, escape sequences, UTF-8) and returns what they mean (a line
// entered, end of input, an interrupt); render() gives the escape sequence that redraws the line
// in place, so output can be printed above it without garbling what the user is typing.
//
// Keys: printable text and UTF-8 insert at the cursor; Left/Right, Home/End, Ctrl-A/E/B/F move;
// Backspace, Delete, Ctrl-D (on a non-empty line), Ctrl-K, Ctrl-U and Ctrl-W delete; Up/Down
// walk the history (Ctrl-P/N too); Enter ends the line; Ctrl-D on an empty line is end of input;
// Ctrl-C clears the line and reports an interrupt; Ctrl-L asks for a redraw. Escape sequences
// may arrive split across reads. Each code point counts as one column.
//
// Owner: the terminal front end. Not thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ims::tool {

struct EditorEvent {
  enum class Kind { Line, EndOfInput, Interrupt, Redraw };
  Kind kind = Kind::Line;
  std::string line;  // Kind::Line: the text entered (without the line end)
};

class LineEditor {
 public:
  // Bound on one line (bytes) and on the history (entries): input beyond them is ignored.
  static constexpr std::size_t kMaxLine = 4096;
  static constexpr std::size_t kMaxHistory = 200;

  // Processes terminal input; returns the events it completed, in order.
  std::vector<EditorEvent> feed(std::string_view bytes);

  void set_prompt(std::string prompt, std::size_t visible_width);
  // Columns of the terminal, for horizontal scrolling of long lines.
  void set_width(std::size_t columns) { columns_ = columns < 10 ? 10 : columns; }

  // "\r" + prompt + the visible part of the line + clear to end of line + cursor placement.
  std::string render() const;
  // Moves to the start of the line and clears it, so that output can be printed there.
  static std::string_view clear() { return "\r\x1b[K"; }

  const std::string& text() const { return line_; }
  std::size_t cursor() const { return cursor_; }  // byte offset into text()

 private:
  void insert(std::string_view s);
  void handle_escape(std::string_view seq);
  void backspace();
  void erase_forward();
  void kill_word_back();
  void left();
  void right();
  void history_move(int step);
  std::size_t columns_of(std::size_t from, std::size_t to) const;

  std::string prompt_;
  std::size_t prompt_width_ = 0;
  std::size_t columns_ = 80;
  std::string line_;
  std::size_t cursor_ = 0;
  std::string pending_;  // an incomplete escape sequence or UTF-8 character
  bool after_cr_ = false;  // the last byte ended a line with \r
  std::vector<std::string> history_;
  std::size_t history_pos_ = 0;  // == history_.size(): the line being edited
  std::string draft_;            // the line being edited while walking the history
};

}  // namespace ims::tool
