// Transcript full-text search: words found whatever their case and accents, marked in a
// snippet, within one login's sessions or a time range, page after page without duplicates or
// gaps; the user's text is never query syntax; a version 4 file is searchable once upgraded.

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "switch/store/schema.hpp"
#include "tests/unit/switch/store/search_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::kT0;
using test::session;

std::string marked(std::string_view word) {
  return std::string(kMarkOpen) + std::string(word) + std::string(kMarkClose);
}

std::vector<std::int64_t> ids(const TranscriptPage& page) {
  std::vector<std::int64_t> out;
  for (const auto& h : page.hits) out.push_back(h.message_id);
  return out;
}

class TranscriptSearchTest : public test::StoreFixture {};

TEST_F(TranscriptSearchTest, FindsAWordWhateverItsCaseAndAccents) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "Ma carte est bloquée depuis hier");
  say("s1", "bob", "alice", "Je regarde votre dossier");
  for (const char* words : {"bloquée", "BLOQUEE", "bloquee", "Bloquée"}) {
    auto page = search(words);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ASSERT_EQ(page->hits.size(), 1u) << words;
    EXPECT_EQ(page->hits[0].seq, 1u);
  }
  auto none = search("annulée");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->hits.empty());
}

TEST_F(TranscriptSearchTest, AHitSaysWhichMessageOfWhichSessionAndWhoTookPart) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "hello");
  say("s1", "bob", "alice", "refund approved", kT0 + 42);
  auto page = search("refund");
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->hits.size(), 1u);
  const TranscriptHit& h = page->hits[0];
  EXPECT_GT(h.message_id, 0);
  EXPECT_EQ(h.session_id, "s1");
  EXPECT_EQ(h.seq, 2u);
  EXPECT_EQ(h.stamped_at_ms, kT0 + 42);
  EXPECT_EQ(h.sender, "bob");
  EXPECT_EQ(h.recipient, "alice");
  EXPECT_EQ(h.initiator, "alice");
  EXPECT_EQ(h.target, "bob");
  EXPECT_EQ(page->next_cursor, "");
}

TEST_F(TranscriptSearchTest, EveryWordMustOccurInAnyOrder) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "the parcel never arrived");
  say("s1", "bob", "alice", "which parcel?");
  say("s1", "alice", "bob", "it arrived broken, the parcel");
  auto page = search("arrived parcel");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 2u);
  for (const auto& h : page->hits) EXPECT_NE(h.seq, 2u);
}

TEST_F(TranscriptSearchTest, TheLastWordIsAlsoAPrefixFromFourLettersUnlessFollowedBySpace) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "I want a refund for my subscription");
  auto page = search("refu");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 1u) << "last word as a prefix";
  page = search("refund subscri");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 1u);
  page = search("refu subscription");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty()) << "a word before the last is whole";
  page = search("subscri refund");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty()) << "only the last word is a prefix";
  page = search("my");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 1u);
  page = search("sub");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty()) << "three letters match a whole word only";
  page = search("refu ");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty()) << "a word followed by a space is complete";
  page = search("refund ");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 1u);
}

TEST_F(TranscriptSearchTest, TheSnippetMarksTheMatchedWords) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "Bonjour, ma carte est bloquée, merci");
  auto page = search("carte bloquee");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 1u);
  EXPECT_EQ(page->hits[0].snippet,
            "Bonjour, ma " + marked("carte") + " est " + marked("bloquée") + ", merci");
}

TEST_F(TranscriptSearchTest, ALongMessageIsCutAroundTheMatch) {
  start(session("s1", "alice", "bob"));
  std::string body;
  for (int i = 0; i < 40; ++i) body += "filler" + std::to_string(i) + " ";
  body += "needle";
  for (int i = 40; i < 80; ++i) body += " filler" + std::to_string(i);
  say("s1", "alice", "bob", body);
  auto page = search("needle");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 1u);
  const std::string& s = page->hits[0].snippet;
  EXPECT_NE(s.find(marked("needle")), std::string::npos) << s;
  EXPECT_LT(s.size(), body.size() / 3) << s;
  EXPECT_NE(s.find(kSnippetEllipsis), std::string::npos) << s;
}

