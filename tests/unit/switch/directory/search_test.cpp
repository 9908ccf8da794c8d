#include "switch/directory/search.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "switch/directory/fold.hpp"

namespace ims::sw::directory {
namespace {

Agent agent(std::string login, std::string name, std::string email = "", std::string phone = "") {
  Agent a;
  a.login = std::move(login);
  a.display_name = std::move(name);
  a.email = std::move(email);
  a.phone = std::move(phone);
  a.credentials.password = "pw";
  return a;
}

Queue queue(std::string number, std::string name) {
  Queue q;
  q.number = std::move(number);
  q.name = std::move(name);
  q.members = {"alice"};
  return q;
}

RoutingPoint routing_point(std::string number, std::string name, std::string target) {
  RoutingPoint rp;
  rp.number = std::move(number);
  rp.name = std::move(name);
  rp.default_target = std::move(target);
  return rp;
}

std::shared_ptr<const Directory> centre() {
  DirectoryData d;
  d.domains = {"example.com"};
  d.agents = {
      agent("alice", "Alice Martin", "alice.martin@example.com", "+33123456789"),
      agent("marco", "Marco Rossi", "marco.rossi@example.com", "1002"),
      agent("jose", "José Núñez", "jose.nunez@example.com", "1003"),
      agent("omar", "Omar Haddad", "omar@example.com", "1004"),
      agent("juergen", "Jürgen Strauß", "j.s@example.com", "1005"),
      agent("bob", "", "", "+441234"),
  };
  d.queues = {queue("2001", "Sales"), queue("2002", "Support EMEA"), queue("2100", "")};
  d.routing_points = {routing_point("3000", "Main Line", "2001"),
                      routing_point("3001", "Sales Entry", "2001")};
  auto dir = Directory::create(std::move(d));
  EXPECT_TRUE(dir) << dir.error().message;
  return dir ? *dir : nullptr;
}

// The login or number of each hit, in order.
std::string id(const Hit& h) {
  if (const auto* a = std::get_if<const Agent*>(&h.target)) return (*a)->login;
  if (const auto* q = std::get_if<const Queue*>(&h.target)) return (*q)->number;
  return std::get<const RoutingPoint*>(h.target)->number;
}
std::vector<std::string> ids(const std::vector<Hit>& hits) {
  std::vector<std::string> out;
  for (const Hit& h : hits) out.push_back(id(h));
  return out;
}

std::vector<Hit> find(const SearchIndex& index, std::string_view text,
                      SearchType type = SearchType::Any, std::size_t limit = kDefaultSearchLimit) {
  auto q = Query::parse(text, type, limit);
  EXPECT_TRUE(q) << text;
  return q ? index.search(*q) : std::vector<Hit>{};
}

class Search : public ::testing::Test {
 protected:
  SearchIndex index = SearchIndex::build(centre());
};

TEST_F(Search, IgnoresCaseAndAccentsOnBothSides) {
  EXPECT_EQ(ids(find(index, "jose")), std::vector<std::string>{"jose"});
  EXPECT_EQ(ids(find(index, "JOSÉ")), std::vector<std::string>{"jose"});
  EXPECT_EQ(ids(find(index, "NÚÑEZ")), std::vector<std::string>{"jose"});
  EXPECT_EQ(ids(find(index, "Jose\xCC\x81 nu")), std::vector<std::string>{"jose"});
}

TEST(SearchIndex, FindsGreekAndCyrillicNamesInAnyCase) {
  DirectoryData d;
  d.domains = {"example.com"};
  d.agents = {agent("eleni", "Ελένη Παπαδοπούλου"), agent("ivan", "Иван Петров")};
  auto dir = Directory::create(std::move(d));
  ASSERT_TRUE(dir) << dir.error().message;
  const auto index = SearchIndex::build(*dir);
  EXPECT_EQ(ids(find(index, "ΕΛΕΝΗ")), std::vector<std::string>{"eleni"});
  EXPECT_EQ(ids(find(index, "παπαδοπουλου")), std::vector<std::string>{"eleni"});
  EXPECT_EQ(ids(find(index, "петр")), std::vector<std::string>{"ivan"});
  EXPECT_EQ(ids(find(index, "ИВАН ПЕТРОВ")), std::vector<std::string>{"ivan"});
}

TEST_F(Search, FoldsSharpSToSs) {
  EXPECT_EQ(ids(find(index, "strauss")), std::vector<std::string>{"juergen"});
  EXPECT_EQ(ids(find(index, "STRAUß")), std::vector<std::string>{"juergen"});
  EXPECT_EQ(ids(find(index, "jurgen")), std::vector<std::string>{"juergen"});
}

TEST_F(Search, InvalidUtf8MatchesNothing) {
  EXPECT_TRUE(find(index, "\xFF\xFE").empty());
  EXPECT_TRUE(find(index, "jos\xC3").empty());  // a truncated é is not an e
  EXPECT_TRUE(find(index, "\xC3").empty());
}

TEST(SearchIndex, IndexesNamesWithInvalidUtf8) {
  DirectoryData d;
  d.domains = {"example.com"};
  d.agents = {agent("broken", "Bad\xFFName")};
  auto dir = Directory::create(std::move(d));
  ASSERT_TRUE(dir) << dir.error().message;
  const auto index = SearchIndex::build(*dir);
  EXPECT_EQ(ids(find(index, "bad")), std::vector<std::string>{"broken"});
  EXPECT_EQ(ids(find(index, "name")), std::vector<std::string>{"broken"});
  EXPECT_EQ(find(index, "bad")[0].how, MatchKind::Prefix);
}

TEST_F(Search, FindsThePrefixOfALaterWord) {
  const auto hits = find(index, "mart");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"alice"});
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  EXPECT_EQ(hits[0].field, Field::Name);
  EXPECT_EQ(hits[0].text, "Alice Martin");
}

