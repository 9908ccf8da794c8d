#include "switch/directory/search.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <utility>

#include "common/util/strings.hpp"
#include "switch/directory/fold.hpp"

namespace ims::sw::directory {
namespace {

class Category : public std::error_category {
 public:
  const char* name() const noexcept override { return "directory search"; }
  std::string message(int ev) const override {
    switch (static_cast<SearchErrc>(ev)) {
      case SearchErrc::QueryTooLong: return "the query is longer than 200 bytes";
      case SearchErrc::TooManyWords: return "the query has more than 8 words";
      case SearchErrc::UnknownType: return "type must be any, agent, queue or routing_point";
      case SearchErrc::BadLimit: return "limit must be a whole number from 1";
    }
    return "unknown directory search error";
  }
};

Error error(SearchErrc e) { return Error{make_error_code(e), make_error_code(e).message()}; }

using At = SearchIndex::At;
using Suffix = SearchIndex::Suffix;
using Table = SearchIndex::Table;

// Fills a Table: folded fields one after the other, each followed by '\0' so that a suffix is a
// C string ending with its field and strcmp orders suffixes.
class TableBuilder {
 public:
  // words: a separator starts a word (text); otherwise only a field's start does (numbers).
  explicit TableBuilder(bool words) { table_.words = words; }

  void add(std::uint32_t entity, Field field, std::string folded) {
    // Directory::build bounds every field far below this (kMaxEmailLength, kMaxNameLength).
    constexpr std::size_t kLongest = std::numeric_limits<std::uint16_t>::max();
    if (folded.size() > kLongest) folded.resize(kLongest);
    if (folded.empty()) return;
    assert(table_.text.size() + folded.size() < std::numeric_limits<std::uint32_t>::max());
    assert(entity < (1u << Suffix::kEntityBits));  // a directory is bounded far below
    const auto start = static_cast<std::uint32_t>(table_.text.size());
    table_.text += folded;
    table_.text += '\0';
    table_.owners.push_back(Suffix(0, entity, field, At::Inside).bits);
    for (std::uint32_t i = 0; i < folded.size(); ++i) {
      const At at = table_.at(start + i);
      if (at == At::Inside) {
        table_.all.push_back(start + i);
      } else {
        table_.starts.push_back(Suffix(start + i, entity, field, at));
      }
    }
  }

  Table finish() && {
    sort(table_.all, [](std::uint32_t pos) { return pos; });
    sort(table_.starts, [](const Suffix& s) { return s.pos; });
    // Grown by appends: each is copied once to its exact size, after the sorts.
    table_.text.shrink_to_fit();
    table_.all.shrink_to_fit();
    table_.starts.shrink_to_fit();
    table_.owners.shrink_to_fit();
    table_.ends.assign(table_.text.size() / 64 + 1, Table::Ends{});
    for (std::size_t i = 0; i < table_.text.size(); ++i)
      if (table_.text[i] == '\0') table_.ends[i / 64].bits |= std::uint64_t{1} << (i % 64);
    std::uint32_t before = 0;
    for (auto& e : table_.ends) {
      e.before = before;
      before += static_cast<std::uint32_t>(std::popcount(e.bits));
    }
    return std::move(table_);
  }