TEST_F(TranscriptSearchTest, AParticipantSeesOnlyTheSessionsItTookPartIn) {
  start(session("ab", "alice", "bob"));
  start(session("cd", "carol", "dave"));
  start(session("ba", "bob", "alice.smith"));
  say("ab", "alice", "bob", "password reset please");
  say("cd", "carol", "dave", "password reset please");
  say("ba", "bob", "alice.smith", "password reset please");

  auto sessions_of = [&](const std::string& login) {
    std::set<std::string> out;
    auto page = search("password", login);
    EXPECT_TRUE(page.ok());
    if (page.ok())
      for (const auto& h : page->hits) out.insert(h.session_id);
    return out;
  };
  EXPECT_EQ(sessions_of("alice"), (std::set<std::string>{"ab"})) << "not alice.smith's";
  EXPECT_EQ(sessions_of("bob"), (std::set<std::string>{"ab", "ba"}));
  EXPECT_EQ(sessions_of("dave"), (std::set<std::string>{"cd"})) << "as target";
  EXPECT_EQ(sessions_of("alice.smith"), (std::set<std::string>{"ba"}));
  EXPECT_TRUE(sessions_of("ali").empty()) << "a login is matched whole";
  EXPECT_TRUE(sessions_of("mallory").empty());
  EXPECT_EQ(sessions_of("").size(), 3u) << "no participant: every session";
}

TEST_F(TranscriptSearchTest, AQueuedSessionIsTheAnsweringAgentsFromItsFirstMessage) {
  auto q = session("q1", "alice", "2001");
  q.queue = "2001";
  start(q);
  say("q1", "alice", "2001", "my invoice is wrong");
  auto answered = test::await<void>(io_, [&](auto h) {
    store_->record_session_answer("q1", "bob", h);
  });
  ASSERT_TRUE(answered.ok());
  say("q1", "bob", "alice", "let me check the invoice");

  auto bob = search("invoice", "bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->hits.size(), 2u) << "the message sent before bob took it is bob's too";
  auto queue = search("invoice", "2001");
  ASSERT_TRUE(queue.ok());
  EXPECT_TRUE(queue->hits.empty());
  ASSERT_FALSE(bob->hits.empty());
  EXPECT_EQ(bob->hits[0].target, "bob");
}

TEST_F(TranscriptSearchTest, SinceAndUntilBoundTheStamps) {
  start(session("s1", "alice", "bob"));
  for (int i = 1; i <= 5; ++i) say("s1", "alice", "bob", "ping", kT0 + i * 1000);
  TranscriptQuery q;
  q.words = "ping";
  q.since_ms = kT0 + 2000;
  q.until_ms = kT0 + 4000;
  auto page = search(q);
  ASSERT_TRUE(page.ok());
  std::vector<std::uint32_t> seqs;
  for (const auto& h : page->hits) seqs.push_back(h.seq);
  EXPECT_EQ(seqs, (std::vector<std::uint32_t>{4, 3, 2})) << "inclusive, newest first";
  q.since_ms.reset();
  q.until_ms = kT0 + 1000;
  page = search(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 1u);
  EXPECT_EQ(page->hits[0].seq, 1u);
  q.until_ms.reset();
  q.since_ms = kT0 + 5001;
  page = search(q);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty());
}

TEST_F(TranscriptSearchTest, PagesFollowEachOtherWithoutDuplicatesOrGapsWhileMessagesArrive) {
  start(session("s1", "alice", "bob"));
  start(session("s2", "carol", "bob"));
  for (int i = 0; i < 25; ++i) {
    say(i % 2 ? "s1" : "s2", "bob", "x", "order " + std::to_string(i));
    say("s1", "alice", "bob", "unrelated chatter");
  }
  TranscriptQuery q;
  q.words = "order";
  q.limit = 10;
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> sizes;
  for (int page_no = 0; page_no < 10; ++page_no) {
    auto page = search(q);
    ASSERT_TRUE(page.ok()) << page.error().message;
    sizes.push_back(page->hits.size());
    for (auto id : ids(*page)) seen.push_back(id);
    // New matching messages arrive between pages: they belong above the first page.
    say("s1", "bob", "alice", "order arriving late");
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "newest first";
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 25u) << "no duplicates";

  q.cursor.clear();
  q.limit = 100;
  auto all = search(q);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->hits.size(), 25u + sizes.size());
  auto old = ids(*all);
  old.erase(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(sizes.size()));
  EXPECT_EQ(old, seen) << "no gaps: every older match, once, in order";
}