TEST_F(Search, FindsWordPrefixesInsideEmailAddresses) {
  const auto hits = find(index, "rossi@exa");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"marco"});
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  EXPECT_EQ(hits[0].field, Field::Email);
  EXPECT_EQ(hits[0].text, "marco.rossi@example.com");
}

TEST_F(Search, FindsSubstringsAnywhere) {
  const auto hits = find(index, "ssi");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"marco"});
  EXPECT_EQ(hits[0].how, MatchKind::Substring);
}

TEST_F(Search, RanksWordPrefixesAboveSubstrings) {
  // "Marco" and "Martin" start a word, "Omar" only contains "mar".
  const auto hits = find(index, "mar");
  EXPECT_EQ(ids(hits), (std::vector<std::string>{"alice", "marco", "omar"}));
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  EXPECT_EQ(hits[1].how, MatchKind::Prefix);
  EXPECT_EQ(hits[2].how, MatchKind::Substring);
}

TEST_F(Search, ComparesPhoneNumbersOnDigitsOnly) {
  auto hits = find(index, "+33 1 23");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"alice"});
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  EXPECT_EQ(hits[0].field, Field::Phone);
  EXPECT_EQ(hits[0].text, "+33123456789");
  EXPECT_EQ(ids(find(index, "33-1-23-45")), std::vector<std::string>{"alice"});
  hits = find(index, "4567");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"alice"});
  EXPECT_EQ(hits[0].how, MatchKind::Substring);
  hits = find(index, "+33 (1) 23 45 67 89");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"alice"});
  EXPECT_EQ(hits[0].how, MatchKind::Exact);
}

TEST_F(Search, RequiresEveryWordInAnyField) {
  EXPECT_EQ(ids(find(index, "alice mar")), std::vector<std::string>{"alice"});
  EXPECT_EQ(ids(find(index, "marco example")), std::vector<std::string>{"marco"});  // name, email
  EXPECT_EQ(ids(find(index, "alice 6789")), std::vector<std::string>{"alice"});     // name, phone
  EXPECT_TRUE(find(index, "alice rossi").empty());
  EXPECT_TRUE(find(index, "mar zzz").empty());
}

TEST_F(Search, RanksAQueryOfSeveralWordsByItsWeakestWord) {
  auto hits = find(index, "alice tin");  // "tin" is inside "martin"
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].how, MatchKind::Substring);
  // The login equals one word and the phone the other, but no field is the whole query.
  hits = find(index, "bob +441234");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"bob"});
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
}

