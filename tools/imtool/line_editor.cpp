#include "tools/imtool/line_editor.hpp"

#include <algorithm>

namespace ims::tool {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the UTF-8 sequence that lead starts, 0 for a byte that cannot start one.
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

void LineEditor::set_prompt(std::string prompt, std::size_t visible_width) {
  prompt_ = std::move(prompt);
  prompt_width_ = visible_width;
}

std::vector<EditorEvent> LineEditor::feed(std::string_view bytes) {
  std::vector<EditorEvent> events;
  std::string input = std::move(pending_);
  pending_.clear();
  input.append(bytes);
  std::size_t i = 0;
  while (i < input.size()) {
    const auto c = static_cast<unsigned char>(input[i]);
    if (c == 0x1b) {
      if (i + 1 >= input.size()) {
        pending_ = input.substr(i);  // maybe the start of a sequence split across reads
        break;
      }
      const char kind = input[i + 1];
      if (kind != '[' && kind != 'O') {  // Alt+key: not bound
        i += 2;
        continue;
      }
      std::size_t end = i + 2;
      while (end < input.size() && !(input[end] >= 0x40 && input[end] <= 0x7e)) ++end;
      if (end >= input.size()) {
        if (end - i > 16) {  // not a sequence we know: drop it rather than wait forever
          i = end;
          continue;
        }
        pending_ = input.substr(i);
        break;
      }
      handle_escape(std::string_view(input).substr(i + 1, end - i));
      i = end + 1;
      continue;
    }
    if (c == '\n' && after_cr_) {  // "\r\n" from a pipe or a file is one line end
      after_cr_ = false;
      ++i;
      continue;
    }
    after_cr_ = c == '\r';
    switch (c) {
      case '\r':
      case '\n': {
        EditorEvent e{EditorEvent::Kind::Line, line_};
        if (!line_.empty() && (history_.empty() || history_.back() != line_)) {
          history_.push_back(line_);
          if (history_.size() > kMaxHistory) history_.erase(history_.begin());
        }
        history_pos_ = history_.size();
        line_.clear();
        draft_.clear();
        cursor_ = 0;
        events.push_back(std::move(e));
        ++i;
        continue;
      }
      case 0x01: cursor_ = 0; break;                          // Ctrl-A
      case 0x05: cursor_ = line_.size(); break;               // Ctrl-E
      case 0x02: left(); break;                               // Ctrl-B
      case 0x06: right(); break;                              // Ctrl-F
      case 0x0b: line_.erase(cursor_); break;                 // Ctrl-K
      case 0x15: line_.erase(0, cursor_); cursor_ = 0; break;  // Ctrl-U
      case 0x17: kill_word_back(); break;                     // Ctrl-W
      case 0x10: history_move(-1); break;                     // Ctrl-P
      case 0x0e: history_move(+1); break;                     // Ctrl-N
      case 0x7f:
      case 0x08: backspace(); break;
      case 0x04:  // Ctrl-D
        if (line_.empty()) {
          events.push_back({EditorEvent::Kind::EndOfInput, {}});
        } else {
          erase_forward();
        }
        break;
      case 0x03:  // Ctrl-C
        line_.clear();
        cursor_ = 0;
        history_pos_ = history_.size();
        events.push_back({EditorEvent::Kind::Interrupt, {}});
        break;
      case 0x0c: events.push_back({EditorEvent::Kind::Redraw, {}}); break;  // Ctrl-L
      default:
        if (c < 0x20) break;  // other control characters are not bound
        {
          const std::size_t n = utf8_length(c);
          if (n == 0) {  // a stray continuation byte or an invalid lead: dropped
            ++i;
            continue;
          }
          if (i + n > input.size()) {
            pending_ = input.substr(i);
            i = input.size();
            continue;
          }
          bool valid = true;
          for (std::size_t k = 1; k < n; ++k)
            valid = valid && is_continuation(static_cast<unsigned char>(input[i + k]));
          if (valid) insert(std::string_view(input).substr(i, n));
          i += valid ? n : 1;
          continue;
        }
    }
    ++i;
  }
  return events;
}

void LineEditor::handle_escape(std::string_view seq) {
  // seq is "[A", "OH", "[3~", "[1;5C" ...: the introducer and what follows, final byte last.
  const char final = seq.back();
  const std::string_view params = seq.substr(1, seq.size() - 2);
  switch (final) {
    case 'A': history_move(-1); return;
    case 'B': history_move(+1); return;
    case 'C': right(); return;
    case 'D': left(); return;
    case 'H': cursor_ = 0; return;
    case 'F': cursor_ = line_.size(); return;
    case '~':
      if (params == "3") erase_forward();
      if (params == "1" || params == "7") cursor_ = 0;
      if (params == "4" || params == "8") cursor_ = line_.size();
      return;
    default: return;  // not bound
  }
}

void LineEditor::insert(std::string_view s) {
  if (line_.size() + s.size() > kMaxLine) return;
  line_.insert(cursor_, s);
  cursor_ += s.size();
}

void LineEditor::left() {
  while (cursor_ > 0) {
    --cursor_;
    if (!is_continuation(static_cast<unsigned char>(line_[cursor_]))) break;
  }
}

void LineEditor::right() {
  if (cursor_ >= line_.size()) return;
  ++cursor_;
  while (cursor_ < line_.size() && is_continuation(static_cast<unsigned char>(line_[cursor_])))
    ++cursor_;
}

void LineEditor::backspace() {
  const std::size_t end = cursor_;
  left();
  line_.erase(cursor_, end - cursor_);
}

void LineEditor::erase_forward() {
  const std::size_t start = cursor_;
  right();
  line_.erase(start, cursor_ - start);
  cursor_ = start;
}

void LineEditor::kill_word_back() {
  std::size_t start = cursor_;
  while (start > 0 && line_[start - 1] == ' ') --start;
  while (start > 0 && line_[start - 1] != ' ') --start;
  line_.erase(start, cursor_ - start);
  cursor_ = start;
}

void LineEditor::history_move(int step) {
  if (history_.empty()) return;
  if (history_pos_ == history_.size()) draft_ = line_;
  if (step < 0 && history_pos_ > 0) --history_pos_;
  if (step > 0 && history_pos_ < history_.size()) ++history_pos_;
  line_ = history_pos_ == history_.size() ? draft_ : history_[history_pos_];
  cursor_ = line_.size();
}

std::size_t LineEditor::columns_of(std::size_t from, std::size_t to) const {
  std::size_t n = 0;
  for (std::size_t i = from; i < to && i < line_.size(); ++i)
    if (!is_continuation(static_cast<unsigned char>(line_[i]))) ++n;
  return n;
}

std::string LineEditor::render() const {
  // Horizontal scrolling: the window of the line that fits after the prompt and holds the
  // cursor.
  const std::size_t room =
      columns_ > prompt_width_ + 2 ? columns_ - prompt_width_ - 1 : std::size_t{1};
  const std::size_t cursor_col = columns_of(0, cursor_);
  const std::size_t first_col = cursor_col >= room ? cursor_col - room + 1 : 0;
  std::size_t start = 0;
  for (std::size_t col = 0; start < line_.size() && col < first_col;) {
    ++start;
    while (start < line_.size() && is_continuation(static_cast<unsigned char>(line_[start])))
      ++start;
    ++col;
  }
  std::size_t end = start;
  for (std::size_t col = 0; end < line_.size() && col < room;) {
    ++end;
    while (end < line_.size() && is_continuation(static_cast<unsigned char>(line_[end]))) ++end;
    ++col;
  }
  std::string out = "\r";
  out += prompt_;
  out.append(line_, start, end - start);
  out += "\x1b[K";
  const std::size_t back = columns_of(start, end) - (cursor_col - first_col);
  if (back > 0) out += "\x1b[" + std::to_string(back) + "D";
  return out;
}

}  // namespace ims::tool
