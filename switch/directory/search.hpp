#pragma once
// The Team Communicator search (PRODUCT §1): agents, queues and routing points found by what a
// person remembers of them — part of a name, a login, an email address, a phone or queue
// number — and ranked. This is the sans-I/O core: it returns the matched directory entries;
// the HTTP API and imtool add each hit's live state and the actions allowed.
//
// Matching, on folded text (fold.hpp: case and accents ignored):
//   - a query is split into words on white space; every word must match (AND), each in any
//     field of the entry;
//   - a word matches a field where the field contains it; it is a word prefix when it starts the
//     field or follows a separator (kWordSeparators), so "mar" finds "Alice Martin" and
//     "marco.rossi@example.com" as prefixes and "Omar" as a substring;
//   - numbers (an agent's phone, a queue's or routing point's number) are compared on digits
//     only, with a query word that looks like a number (looks_like_number); a query that is all
//     number ("+33 1 23", "2001") is one term, its digits, so "+33 1 23" finds +33123456789;
//   - the rank is the weakest of the words' best matches: Exact when a field equals the whole
//     query (a number: when the digits are equal), Prefix when every word is a word prefix
//     somewhere, Substring otherwise. In a query of several words, a word equal to a whole
//     field counts as a prefix: only the whole query can be exact.
// Hits come best first: by MatchKind, then by shown name (folded), then login or number.
//
// Lifetime: a SearchIndex holds the shared_ptr<const Directory> it was built from, and every
// Hit points into that Directory, so hits stay valid while the index that returned them (or
// another owner of directory()) is alive. The switch builds one index per Directory, swaps both
// together on reload, and a request in flight keeps the index it started with.
//
// Immutable once built; search() is const and keeps no state, so any thread may call it. A
// SearchIndex is a value (a copy shares the Directory); hold it as shared_ptr<const SearchIndex>
// beside the Directory's to swap both at once.
// Cost: about 5.5 bytes per character of folded text (the text and its sorted suffixes): some
// 8.3 MB for 20,000 agents with names, logins and emails. Building sorts every suffix, about
// 0.2 s for those 20,000 agents: build off the SIP strand when the directory is large. A search
// is one binary search per word and a pass over its matches: tens of microseconds
// (tests/bench/directory_search.cpp), a substring pass about twice a prefix pass's time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/util/result.hpp"
#include "switch/directory/directory.hpp"

namespace ims::sw::directory {

// Bounds (STYLE rule 9): what a search request may ask for.
inline constexpr std::size_t kMaxQueryBytes = 200;
// Distinct words: each one is a pass over its matches, so the bound is what keeps the worst
// query (many short, common words) near 1.5 ms on 20,000 agents.
inline constexpr std::size_t kMaxQueryWords = 8;
inline constexpr std::size_t kDefaultSearchLimit = 20;
inline constexpr std::size_t kMaxSearchLimit = 200;

enum class SearchErrc {
  QueryTooLong = 1,  // more than kMaxQueryBytes bytes
  TooManyWords,      // more than kMaxQueryWords different words
  UnknownType,       // a type other than any, agent, queue, routing_point
  BadLimit,          // not a number from 1 up
};
const std::error_category& search_category();
std::error_code make_error_code(SearchErrc e);

// Which entries a search returns (the API's `type`).
enum class SearchType : std::uint8_t { Any, Agent, Queue, RoutingPoint };
// "any" (or empty), "agent", "queue", "routing_point".
Result<SearchType> parse_search_type(std::string_view text);
std::string_view search_type_name(SearchType type);
// The API's `limit`: empty → kDefaultSearchLimit; decimal 1.. ; above kMaxSearchLimit → that.
Result<std::size_t> parse_search_limit(std::string_view text);

// How well an entry matched, best first.
enum class MatchKind : std::uint8_t { Exact, Prefix, Substring };
std::string_view match_kind_name(MatchKind kind);  // "exact", "prefix", "substring"

// The field of an entry a hit was found in.
enum class Field : std::uint8_t {
  Name,    // an agent's display name, a queue's or routing point's name
  Login,   // agents
  Email,   // agents
  Phone,   // agents, digits only
  Number,  // queues and routing points, digits only
};
std::string_view field_name(Field field);  // "name", "login", "email", "phone", "number"

// A parsed, normalised query. Made by parse only, so a Query in hand is within bounds.
class Query {
 public:
  // Trims, collapses white space and folds; more than kMaxQueryBytes bytes (before trimming) is
  // QueryTooLong. A word given twice counts once; more than kMaxQueryWords words is
  // TooManyWords. A limit of 0 is BadLimit and one above kMaxSearchLimit is lowered to it. An
  // empty (or all-space) query is valid and finds nothing.
  static Result<Query> parse(std::string_view text, SearchType type = SearchType::Any,
                             std::size_t limit = kDefaultSearchLimit);

  bool empty() const { return terms_.empty(); }
  const std::string& normalised() const { return normalised_; }  // "josé  MARTIN " → "jose martin"
  SearchType type() const { return type_; }
  std::size_t limit() const { return limit_; }