TEST_F(Search, AFieldEqualToTheWholeQueryIsExact) {
  auto hits = find(index, "  alice   MARTIN ");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"alice"});
  EXPECT_EQ(hits[0].how, MatchKind::Exact);
  EXPECT_EQ(hits[0].field, Field::Name);
  hits = find(index, "martin alice");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  hits = find(index, "Bob");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"bob"});
  EXPECT_EQ(hits[0].how, MatchKind::Exact);
  EXPECT_EQ(hits[0].field, Field::Login);
}

TEST_F(Search, FindsQueuesAndRoutingPointsByNumber) {
  auto hits = find(index, "2001");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"2001"});
  EXPECT_EQ(hits[0].ref.kind, EntityKind::Queue);
  EXPECT_EQ(hits[0].ref.index, 0u);
  EXPECT_EQ(hits[0].how, MatchKind::Exact);
  EXPECT_EQ(hits[0].field, Field::Number);
  EXPECT_EQ(std::get<const Queue*>(hits[0].target), &index.directory()->queues()[0]);
  hits = find(index, "300");
  EXPECT_EQ(ids(hits), (std::vector<std::string>{"3000", "3001"}));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].ref.kind, EntityKind::RoutingPoint);
  EXPECT_EQ(hits[0].ref.index, 0u);
  EXPECT_EQ(hits[1].ref.index, 1u);
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  EXPECT_EQ(ids(find(index, "21")), std::vector<std::string>{"2100"});  // a queue with no name
}

TEST_F(Search, FindsQueuesAndRoutingPointsByName) {
  auto hits = find(index, "emea");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"2002"});
  EXPECT_EQ(hits[0].field, Field::Name);
  EXPECT_EQ(hits[0].text, "Support EMEA");
  hits = find(index, "main line");
  ASSERT_EQ(ids(hits), std::vector<std::string>{"3000"});
  EXPECT_EQ(hits[0].how, MatchKind::Exact);
  // The queue's name is the whole query; the routing point's starts with it.
  EXPECT_EQ(ids(find(index, "sales")), (std::vector<std::string>{"2001", "3001"}));
}

TEST_F(Search, FiltersByType) {
  EXPECT_EQ(ids(find(index, "sales", SearchType::Queue)), std::vector<std::string>{"2001"});
  EXPECT_EQ(ids(find(index, "sales", SearchType::RoutingPoint)), std::vector<std::string>{"3001"});
  EXPECT_TRUE(find(index, "sales", SearchType::Agent).empty());
  EXPECT_EQ(ids(find(index, "mar", SearchType::Agent)),
            (std::vector<std::string>{"alice", "marco", "omar"}));
  // Two substrings: the unnamed queue shows its number, and "2100" sorts before "sales".
  EXPECT_EQ(ids(find(index, "1", SearchType::Queue)), (std::vector<std::string>{"2100", "2001"}));
}

TEST_F(Search, FiltersByTypeBeforeCuttingAtTheLimit) {
  // Counted before the type filter, the agents' word prefixes of "e" (every email has
  // "example") would fill a page of 2 and keep the queues' substrings out; among queues there is
  // one word prefix, so a substring makes the page.
  const auto hits = find(index, "e", SearchType::Queue, 2);
  EXPECT_EQ(ids(hits), (std::vector<std::string>{"2002", "2001"}));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].how, MatchKind::Prefix);
  EXPECT_EQ(hits[1].how, MatchKind::Substring);
}

TEST_F(Search, AnEmptyQueryFindsNothing) {
  for (std::string_view text : {"", "   ", "\t\n"}) {
    auto q = Query::parse(text);
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->empty());
    EXPECT_TRUE(index.search(*q).empty());
  }
}

TEST(Query, RefusesAnOversizeQuery) {
  EXPECT_TRUE(Query::parse(std::string(kMaxQueryBytes, 'a')));
  auto q = Query::parse(std::string(kMaxQueryBytes + 1, 'a'));
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, SearchErrc::QueryTooLong);
  q = Query::parse(std::string(300, ' '));  // the bound is on what arrives, before trimming
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, SearchErrc::QueryTooLong);
}

TEST(Query, BoundsTheNumberOfDifferentWords) {
  auto q = Query::parse("a b c d e f g h");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->terms().size(), kMaxQueryWords);
  q = Query::parse("a b c d e f g h i");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, SearchErrc::TooManyWords);
  q = Query::parse("a a a a a a a a a a a a a a a a a a a a b");  // repeats count once
  ASSERT_TRUE(q);
  ASSERT_EQ(q->terms().size(), 2u);
  EXPECT_EQ(q->terms()[1].text, "b");
}

