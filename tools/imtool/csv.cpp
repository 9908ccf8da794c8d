#include "tools/imtool/csv.hpp"

#include <fmt/format.h>

#include "common/util/utf8.hpp"

namespace ims::tool {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

Error bad(std::size_t line, std::string_view why) {
  return Error{std::make_error_code(std::errc::invalid_argument),
               fmt::format("line {}: {}", line, why)};
}

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_line_end(char c) { return c == '\n' || c == '\r'; }

// Reads one CSV text front to back; `at` and `line` follow the reading.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {
    if (text_.substr(0, kBom.size()) == kBom) at_ = kBom.size();
  }

  Result<std::vector<CsvRecord>> all() {
    std::vector<CsvRecord> out;
    while (at_ < text_.size()) {
      if (is_line_end(text_[at_])) {  // a blank line
        end_line();
        continue;
      }
      auto record = next_record();
      if (!record) return record.error();
      const bool blank = record->fields.size() == 1 && record->fields[0].empty() && !quoted_;
      if (!blank) out.push_back(std::move(*record));
    }
    return out;
  }

 private:
  Result<CsvRecord> next_record() {
    CsvRecord record{line_, {}};
    quoted_ = false;
    while (true) {
      auto field = next_field();
      if (!field) return field.error();
      if (record.fields.size() == kMaxCsvFields)
        return bad(record.line, fmt::format("more than {} fields", kMaxCsvFields));
      if (!util::valid_utf8(*field))
        return bad(line_, "not UTF-8 text (save the file as UTF-8)");
      record.fields.push_back(std::move(*field));
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < text_.size()) end_line();  // the record's line break
      return record;
    }
  }

  // One field; leaves `at` on the comma, the line break or the end.
  Result<std::string> next_field() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
    if (at_ < text_.size() && text_[at_] == '"') return quoted_field();
    const std::size_t start = at_;
    while (at_ < text_.size() && text_[at_] != ',' && !is_line_end(text_[at_])) ++at_;
    std::string_view field = text_.substr(start, at_ - start);
    while (!field.empty() && is_space(field.back())) field.remove_suffix(1);
    if (field.find('"') != std::string_view::npos) {
      return bad(line_,
                 "a '\"' inside an unquoted field (quote the whole field and double the '\"')");
    }
    if (field.size() > kMaxCsvFieldBytes)
      return bad(line_, fmt::format("a field longer than {} bytes", kMaxCsvFieldBytes));
    return std::string(field);
  }

  Result<std::string> quoted_field() {
    const std::size_t opened = line_;
    quoted_ = true;
    ++at_;  // the opening quote
    std::string out;
    while (true) {
      if (at_ >= text_.size())
        return bad(opened, "a quoted field is never closed (a '\"' is missing)");
      const char c = text_[at_];
      if (c == '"') {
        if (at_ + 1 < text_.size() && text_[at_ + 1] == '"') {
          out += '"';
          at_ += 2;
          continue;
        }
        ++at_;
        break;
      }
      if (c == '\n') ++line_;
      if (c == '\r' && (at_ + 1 >= text_.size() || text_[at_ + 1] != '\n')) ++line_;
      out += c;
      ++at_;
      if (out.size() > kMaxCsvFieldBytes)
        return bad(opened, fmt::format("a field longer than {} bytes", kMaxCsvFieldBytes));
    }
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
    if (at_ < text_.size() && text_[at_] != ',' && !is_line_end(text_[at_]))
      return bad(line_, "text after a closing '\"' (a quote inside a quoted field is doubled)");
    return out;
  }

  // Past one line break: CRLF, LF or a lone CR.
  void end_line() {
    if (text_[at_] == '\r' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n') ++at_;
    ++at_;
    ++line_;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t line_ = 1;
  bool quoted_ = false;  // the record read last had a quoted field
};

}  // namespace

Result<std::vector<CsvRecord>> read_csv(std::string_view text) { return Reader(text).all(); }

}  // namespace ims::tool