  // One word to match: its folded text against names, logins and emails, its digits (empty if
  // the word is not a number) against phones and numbers.
  struct Term {
    std::string text;
    std::string digits;
  };
  const std::vector<Term>& terms() const { return terms_; }
  // The whole query is its one term (one word, or one number): a field equal to the term is
  // equal to the query. Not so for "alice alice", one term after repeats are dropped.
  bool one_term() const { return one_term_; }

 private:
  Query() = default;

  std::string normalised_;
  std::vector<Term> terms_;
  bool one_term_ = false;
  SearchType type_ = SearchType::Any;
  std::size_t limit_ = kDefaultSearchLimit;
};

// One entry found. `target` and `text` point into the index's Directory (see Lifetime above).
struct Hit {
  EntityRef ref;  // kind and index in Directory::agents(), queues() or routing_points()
  Target target;  // the entry itself
  MatchKind how = MatchKind::Substring;
  Field field = Field::Name;  // where the match that decided `how` was found
  std::string_view text;      // that field's value as configured ("+33123456789", "Zoë Dupré")
};

class SearchIndex {
 public:
  // Folds every searchable field of the directory and sorts its suffixes. A null directory is
  // indexed as Directory::empty().
  static SearchIndex build(std::shared_ptr<const Directory> directory);

  // At most query.limit() hits, best first; none for an empty query.
  std::vector<Hit> search(const Query& query) const;

  const std::shared_ptr<const Directory>& directory() const { return directory_; }
  // Bytes held by the index beyond the Directory itself (for logs and the bench).
  std::size_t memory_bytes() const;

  // Implementation types (search.cpp), public only so that its helpers can name them.
  //
  // Where a suffix of a folded field starts.
  enum class At : std::uint8_t { Inside, WordStart, FieldStart };
  // One suffix of a field: the text from `pos` up to the field's '\0'. What a match needs to
  // know is kept here, so that reading a range of matches reads memory in order; 8 bytes, one
  // per word start (`starts`).
  struct Suffix {
    static constexpr unsigned kEntityBits = 27;  // entity ids below 2^27; Field in 3, At in 2
    Suffix() = default;
    Suffix(std::uint32_t at_pos, std::uint32_t entity_id, Field f, At where)
        : pos(at_pos),
          bits(entity_id | static_cast<std::uint32_t>(f) << kEntityBits |
               static_cast<std::uint32_t>(where) << (kEntityBits + 3)) {}
    // `owner` names the entity and field (as Table::owners holds them, At::Inside).
    Suffix(std::uint32_t at_pos, std::uint32_t owner, At where)
        : pos(at_pos), bits(owner | static_cast<std::uint32_t>(where) << (kEntityBits + 3)) {}
    std::uint32_t entity() const { return bits & ((1u << kEntityBits) - 1); }
    Field field() const { return static_cast<Field>((bits >> kEntityBits) & 7u); }
    At at() const { return static_cast<At>(bits >> (kEntityBits + 3)); }

    std::uint32_t pos = 0;  // in Table::text
    std::uint32_t bits = 0;
  };
  // Folded fields, each followed by '\0', and their suffixes in byte order, so that every
  // occurrence of a word is one binary-searched range: `starts` holds the suffixes at a word
  // start (prefixes: the common case, and far fewer) with what a match needs beside each,
  // `all` every other suffix, inside a word (substrings), as its position only, 4 bytes a
  // byte of text: at 100,000 agents it is most of the index. Whose field a position lies in is found in constant time:
  // the number of fields ended before it (a bit per byte of text marks each '\0', with counts
  // per 64 bits) is the field's index in `owners`.
  struct Table {
    std::string text;
    std::vector<std::uint32_t> all;
    std::vector<Suffix> starts;
    std::vector<std::uint32_t> owners;  // by field, in text order: entity and Field bits
    struct Ends {
      std::uint64_t bits = 0;    // bit i: text[64 w + i] == '\0', for the w-th Ends
      std::uint32_t before = 0;  // fields ended before text[64 w]
    };
    std::vector<Ends> ends;
    bool words = true;  // a separator starts a word (false: numbers)

    // The entity and Field bits (as in `owners`) of the field `pos` lies in.
    std::uint32_t owner_at(std::uint32_t pos) const;
    // Where the suffix at `pos` starts within its field.
    At at(std::uint32_t pos) const;
  };

 private:
  SearchIndex() = default;

  std::shared_ptr<const Directory> directory_;
  Table text_;                        // names, logins, emails
  Table numbers_;                     // phones and numbers, digits only
  std::vector<std::uint32_t> order_;  // entity id → position by shown name, login/number
  std::size_t agents_ = 0;            // entity ids: agents, then queues, then routing points
  std::size_t queues_ = 0;
  std::size_t routing_points_ = 0;
};

}  // namespace ims::sw::directory

template <>
struct std::is_error_code_enum<ims::sw::directory::SearchErrc> : std::true_type {};