 private:
  // Byte order of the suffixes, as strcmp has it, in two steps that bound the memory a sort
  // takes beside the table (a large directory's index is sorted once at start-up, and that
  // moment is the switch's peak):
  // 1. In place, the suffixes are put in buckets by their first two bytes (an American flag
  //    sort: counts, then each suffix swapped into its bucket).
  // 2. Each bucket is sorted on its own. Most comparisons are settled by the first eight bytes,
  //    so those are packed into one integer beside each suffix and strcmp reads the text only
  //    past them. That keyed copy is as large as one bucket, not the whole table.
  template <typename T, typename PosOf>
  void sort(std::vector<T>& suffixes, PosOf pos_of) const {
    const auto* text = reinterpret_cast<const unsigned char*>(table_.text.data());
    // A suffix's first byte is never the '\0' that ends its field, so its second byte is
    // inside the text: '\0' for a suffix one byte long, which sorts first as in strcmp.
    const auto bucket_of = [&](const T& suffix) {
      const std::uint32_t pos = pos_of(suffix);
      return std::uint32_t{text[pos]} << 8 | text[pos + 1];
    };
    constexpr std::size_t kBuckets = 1 << 16;
    std::vector<std::uint32_t> first(kBuckets + 1, 0);  // bucket b: [first[b], first[b + 1])
    for (const T& suffix : suffixes) ++first[bucket_of(suffix) + 1];
    for (std::size_t b = 1; b <= kBuckets; ++b) first[b] += first[b - 1];
    std::vector<std::uint32_t> next(first.begin(), first.end() - 1);
    for (std::uint32_t b = 0; b < kBuckets; ++b) {
      while (next[b] < first[b + 1]) {
        T moving = suffixes[next[b]];
        for (std::uint32_t to = bucket_of(moving); to != b; to = bucket_of(moving))
          std::swap(moving, suffixes[next[to]++]);
        suffixes[next[b]++] = moving;
      }
    }
    struct Keyed {
      std::uint64_t head;  // the first 8 bytes, big-endian, zero after the field's end
      std::uint32_t pos;
      std::uint32_t index;  // in the bucket
    };
    std::vector<Keyed> keyed;
    std::vector<T> bucket;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      const std::uint32_t from = first[b], to = first[b + 1];
      if (to - from < 2) continue;
      bucket.assign(suffixes.begin() + from, suffixes.begin() + to);
      keyed.clear();
      for (std::uint32_t i = 0; i < bucket.size(); ++i) {
        const std::uint32_t pos = pos_of(bucket[i]);
        std::uint64_t head = 0;
        int k = 0;
        for (; k < 8 && text[pos + k] != '\0'; ++k) head = (head << 8) | text[pos + k];
        keyed.push_back({head << (8 * (8 - k)), pos, i});
      }
      const char* chars = table_.text.data();
      std::sort(keyed.begin(), keyed.end(), [chars](const Keyed& x, const Keyed& y) {
        if (x.head != y.head) return x.head < y.head;
        if ((x.head & 0xFF) == 0) return false;  // both ended within the head: equal
        return std::strcmp(chars + x.pos + 8, chars + y.pos + 8) < 0;
      });
      for (std::uint32_t i = 0; i < keyed.size(); ++i) suffixes[from + i] = bucket[keyed[i].index];
    }
  }

  Table table_;
};

std::uint32_t position(std::uint32_t pos) { return pos; }
std::uint32_t position(const Suffix& s) { return s.pos; }

// The suffixes that start with `term`: one contiguous range of a sorted table (`all` or
// `starts`).
template <typename T>
std::pair<const T*, const T*> occurrences(const std::vector<T>& suffixes, const std::string& text,
                                          std::string_view term) {
  // term holds no '\0' (fold_text turns controls into spaces), so strncmp sees all of it.
  const auto cmp = [&](const T& s) {
    return std::strncmp(text.data() + position(s), term.data(), term.size());
  };
  const auto* lo = std::partition_point(suffixes.data(), suffixes.data() + suffixes.size(),
                                        [&](const T& s) { return cmp(s) < 0; });
  const auto* hi = std::partition_point(lo, suffixes.data() + suffixes.size(),
                                        [&](const T& s) { return cmp(s) == 0; });
  return {lo, hi};
}

// Whether the field of suffix s ends `length` bytes after it (a match of that length is all of
// the rest of the field).
bool ends_after(const Suffix& s, const std::string& text, std::size_t length) {
  return text[s.pos + length] == '\0';
}

// How a term of `length` bytes found at suffix s matches its field.
MatchKind classify(const Suffix& s, const std::string& text, std::size_t length) {
  switch (s.at()) {
    case At::FieldStart: return ends_after(s, text, length) ? MatchKind::Exact : MatchKind::Prefix;
    case At::WordStart: return MatchKind::Prefix;
    case At::Inside: return MatchKind::Substring;
  }
  return MatchKind::Substring;
}

bool worse(MatchKind a, MatchKind b) { return static_cast<int>(a) > static_cast<int>(b); }

// What one query knows of one entity while the terms are matched in turn.
struct State {
  std::uint8_t matched = 0;  // terms matched so far; an entity that missed one stays behind
  MatchKind term_best = MatchKind::Substring;  // the current term's best match
  Field term_field = Field::Name;              // of equal matches, the first in Field order
  MatchKind rank = MatchKind::Exact;           // the weakest of the terms' best matches
  Field rank_field = Field::Name;
};

// State::matched counts every term of a query.
static_assert(kMaxQueryWords < 255);

struct Candidate {
  std::uint64_t key = 0;  // MatchKind, then position by shown name: smaller is better
  std::uint32_t entity = 0;
  MatchKind how = MatchKind::Substring;
  Field field = Field::Name;
};

}  // namespace

