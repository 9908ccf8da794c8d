// The input line of `imtool agent`: keys, escape sequences split across reads, UTF-8, history
// and the redraw sequence.

#include "tools/imtool/line_editor.hpp"

#include <gtest/gtest.h>

namespace ims::tool {
namespace {

std::vector<std::string> lines_of(const std::vector<EditorEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    if (e.kind == EditorEvent::Kind::Line) out.push_back(e.line);
  return out;
}

TEST(LineEditor, TypedTextEndsWithEnterAndTheLineStartsEmptyAgain) {
  LineEditor ed;
  EXPECT_TRUE(ed.feed("hello").empty());
  EXPECT_EQ(ed.text(), "hello");
  auto ev = ed.feed("\r");
  ASSERT_EQ(lines_of(ev), std::vector<std::string>{"hello"});
  EXPECT_EQ(ed.text(), "");
  EXPECT_EQ(ed.cursor(), 0u);
}

TEST(LineEditor, CrLfFromAPipeIsOneLineEnd) {
  LineEditor ed;
  auto ev = ed.feed("a\r\nb\nc\r");
  EXPECT_EQ(lines_of(ev), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(lines_of(ed.feed("\n\n")), (std::vector<std::string>{""}));  // the \n after \r is eaten
}

TEST(LineEditor, CursorKeysEditInTheMiddle) {
  LineEditor ed;
  ed.feed("helo");
  ed.feed("\x1b[D");  // Left
  ed.feed("l");
  EXPECT_EQ(ed.text(), "hello");
  ed.feed("\x01");  // Ctrl-A
  ed.feed("say ");
  EXPECT_EQ(ed.text(), "say hello");
  ed.feed("\x05\x7f");  // Ctrl-E, Backspace
  EXPECT_EQ(ed.text(), "say hell");
  ed.feed("\x1b[H\x1b[3~");  // Home, Delete
  EXPECT_EQ(ed.text(), "ay hell");
  ed.feed("\x17");  // Ctrl-W at the start deletes nothing
  EXPECT_EQ(ed.text(), "ay hell");
  ed.feed("\x1b[F\x17");  // End, Ctrl-W: the last word
  EXPECT_EQ(ed.text(), "ay ");
  ed.feed("\x15");  // Ctrl-U
  EXPECT_EQ(ed.text(), "");
}

TEST(LineEditor, EscapeSequenceSplitAcrossReads) {
  LineEditor ed;
  ed.feed("ab");
  EXPECT_TRUE(ed.feed("\x1b").empty());
  ed.feed("[");
  ed.feed("D");
  ed.feed("X");
  EXPECT_EQ(ed.text(), "aXb");
}

TEST(LineEditor, Utf8IsOneColumnPerCodePointAndNeverSplit) {
  LineEditor ed;
  ed.feed("h\xc3");  // the first byte of "é"
  EXPECT_EQ(ed.text(), "h");
  ed.feed("\xa9llo");
  EXPECT_EQ(ed.text(), "h\xc3\xa9llo");
  ed.feed("\x1b[H\x1b[C\x1b[C");  // Home, Right, Right: after "hé"
  EXPECT_EQ(ed.cursor(), 3u);
  ed.feed("\x7f");  // removes both bytes of é
  EXPECT_EQ(ed.text(), "hllo");
  ed.feed("\xff\x80");  // invalid bytes are dropped
  EXPECT_EQ(ed.text(), "hllo");
}

TEST(LineEditor, HistoryWalksBackAndReturnsToTheDraft) {
  LineEditor ed;
  ed.feed("one\rtwo\rdraft");
  ed.feed("\x1b[A");
  EXPECT_EQ(ed.text(), "two");
  ed.feed("\x1b[A\x1b[A");
  EXPECT_EQ(ed.text(), "one");
  ed.feed("\x1b[B\x1b[B");
  EXPECT_EQ(ed.text(), "draft");
}

TEST(LineEditor, CtrlDEndsInputOnlyOnAnEmptyLineAndCtrlCClears) {
  LineEditor ed;
  ed.feed("ab\x01");
  EXPECT_TRUE(ed.feed("\x04").empty());  // deletes "a"
  EXPECT_EQ(ed.text(), "b");
  auto ev = ed.feed("\x03");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EditorEvent::Kind::Interrupt);
  EXPECT_EQ(ed.text(), "");
  ev = ed.feed("\x04");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EditorEvent::Kind::EndOfInput);
}

TEST(LineEditor, RenderRedrawsPromptLineAndCursorInPlace) {
  LineEditor ed;
  ed.set_prompt("> ", 2);
  ed.feed("hello\x1b[D\x1b[D");
  EXPECT_EQ(ed.render(), "\r> hello\x1b[K\x1b[2D");
}

TEST(LineEditor, LongLinesScrollToKeepTheCursorVisible) {
  LineEditor ed;
  ed.set_width(20);
  ed.set_prompt("> ", 2);
  ed.feed("abcdefghijklmnopqrstuvwxyz");
  // 17 columns of room: the tail of the line, the cursor after it.
  EXPECT_EQ(ed.render(), "\r> klmnopqrstuvwxyz\x1b[K");
  ed.feed("\x01");
  EXPECT_EQ(ed.render(), "\r> abcdefghijklmnopq\x1b[K\x1b[17D");
}

TEST(LineEditor, LineLengthIsBounded) {
  LineEditor ed;
  ed.feed(std::string(LineEditor::kMaxLine + 100, 'x'));
  EXPECT_EQ(ed.text().size(), LineEditor::kMaxLine);
}

}  // namespace
}  // namespace ims::tool