TEST_F(Search, AWordGivenTwiceIsFoundOnce) {
  EXPECT_EQ(ids(find(index, "alice alice")), std::vector<std::string>{"alice"});
  EXPECT_EQ(find(index, "alice ALICE")[0].how, MatchKind::Prefix);
}

TEST(Query, TrimsCollapsesAndSplitsWords) {
  auto q = Query::parse("  José \t MARTIN  ");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->normalised(), "jose martin");
  ASSERT_EQ(q->terms().size(), 2u);
  EXPECT_EQ(q->terms()[0].text, "jose");
  EXPECT_EQ(q->terms()[1].text, "martin");
  EXPECT_EQ(q->terms()[1].digits, "");
}

TEST(Query, NeverMakesAnEmptyWord) {
  // An empty word would be found in every field: "a <accent> zzzz" must still need "zzzz".
  auto q = Query::parse("a \xCC\x81 zzzz");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->terms().size(), 2u);
  EXPECT_EQ(q->terms()[0].text, "a");
  EXPECT_EQ(q->terms()[1].text, "zzzz");
}

TEST(Query, ReadsANumberWithSpacesAsOneTerm) {
  auto q = Query::parse("+33 1 23");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->terms().size(), 1u);
  EXPECT_EQ(q->terms()[0].digits, "33123");
  q = Query::parse("sales 2001");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->terms().size(), 2u);
  EXPECT_EQ(q->terms()[0].digits, "");
  EXPECT_EQ(q->terms()[1].digits, "2001");
}

TEST(Query, BoundsTheLimit) {
  EXPECT_EQ(Query::parse("a")->limit(), kDefaultSearchLimit);
  EXPECT_EQ(Query::parse("a", SearchType::Any, 1000)->limit(), kMaxSearchLimit);
  auto q = Query::parse("a", SearchType::Any, 0);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, SearchErrc::BadLimit);
}

TEST(Query, ParsesTypeAndLimitParameters) {
  EXPECT_EQ(*parse_search_type(""), SearchType::Any);
  EXPECT_EQ(*parse_search_type("any"), SearchType::Any);
  EXPECT_EQ(*parse_search_type("agent"), SearchType::Agent);
  EXPECT_EQ(*parse_search_type("queue"), SearchType::Queue);
  EXPECT_EQ(*parse_search_type("routing_point"), SearchType::RoutingPoint);
  ASSERT_FALSE(parse_search_type("agents"));
  EXPECT_EQ(parse_search_type("agents").error().code, SearchErrc::UnknownType);
  EXPECT_EQ(search_type_name(SearchType::RoutingPoint), "routing_point");
  EXPECT_EQ(*parse_search_limit(""), kDefaultSearchLimit);
  EXPECT_EQ(*parse_search_limit("5"), 5u);
  EXPECT_EQ(*parse_search_limit("100000000000000000000000"), kMaxSearchLimit);
  EXPECT_FALSE(parse_search_limit("0"));
  EXPECT_FALSE(parse_search_limit("-1"));
  EXPECT_FALSE(parse_search_limit("ten"));
}

// Ranking: exact, then word prefix, then substring; ties by shown name ignoring case and
// accents, then by login.
class Ranking : public ::testing::Test {
 protected:
  static std::shared_ptr<const Directory> people() {
    DirectoryData d;
    d.domains = {"example.com"};
    d.agents = {
        agent("joanna", "Joanna"),
        agent("aberg2", "Anna Berg"),
        agent("holsen", "Hanna Olsen"),
        agent("azed", "Annabel Zed"),
        agent("acole", "Ánna Cole"),
        agent("aberg", "anna berg"),
        agent("anna", ""),
    };
    auto dir = Directory::create(std::move(d));
    EXPECT_TRUE(dir) << dir.error().message;
    return dir ? *dir : nullptr;
  }
  SearchIndex index = SearchIndex::build(people());
};

TEST_F(Ranking, ExactThenPrefixThenSubstringThenByName) {
  const auto hits = find(index, "anna");
  EXPECT_EQ(ids(hits), (std::vector<std::string>{"anna", "aberg", "aberg2", "acole", "azed",
                                                 "holsen", "joanna"}));
  ASSERT_EQ(hits.size(), 7u);
  EXPECT_EQ(hits[0].how, MatchKind::Exact);
  EXPECT_EQ(hits[4].how, MatchKind::Prefix);
  EXPECT_EQ(hits[5].how, MatchKind::Substring);
}

