#include "switch/store/fts_query.hpp"

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

#include "switch/store/errors.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::store::fts {
namespace {

bool is_separator(unsigned char c) { return c <= 0x20 || c == 0x7f; }

bool is_word_char(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

Result<std::vector<std::string>> split_words(std::string_view text) {
  if (text.size() > kMaxSearchBytes) {
    return Error{StoreErrc::Invalid,
                 fmt::format("search: {} bytes of words, more than {}", text.size(),
                             kMaxSearchBytes)};
  }
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    bool has_word_char = false;
    for (; i < text.size() && !is_separator(static_cast<unsigned char>(text[i])); ++i) {
      has_word_char = has_word_char || is_word_char(static_cast<unsigned char>(text[i]));
    }
    if (!has_word_char) continue;  // only punctuation: FTS5 would see no token in it
    if (words.size() == kMaxSearchWords) {
      return Error{StoreErrc::Invalid,
                   fmt::format("search: more than {} words", kMaxSearchWords)};
    }
    words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

bool ends_in_word(std::string_view text) {
  return !text.empty() && !is_separator(static_cast<unsigned char>(text.back()));
}

std::string match_all(const std::vector<std::string>& words, bool prefix_last) {
  std::string out;
  for (std::size_t w = 0; w < words.size(); ++w) {
    if (w > 0) out += ' ';
    out += '"';
    for (char c : words[w]) {
      if (c == '"') out += '"';  // FTS5: a quote inside a string is written twice
      out += c;
    }
    out += '"';
    if (prefix_last && w + 1 == words.size() &&
        std::count_if(words[w].begin(), words[w].end(), [](char c) {
          return is_word_char(static_cast<unsigned char>(c));
        }) >= static_cast<std::ptrdiff_t>(kMinPrefixBytes))
      out += '*';
  }
  return out;
}

std::string party_token(std::string_view login) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "p";
  out.reserve(1 + 2 * login.size());
  for (char c : login) {
    const auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

}  // namespace ims::sw::store::fts