const std::error_category& search_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(SearchErrc e) { return {static_cast<int>(e), search_category()}; }

Result<SearchType> parse_search_type(std::string_view text) {
  if (text.empty() || text == "any") return SearchType::Any;
  if (text == "agent") return SearchType::Agent;
  if (text == "queue") return SearchType::Queue;
  if (text == "routing_point") return SearchType::RoutingPoint;
  return error(SearchErrc::UnknownType);
}

std::string_view search_type_name(SearchType type) {
  switch (type) {
    case SearchType::Any: return "any";
    case SearchType::Agent: return "agent";
    case SearchType::Queue: return "queue";
    case SearchType::RoutingPoint: return "routing_point";
  }
  return "any";
}

Result<std::size_t> parse_search_limit(std::string_view text) {
  if (text.empty()) return kDefaultSearchLimit;
  if (text.find_first_not_of("0123456789") != std::string_view::npos) {
    return error(SearchErrc::BadLimit);
  }
  // All digits: only a value too large for 64 bits fails to parse, and that is above the max.
  const auto value = util::parse_uint(text).value_or(kMaxSearchLimit);
  if (value == 0) return error(SearchErrc::BadLimit);
  return static_cast<std::size_t>(std::min<std::uint64_t>(value, kMaxSearchLimit));
}

std::string_view match_kind_name(MatchKind kind) {
  switch (kind) {
    case MatchKind::Exact: return "exact";
    case MatchKind::Prefix: return "prefix";
    case MatchKind::Substring: return "substring";
  }
  return "substring";
}

std::string_view field_name(Field field) {
  switch (field) {
    case Field::Name: return "name";
    case Field::Login: return "login";
    case Field::Email: return "email";
    case Field::Phone: return "phone";
    case Field::Number: return "number";
  }
  return "name";
}

Result<Query> Query::parse(std::string_view text, SearchType type, std::size_t limit) {
  if (text.size() > kMaxQueryBytes) return error(SearchErrc::QueryTooLong);
  if (limit == 0) return error(SearchErrc::BadLimit);
  Query q;
  q.type_ = type;
  q.limit_ = std::min(limit, kMaxSearchLimit);
  q.normalised_ = fold_text(text);
  if (q.normalised_.empty()) return q;
  // A phone number typed with spaces is one number, not several words to find separately.
  if (looks_like_number(q.normalised_)) {
    std::string digits = digits_of(q.normalised_);
    q.terms_.push_back({digits, digits});
    q.one_term_ = true;
    return q;
  }
  std::string_view rest = q.normalised_;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (word.empty()) continue;  // fold_text leaves one space between words; to be sure
    const auto same = [word](const Term& t) { return t.text == word; };
    if (std::any_of(q.terms_.begin(), q.terms_.end(), same)) continue;
    if (q.terms_.size() == kMaxQueryWords) return error(SearchErrc::TooManyWords);
    q.terms_.push_back({std::string(word), looks_like_number(word) ? digits_of(word) : ""});
  }
  q.one_term_ = q.terms_.size() == 1 && q.terms_[0].text == q.normalised_;
  return q;
}

SearchIndex SearchIndex::build(std::shared_ptr<const Directory> directory) {
  SearchIndex index;
  index.directory_ = directory ? std::move(directory) : Directory::empty();
  const Directory& d = *index.directory_;
  index.agents_ = d.agents().size();
  index.queues_ = d.queues().size();
  index.routing_points_ = d.routing_points().size();

  TableBuilder text(true);
  TableBuilder numbers(false);
  std::vector<std::pair<std::string, std::string_view>> sort_keys;  // shown name, login/number
  std::uint32_t id = 0;
  for (const Agent& a : d.agents()) {
    text.add(id, Field::Name, fold_text(a.display_name));
    text.add(id, Field::Login, fold_text(a.login));
    text.add(id, Field::Email, fold_text(a.email));
    numbers.add(id, Field::Phone, digits_of(a.phone));
    sort_keys.emplace_back(fold_text(a.shown_name()), a.login);
    ++id;
  }
  const auto add_numbered = [&](const auto& entries) {
    for (const auto& e : entries) {
      text.add(id, Field::Name, fold_text(e.name));
      numbers.add(id, Field::Number, digits_of(e.number));
      sort_keys.emplace_back(fold_text(e.name.empty() ? e.number : e.name), e.number);
      ++id;
    }
  };
  add_numbered(d.queues());
  add_numbered(d.routing_points());
  index.text_ = std::move(text).finish();
  index.numbers_ = std::move(numbers).finish();

  std::vector<std::uint32_t> by_name(sort_keys.size());
  for (std::uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(),
            [&](std::uint32_t a, std::uint32_t b) { return sort_keys[a] < sort_keys[b]; });
  index.order_.resize(by_name.size());
  for (std::uint32_t pos = 0; pos < by_name.size(); ++pos) index.order_[by_name[pos]] = pos;
  return index;
}