TEST_F(TranscriptSearchTest, TheLimitIsBounded) {
  start(session("s1", "alice", "bob"));
  for (int i = 0; i < 3; ++i) say("s1", "alice", "bob", "again");
  TranscriptQuery q;
  q.words = "again";
  q.limit = 0;
  auto page = search(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 1u) << "a limit of 0 is taken as 1";
  EXPECT_FALSE(page->next_cursor.empty());
}

TEST_F(TranscriptSearchTest, ACursorThisStoreDidNotGiveIsInvalid) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "hello");
  for (const char* cursor : {"garbage", "t1.", "t1.-5", "t1.12x", "t1.0", "1"}) {
    TranscriptQuery q;
    q.words = "hello";
    q.cursor = cursor;
    auto page = search(q);
    ASSERT_FALSE(page.ok()) << cursor;
    EXPECT_EQ(page.error().code, StoreErrc::Invalid) << cursor;
  }
}

TEST_F(TranscriptSearchTest, QuerySyntaxInTheWordsIsPlainText) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "apple");                               // 1
  say("s1", "alice", "bob", "apple or pear");                       // 2
  say("s1", "alice", "bob", "we sat near apple trees");             // 3
  say("s1", "alice", "bob", "say \"hello\" (politely) to body: hello");  // 4
  say("s1", "alice", "bob", "DROP TABLE im_transcript");                 // 5
  say("s1", "alice", "bob", "parties: pie");                             // 6
  auto seqs = [&](const std::string& words) {
    std::vector<std::uint32_t> out;
    auto page = search(words);
    EXPECT_TRUE(page.ok()) << words << ": " << (page.ok() ? "" : page.error().message);
    if (page.ok())
      for (const auto& h : page->hits) out.push_back(h.seq);
    return out;
  };
  using V = std::vector<std::uint32_t>;
  EXPECT_EQ(seqs("apple OR pear"), V{2}) << "OR is a word, not an operator";
  EXPECT_EQ(seqs("apple NOT pear"), V{}) << "NOT is a word";
  EXPECT_EQ(seqs("NEAR(apple tree)"), V{3}) << "NEAR is a word";
  EXPECT_EQ(seqs("\"hello\""), V{4});
  EXPECT_EQ(seqs("say \"hello"), V{4}) << "an unbalanced quote";
  EXPECT_EQ(seqs("(politely"), V{4});
  EXPECT_EQ(seqs("body:hello"), V{4});
  EXPECT_EQ(seqs("parties:pie"), V{6}) << "a column filter would look among the parties";
  EXPECT_EQ(seqs("apple*"), (V{3, 2, 1}));
  EXPECT_EQ(seqs("^apple"), (V{3, 2, 1}));
  EXPECT_EQ(seqs("'); DROP TABLE im_transcript; --"), V{5});
  for (const char* hostile :
       {"\"", "\"\"\"", "*", "(", ")", "((((", "NEAR", "NEAR(", "AND", "OR OR", "-", "+", ":", "{",
        "}", "{body}:", "^", "'", "''", ";", "\\", "%", "_", "\x01\x02", "NEAR/2", "a NEAR/2 b"}) {
    auto page = search(hostile);
    ASSERT_TRUE(page.ok()) << hostile << ": " << page.error().message;
  }
  EXPECT_EQ(seqs("apple"), (V{3, 2, 1})) << "the table is still there";
}

