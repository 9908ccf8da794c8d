#pragma once
// Builds SQLite FTS5 query strings (https://sqlite.org/fts5.html#full_text_query_syntax) from
// user text without ever passing the user's syntax on: every word becomes a quoted string, in
// which FTS5 sees only tokens, so quotes, *, ^, :, NEAR, AND/OR/NOT and parentheses are plain
// text. Pure functions over values.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"

namespace ims::sw::store::fts {

// The user's words: split at whitespace and control characters, keeping those with at least one
// letter or digit (any byte >= 0x80 counts: UTF-8 letters). Fails with StoreErrc::Invalid past
// kMaxSearchBytes or kMaxSearchWords.
[[nodiscard]] Result<std::vector<std::string>> split_words(std::string_view text);

// "w1" "w2" "w3"*: all the words (an implicit AND), each quoted with its own quotes doubled; the
// last one a prefix when `prefix_last` and it has kMinPrefixBytes letters and digits or more
// (a shorter prefix of a very common word would make FTS5 merge huge lists). "" for no words.
std::string match_all(const std::vector<std::string>& words, bool prefix_last);

// Whether the user's text ends inside a word (still being typed: the last word is a prefix) rather
// than after whitespace (the last word is complete).
bool ends_in_word(std::string_view text);

// The term of the im_transcript_fts 'parties' column that stands for `login` (schema v5): 'p'
// and the hex of its bytes, one token that no other login shares.
std::string party_token(std::string_view login);

}  // namespace ims::sw::store::fts