std::uint32_t SearchIndex::Table::owner_at(std::uint32_t pos) const {
  const Ends& e = ends[pos / 64];
  const std::uint64_t below = e.bits & ((std::uint64_t{1} << (pos % 64)) - 1);
  return owners[e.before + static_cast<std::uint32_t>(std::popcount(below))];
}

SearchIndex::At SearchIndex::Table::at(std::uint32_t pos) const {
  if (pos == 0 || text[pos - 1] == '\0') return At::FieldStart;
  return words && is_word_separator(text[pos - 1]) ? At::WordStart : At::Inside;
}

std::size_t SearchIndex::memory_bytes() const {
  const auto table = [](const Table& t) {
    return t.text.capacity() + t.starts.capacity() * sizeof(Suffix) +
           (t.all.capacity() + t.owners.capacity()) * sizeof(std::uint32_t) +
           t.ends.capacity() * sizeof(Table::Ends);
  };
  return table(text_) + table(numbers_) + order_.capacity() * sizeof(std::uint32_t);
}

namespace {

// One search over one index: the terms matched in turn against word starts only (prefix pass)
// or against every suffix (substring pass), each term keeping the entities that matched all
// the terms before it. Holds one State per entity of the searched type for both passes.
class Matcher {
 public:
  Matcher(const Table& text, const Table& numbers, const Query& query, std::uint32_t first,
          std::uint32_t last)
      : text_(text),
        numbers_(numbers),
        query_(query),
        first_(first),
        last_(last),
        states_(last - first) {}

  // The entities that match every term, with their rank.
  std::vector<Candidate> run(bool substrings) {
    for (std::uint32_t e : touched_) states_[e - first_] = State{};
    touched_.clear();
    const auto& terms = query_.terms();
    const bool single = query_.one_term();
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const auto term = static_cast<std::uint8_t>(i);
      current_.clear();
      visit(text_, terms[i].text, substrings, term, single);
      if (!terms[i].digits.empty()) visit(numbers_, terms[i].digits, substrings, term, single);
      if (i == 0) touched_ = current_;
      for (std::uint32_t e : current_) {
        State& s = states_[e - first_];
        if (i == 0 || worse(s.term_best, s.rank)) {
          s.rank = s.term_best;
          s.rank_field = s.term_field;
        }
      }
      if (current_.empty()) return {};
    }
    if (!single) mark_exact(static_cast<std::uint8_t>(terms.size()));
    std::vector<Candidate> out;
    out.reserve(current_.size());
    for (std::uint32_t e : current_) {
      const State& s = states_[e - first_];
      out.push_back({0, e, s.rank, s.rank_field});
    }
    return out;
  }

 private:
  void visit(const Table& t, std::string_view term, bool substrings, std::uint8_t i, bool single) {
    // Word starts are in `starts` only: both passes read them there, and a substring pass
    // then the suffixes inside words, in `all`.
    const auto [slo, shi] = occurrences(t.starts, t.text, term);
    for (const Suffix* s = slo; s != shi; ++s)
      if (State* st = candidate(*s, i)) take(*st, *s, t.text, term, i, single);
    if (!substrings) return;
    const auto [lo, hi] = occurrences(t.all, t.text, term);
    for (const std::uint32_t* pos = lo; pos != hi; ++pos) {
      const Suffix inside(*pos, t.owner_at(*pos), At::Inside);
      if (State* st = candidate(inside, i)) take(*st, inside, t.text, term, i, single);
    }
  }

  // The state of s's entity when it is of the searched type and matched every term before i.
  State* candidate(const Suffix& s, std::uint8_t i) {
    if (s.entity() < first_ || s.entity() >= last_) return nullptr;
    State& st = states_[s.entity() - first_];
    return st.matched < i ? nullptr : &st;  // nullptr: it missed an earlier term
  }