TEST_F(TranscriptSearchTest, WordsWithoutLettersFindNothingAndTooManyAreRefused) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "!!! ??? ...");
  auto page = search("!!! ???");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty());
  page = search("");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->hits.empty());

  std::string many;
  for (std::size_t i = 0; i <= kMaxSearchWords; ++i) many += "w" + std::to_string(i) + " ";
  page = search(many);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, StoreErrc::Invalid);
  page = search(std::string(kMaxSearchBytes + 1, 'a'));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, StoreErrc::Invalid);
}

TEST_F(TranscriptSearchTest, OnlyTextBodiesAreIndexed) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "secret as text", 0, "text/plain");
  say("s1", "alice", "bob", "secret as bytes", 0, "application/octet-stream");
  say("s1", "alice", "bob", "From: <im:alice@example.com>\r\n\r\nsecret in cpim", 0,
      "message/cpim");
  auto page = search("secret");
  ASSERT_TRUE(page.ok());
  std::vector<std::uint32_t> seqs;
  for (const auto& h : page->hits) seqs.push_back(h.seq);
  EXPECT_EQ(seqs, (std::vector<std::uint32_t>{3, 1}));
}

TEST_F(TranscriptSearchTest, SearchesSurviveARestart) {
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "persistent words");
  store_.reset();
  store_ = open();
  ASSERT_TRUE(store_);
  auto page = search("persistent");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->hits.size(), 1u);
}

TEST_F(TranscriptSearchTest, AnInMemoryStoreSearchesOnItsOneConnection) {
  SqliteStore::Options o;
  o.path = ":memory:";
  auto opened = SqliteStore::open(o, io_.get_executor());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  store_ = std::move(opened).value();
  start(session("s1", "alice", "bob"));
  say("s1", "alice", "bob", "kept in memory");
  auto page = search("memory", "bob");
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->hits.size(), 1u);
}

TEST_F(TranscriptSearchTest, AClosedStoreRefusesSearches) {
  store_->close();
  auto page = search("anything");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, StoreErrc::Closed);
}

// A file written by the previous release (schema 4): its transcripts are searchable after the
// upgrade, in the order they were written, and new messages join them.
TEST_F(TranscriptSearchTest, AVersionFourFileIsUpgradedAndItsTranscriptsAreSearchable) {
  store_.reset();
  const std::string path = dir_.file("v4.db");
  {
    auto db = Connection::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db, migrations().first(4)).ok());
    ASSERT_TRUE(db->exec(R"sql(
INSERT INTO im_sessions VALUES ('old', 'alice', 'bob', 'ended', 1, 2, 'bob', 'bye', 'c1', 'c2', '');
INSERT INTO im_transcript VALUES
  ('old', 1, 10, 'alice', 'bob', 'text/plain', 'Où est ma commande ?'),
  ('old', 2, 11, 'bob', 'alice', 'text/plain', 'Votre commande arrive'),
  ('old', 3, 12, 'bob', 'alice', 'image/png', 'commande');
)sql", "v4 rows").ok());
  }
  SqliteStore::Options o;
  o.path = path;
  auto opened = SqliteStore::open(o, io_.get_executor());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  store_ = std::move(opened).value();

  auto page = search("commande", "alice");
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->hits.size(), 2u);
  EXPECT_EQ(page->hits[0].seq, 2u);
  EXPECT_EQ(page->hits[1].seq, 1u);
  EXPECT_EQ(page->hits[1].snippet, "Où est ma " + marked("commande") + " ?");
  auto t = test::await<Transcript>(io_, [&](auto h) { store_->load_transcript("old", h); });
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->messages.size(), 3u);
  EXPECT_EQ(t->messages[2].content_type, "image/png");

  start(session("new", "alice", "carol"));
  say("new", "alice", "carol", "une autre commande");
  page = search("commande", "alice");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 3u);
  EXPECT_EQ(page->hits[0].session_id, "new");
  EXPECT_GT(page->hits[0].message_id, page->hits[1].message_id);
  auto dup = test::await<void>(io_, [&](auto h) {
    store_->append_message(TranscriptEntry{"old", 2, 13, "bob", "alice", "text/plain", "x"}, h);
  });
  EXPECT_FALSE(dup.ok()) << "(session, seq) is still written once";
}

}  // namespace
}  // namespace ims::sw::store