TEST_F(Ranking, LimitKeepsTheBest) {
  EXPECT_EQ(ids(find(index, "anna", SearchType::Any, 1)), std::vector<std::string>{"anna"});
  // Exactly the exact and prefix hits, then one substring hit more.
  EXPECT_EQ(ids(find(index, "anna", SearchType::Any, 5)),
            (std::vector<std::string>{"anna", "aberg", "aberg2", "acole", "azed"}));
  EXPECT_EQ(ids(find(index, "anna", SearchType::Any, 6)),
            (std::vector<std::string>{"anna", "aberg", "aberg2", "acole", "azed", "holsen"}));
}

TEST(SearchIndex, KeepsItsDirectoryAlive) {
  auto dir = centre();
  std::weak_ptr<const Directory> weak = dir;
  const auto index = SearchIndex::build(std::move(dir));
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(ids(find(index, "alice")), std::vector<std::string>{"alice"});
}

TEST(SearchIndex, BuildsOverANullOrEmptyDirectory) {
  const auto index = SearchIndex::build(nullptr);
  ASSERT_NE(index.directory(), nullptr);
  EXPECT_TRUE(find(index, "a").empty());
}

// The index against the simplest reading of the rules: fold every field, look for every word
// with find(), rank and sort everything. Both must return the same entries in the same order,
// with the same MatchKind, for queries made of pieces of the directory and of random bytes.
class Reference {
 public:
  explicit Reference(const Directory& d) {
    for (const Agent& a : d.agents()) {
      entries_.push_back({SearchType::Agent,
                          {{fold_text(a.display_name), false},
                           {fold_text(a.login), false},
                           {fold_text(a.email), false},
                           {digits_of(a.phone), true}},
                          fold_text(a.shown_name()),
                          a.login});
    }
    const auto numbered = [this](SearchType type, const auto& list) {
      for (const auto& e : list) {
        entries_.push_back({type,
                            {{fold_text(e.name), false}, {digits_of(e.number), true}},
                            fold_text(e.name.empty() ? e.number : e.name),
                            e.number});
      }
    };
    numbered(SearchType::Queue, d.queues());
    numbered(SearchType::RoutingPoint, d.routing_points());
  }