  // One occurrence of term i, at suffix s, for the entity whose state is st.
  void take(State& st, const Suffix& s, const std::string& text, std::string_view term,
            std::uint8_t i, bool single) {
    MatchKind kind = classify(s, text, term.size());
    // One word equal to a field is not the whole query equal to it.
    if (!single && kind == MatchKind::Exact) kind = MatchKind::Prefix;
    if (st.matched == i) {
      st.matched = static_cast<std::uint8_t>(i + 1);
      st.term_best = kind;
      st.term_field = s.field();
      current_.push_back(s.entity());
    } else if (worse(st.term_best, kind) ||
               (kind == st.term_best &&
                static_cast<int>(s.field()) < static_cast<int>(st.term_field))) {
      st.term_best = kind;
      st.term_field = s.field();
    }
  }

  // A query of several words equal to a whole field ("alice martin"): every word is in that
  // field, so the entity has matched them all already.
  void mark_exact(std::uint8_t terms) {
    const std::string& whole = query_.normalised();
    const auto [lo, hi] = occurrences(text_.starts, text_.text, whole);
    for (const Suffix* s = lo; s != hi; ++s) {
      if (s->at() != At::FieldStart || !ends_after(*s, text_.text, whole.size())) continue;
      if (s->entity() < first_ || s->entity() >= last_) continue;
      State& st = states_[s->entity() - first_];
      if (st.matched != terms) continue;
      st.rank = MatchKind::Exact;
      st.rank_field = s->field();
    }
  }

  const Table& text_;
  const Table& numbers_;
  const Query& query_;
  std::uint32_t first_;
  std::uint32_t last_;
  std::vector<State> states_;           // entity id - first_ → state
  std::vector<std::uint32_t> touched_;  // entities whose state is not State{}
  std::vector<std::uint32_t> current_;  // entities that matched every term so far
};

std::string_view field_text(const Agent& a, Field field) {
  switch (field) {
    case Field::Name: return a.display_name;
    case Field::Login: return a.login;
    case Field::Email: return a.email;
    case Field::Phone: return a.phone;
    case Field::Number: break;  // queues and routing points only
  }
  return a.phone;
}

}  // namespace

std::vector<Hit> SearchIndex::search(const Query& query) const {
  if (query.empty()) return {};
  auto first = static_cast<std::uint32_t>(0);
  auto last = static_cast<std::uint32_t>(agents_ + queues_ + routing_points_);
  switch (query.type()) {
    case SearchType::Any: break;
    case SearchType::Agent: last = static_cast<std::uint32_t>(agents_); break;
    case SearchType::Queue:
      first = static_cast<std::uint32_t>(agents_);
      last = static_cast<std::uint32_t>(agents_ + queues_);
      break;
    case SearchType::RoutingPoint: first = static_cast<std::uint32_t>(agents_ + queues_); break;
  }
  // Word prefixes outrank every substring: when they fill the page, substrings cannot be on it.
  Matcher matcher(text_, numbers_, query, first, last);
  std::vector<Candidate> found = matcher.run(false);
  if (found.size() < query.limit()) found = matcher.run(true);
  for (Candidate& c : found) {
    c.key = (std::uint64_t{static_cast<std::uint8_t>(c.how)} << 32) | order_[c.entity];
  }
  const std::size_t n = std::min(found.size(), query.limit());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(n), found.end(),
                    [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
  found.resize(n);

  std::vector<Hit> hits;
  hits.reserve(n);
  const Directory& d = *directory_;
  for (const Candidate& c : found) {
    Hit h;
    h.how = c.how;
    h.field = c.field;
    if (c.entity < agents_) {
      const Agent& a = d.agents()[c.entity];
      h.ref = {EntityKind::Agent, c.entity};
      h.target = &a;
      h.text = field_text(a, c.field);
    } else if (c.entity < agents_ + queues_) {
      const Queue& q = d.queues()[c.entity - agents_];
      h.ref = {EntityKind::Queue, c.entity - agents_};
      h.target = &q;
      h.text = c.field == Field::Number ? q.number : q.name;
    } else {
      const RoutingPoint& rp = d.routing_points()[c.entity - agents_ - queues_];
      h.ref = {EntityKind::RoutingPoint, c.entity - agents_ - queues_};
      h.target = &rp;
      h.text = c.field == Field::Number ? rp.number : rp.name;
    }
    hits.push_back(h);
  }
  return hits;
}

}  // namespace ims::sw::directory
