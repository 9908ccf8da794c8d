#include "switch/directory/search.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

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

}  // namespace
}  // namespace ims::sw::directory