  std::vector<std::pair<std::string, MatchKind>> search(const Query& q) const {
    std::vector<std::tuple<MatchKind, std::string, std::string>> found;
    for (const Entry& e : entries_) {
      if (q.empty() || (q.type() != SearchType::Any && q.type() != e.type)) continue;
      std::optional<MatchKind> rank = MatchKind::Exact;
      for (const Query::Term& t : q.terms()) {
        std::optional<MatchKind> best;
        for (const auto& [text, number] : e.fields) {
          const std::string& word = number ? t.digits : t.text;
          if (word.empty()) continue;
          for (auto pos = text.find(word); pos != std::string::npos;
               pos = text.find(word, pos + 1)) {
            MatchKind k = MatchKind::Substring;
            if (pos == 0) {
              k = word.size() == text.size() && q.one_term() ? MatchKind::Exact : MatchKind::Prefix;
            } else if (!number && is_word_separator(text[pos - 1])) {
              k = MatchKind::Prefix;
            }
            if (!best || k < *best) best = k;
          }
        }
        if (!best) rank.reset();
        if (!rank) break;
        rank = std::max(*rank, *best);
      }
      if (!rank) continue;
      for (const auto& [text, number] : e.fields) {
        if (!number && text == q.normalised()) rank = MatchKind::Exact;
      }
      found.emplace_back(*rank, e.shown, e.id);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::pair<std::string, MatchKind>> out;
    for (const auto& [how, shown, id] : found) {
      if (out.size() == q.limit()) break;
      out.emplace_back(id, how);
    }
    return out;
  }

 private:
  struct Entry {
    SearchType type;
    std::vector<std::pair<std::string, bool>> fields;  // folded text or digits; true: digits
    std::string shown;
    std::string id;
  };
  std::vector<Entry> entries_;
};

std::shared_ptr<const Directory> generated(std::mt19937& rng) {
  // One-letter names too: a suffix one byte long sorts before the longer ones it starts.
  const std::vector<std::string> first = {"Zoë",   "Ana", "Anaïs",  "Marc",   "Marco", "Øyvind",
                                          "Łucja", "Jo",  "Joanna", "Straße", "Ève",   "Ian",
                                          "J",     "Ø"};
  const std::vector<std::string> last = {"Martin", "Martín",     "O'Brien", "Núñez-Ruiz", "Ma",
                                         "Rossi",  "de la Cruz", "Æbelø",   "Smith",      "Ann"};
  const auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  DirectoryData d;
  d.domains = {"example.com"};
  for (int n = 0; n < 150; ++n) {
    const std::string name = rng() % 6 == 0 ? "" : pick(first) + " " + pick(last);
    Agent a = agent("a" + std::to_string(n) + (n % 2 ? ".ma" : "_jo"), name);
    if (rng() % 3 != 0) a.email = "u" + std::to_string(n) + ".ma@ex-ample.com";
    if (rng() % 4 != 0)
      a.phone = "+33" + std::to_string(100000 + rng() % 900000) + "0" + std::to_string(n);
    d.agents.push_back(a);
  }
  for (int n = 0; n < 12; ++n) {
    d.queues.push_back(queue(std::to_string(5000 + n * 7), n % 4 ? pick(first) + " desk" : ""));
    d.queues.back().members = {d.agents[0].login};
    d.routing_points.push_back(
        routing_point(std::to_string(6000 + n * 13), n % 3 ? "Entry " + pick(last) : "", "5000"));
  }
  auto dir = Directory::create(std::move(d));
  EXPECT_TRUE(dir) << dir.error().message;
  return dir ? *dir : nullptr;
}

// A query a person (or a fuzzer) might send: pieces of names, emails and numbers, letters,
// digits with spaces, random bytes, accents and invisible characters; one to three words.
std::string random_query(std::mt19937& rng, const Directory& d) {
  if (rng() % 8 == 0) {  // a whole name, typed in upper case: several words, one exact field
    std::string name = d.agents()[rng() % d.agents().size()].display_name;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
  }
  std::string q;
  const int words = 1 + static_cast<int>(rng() % 3);
  for (int w = 0; w < words; ++w) {
    if (w) q += rng() % 5 ? " " : "  ";
    const Agent& a = d.agents()[rng() % d.agents().size()];
    const std::string source =
        std::vector<std::string>{a.display_name, a.login, a.email, a.phone}[rng() % 4];
    switch (rng() % 6) {
      case 0:
      case 1:
        if (!source.empty()) {
          const auto from = rng() % source.size();
          q += source.substr(from, 1 + rng() % 6);
        }
        break;
      case 2: q += static_cast<char>('a' + rng() % 26); break;
      case 3: q += std::to_string(rng() % 100) + " " + std::to_string(rng() % 10); break;
      case 4:
        for (int i = 0; i < 3; ++i) q += static_cast<char>(rng() % 256);
        break;
      case 5: {  // what folds to something else, or to nothing
        const std::vector<std::string> odd = {"\xCC\x81", " \u200B ", "\u3000", "ß", "Œ",
                                              "-",        "@",        "'",      "ñ", "Ø"};
        q += odd[rng() % odd.size()];
        break;
      }
    }
  }
  return q;
}

TEST(SearchIndex, AgreesWithAPlainScanOfEveryField) {
  std::mt19937 rng(42);
  const auto dir = generated(rng);
  ASSERT_NE(dir, nullptr);
  const auto index = SearchIndex::build(dir);
  const Reference reference(*dir);
  const SearchType types[] = {SearchType::Any, SearchType::Agent, SearchType::Queue,
                              SearchType::RoutingPoint};
  int with_hits = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = random_query(rng, *dir);
    const auto q = Query::parse(text, types[rng() % 4], 1 + rng() % 25);
    ASSERT_TRUE(q) << text;
    std::vector<std::pair<std::string, MatchKind>> got;
    for (const Hit& h : index.search(*q)) got.emplace_back(id(h), h.how);
    ASSERT_EQ(got, reference.search(*q)) << "query: " << text;
    with_hits += got.empty() ? 0 : 1;
  }
  EXPECT_GT(with_hits, 500);  // the queries do find things
}

}  // namespace
}  // namespace ims::sw::directory
