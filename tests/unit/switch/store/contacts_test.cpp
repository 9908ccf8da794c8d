// Contacts and their history (PRODUCT §5): upserted in batches that succeed or fail whole, read
// back, found by part of a name, email or phone; a contact's history gathers its entries and the
// IM sessions tied to it, newest first, and its words search summaries and transcripts.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "tests/unit/switch/store/search_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::await;
using test::kT0;
using test::session;

Contact contact(std::string id, std::string name, std::string email = "",
                std::string phone = "") {
  Contact c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.email = std::move(email);
  c.phone = std::move(phone);
  c.created_at_ms = kT0;
  c.updated_at_ms = kT0;
  return c;
}

ContactHistoryEntry entry(std::string contact_id, std::int64_t at_ms, ContactChannel channel,
                          std::string summary, std::string session_id = "") {
  ContactHistoryEntry e;
  e.contact_id = std::move(contact_id);
  e.at_ms = at_ms;
  e.channel = channel;
  e.summary = std::move(summary);
  e.session_id = std::move(session_id);
  return e;
}

class ContactsTest : public test::StoreFixture {
 protected:
  Result<void> upsert(std::vector<Contact> cs) {
    return await<void>(io_, [&](auto h) { store_->upsert_contacts(std::move(cs), h); });
  }
  Result<void> add(std::vector<ContactHistoryEntry> es) {
    return await<void>(io_, [&](auto h) { store_->add_contact_history(std::move(es), h); });
  }
  Result<Contact> get(std::string id) {
    return await<Contact>(io_, [&](auto h) { store_->get_contact(std::move(id), h); });
  }
  std::vector<std::string> find(std::string text, std::size_t limit = 20) {
    auto r = await<std::vector<Contact>>(
        io_, [&](auto h) { store_->search_contacts(std::move(text), limit, h); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    std::vector<std::string> ids;
    if (r.ok())
      for (const auto& c : *r) ids.push_back(c.id);
    return ids;
  }
  Result<std::vector<ContactHistoryItem>> history(ContactHistoryQuery q) {
    return await<std::vector<ContactHistoryItem>>(
        io_, [&](auto h) { store_->contact_history(std::move(q), h); });
  }
  Result<std::vector<ContactHistoryItem>> history(std::string id, std::string words = "") {
    ContactHistoryQuery q;
    q.contact_id = std::move(id);
    q.words = std::move(words);
    return history(std::move(q));
  }
};

TEST_F(ContactsTest, AContactComesBackAsUpsertedAndAnUpdateKeepsItsCreation) {
  Contact c = contact("c-1", "Zoé Martin", "zoe@example.org", "+33 6 12 34 56 78");
  c.company = "ACME";
  c.notes = "prefers email";
  c.attributes = R"({"tier":"gold","since":2019})";
  auto done = upsert({c});
  ASSERT_TRUE(done.ok()) << done.error().message;
  auto got = get("c-1");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->name, "Zoé Martin");
  EXPECT_EQ(got->email, "zoe@example.org");
  EXPECT_EQ(got->phone, "+33 6 12 34 56 78");
  EXPECT_EQ(got->company, "ACME");
  EXPECT_EQ(got->notes, "prefers email");
  EXPECT_EQ(got->attributes, R"({"tier":"gold","since":2019})");
  EXPECT_EQ(got->created_at_ms, kT0);

  c.name = "Zoé Martin-Durand";
  c.attributes = "";
  c.created_at_ms = kT0 + 5000;
  c.updated_at_ms = kT0 + 5000;
  ASSERT_TRUE(upsert({c}).ok());
  got = get("c-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Zoé Martin-Durand");
  EXPECT_EQ(got->attributes, "{}") << "empty attributes are an empty object";
  EXPECT_EQ(got->created_at_ms, kT0) << "created once";
  EXPECT_EQ(got->updated_at_ms, kT0 + 5000);
}

TEST_F(ContactsTest, AnUnknownContactIsNotFound) {
  auto got = get("nobody");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, StoreErrc::NotFound);
}

TEST_F(ContactsTest, ABadContactFailsTheWholeBatchAndSaysWhichAndWhy) {
  auto bad_attributes = contact("c-2", "Bad");
  bad_attributes.attributes = "{not json";
  auto r = upsert({contact("c-1", "Good"), bad_attributes, contact("c-3", "Also good")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StoreErrc::Invalid);
  EXPECT_EQ(r.error().message, "contact 2 (id 'c-2'): attributes: not a JSON object");
  EXPECT_EQ(get("c-1").error().code, StoreErrc::NotFound) << "nothing of the batch is written";

  auto array = contact("c-4", "Array");
  array.attributes = "[1, 2]";
  r = upsert({array});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a JSON object"), std::string::npos);

  r = upsert({contact("c-1", "Good"), contact("", "No id")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StoreErrc::Invalid);
  EXPECT_EQ(r.error().message, "contact 2 (id ''): empty id");
  EXPECT_FALSE(get("c-1").ok());
}

TEST_F(ContactsTest, ManyContactsGoInOneBatch) {
  std::vector<Contact> many;
  for (int i = 0; i < 500; ++i) many.push_back(contact("c" + std::to_string(i), "Name"));
  ASSERT_TRUE(upsert(many).ok());
  EXPECT_TRUE(get("c0").ok());
  EXPECT_TRUE(get("c499").ok());
}

TEST_F(ContactsTest, ContactsAreFoundByPartOfTheirNameEmailOrPhone) {
  ASSERT_TRUE(upsert({contact("c1", "Alice Dupont", "alice@acme.example", "+33 1 40 00 00 01"),
                      contact("c2", "Bob Durand", "bob@beta.example", "+44 20 7946 0000"),
                      contact("c3", "Carol Dupond", "c.dupond@acme.example", "555-0100"),
                      contact("c4", "Dan 100%_real", "dan@x.example", "")})
                  .ok());
  EXPECT_EQ(find("dupon"), (std::vector<std::string>{"c1", "c3"})) << "by name";
  EXPECT_EQ(find("DUPONT"), (std::vector<std::string>{"c1"})) << "case ignored";
  EXPECT_EQ(find("acme.example"), (std::vector<std::string>{"c1", "c3"})) << "by email";
  EXPECT_EQ(find("7946"), (std::vector<std::string>{"c2"})) << "by phone";
  EXPECT_EQ(find("%"), (std::vector<std::string>{"c4"})) << "% is no wildcard";
  EXPECT_EQ(find("0%_"), (std::vector<std::string>{"c4"})) << "_ is no wildcard";
  EXPECT_TRUE(find("zzz").empty());
  EXPECT_TRUE(find("").empty()) << "an empty text finds nothing";
  EXPECT_EQ(find("example", 2), (std::vector<std::string>{"c1", "c2"})) << "limited, by name";
}

TEST_F(ContactsTest, HistoryGathersEntriesAndTheContactsSessionsNewestFirst) {
  ASSERT_TRUE(upsert({contact("c1", "Alice Dupont"), contact("c2", "Other")}).ok());
  auto tied = session("s-tied", "agent1", "agent2", kT0 + 3000);
  tied.contact_id = "c1";
  start(tied);
  auto named = session("s-named", "agent1", "agent3", kT0 + 5000);
  named.contact_id = "c1";
  start(named);
  start(session("s-other", "agent1", "agent2", kT0 + 4000));  // no contact
  ASSERT_TRUE(add({entry("c1", kT0 + 1000, ContactChannel::Voice, "called about invoice"),
                   entry("c1", kT0 + 6000, ContactChannel::Email, "sent the credit note"),
                   entry("c1", kT0 + 5000, ContactChannel::Im, "consultation", "s-named"),
                   entry("c2", kT0 + 7000, ContactChannel::Chat, "someone else")})
                  .ok());

  auto h = history("c1");
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->size(), 4u) << "s-named comes once, with its entry";
  EXPECT_EQ((*h)[0].channel, ContactChannel::Email);
  EXPECT_EQ((*h)[0].summary, "sent the credit note");
  EXPECT_EQ((*h)[1].channel, ContactChannel::Im);
  EXPECT_EQ((*h)[1].session_id, "s-named");
  EXPECT_EQ((*h)[1].summary, "consultation");
  EXPECT_EQ((*h)[1].initiator, "agent1");
  EXPECT_EQ((*h)[1].target, "agent3");
  EXPECT_GT((*h)[1].entry_id, 0);
  EXPECT_EQ((*h)[2].session_id, "s-tied");
  EXPECT_EQ((*h)[2].entry_id, 0) << "found by the session's contact_id";
  EXPECT_EQ((*h)[2].at_ms, kT0 + 3000);
  EXPECT_EQ((*h)[2].target, "agent2");
  EXPECT_EQ((*h)[3].channel, ContactChannel::Voice);

  ContactHistoryQuery q;
  q.contact_id = "c1";
  q.limit = 2;
  auto first = history(q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1].session_id, "s-named");
  q.until_ms = kT0 + 3000;
  auto older = history(q);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 2u);
  EXPECT_EQ((*older)[0].session_id, "s-tied");
  EXPECT_EQ((*older)[1].summary, "called about invoice");

  auto none = history("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(ContactsTest, ASessionKeepsItsContact) {
  auto s = session("s1", "alice", "bob");
  s.contact_id = "c-9";
  start(s);
  start(session("s2", "alice", "bob"));
  auto t = await<Transcript>(io_, [&](auto h) { store_->load_transcript("s1", h); });
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->session.contact_id, "c-9");
  t = await<Transcript>(io_, [&](auto h) { store_->load_transcript("s2", h); });
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->session.contact_id, "");
}

TEST_F(ContactsTest, HistoryWordsSearchSummariesAndTranscripts) {
  ASSERT_TRUE(upsert({contact("c1", "Alice Dupont")}).ok());
  auto tied = session("s-tied", "agent1", "agent2", kT0 + 3000);
  tied.contact_id = "c1";
  start(tied);
  say("s-tied", "agent1", "agent2", "the customer wants a remboursement");
  say("s-tied", "agent2", "agent1", "remboursement approuvé");
  auto quiet = session("s-quiet", "agent1", "agent2", kT0 + 4000);
  quiet.contact_id = "c1";
  start(quiet);
  say("s-quiet", "agent1", "agent2", "nothing relevant");
  start(session("s-else", "agent1", "agent2", kT0 + 5000));
  say("s-else", "agent1", "agent2", "remboursement for someone else");
  ASSERT_TRUE(add({entry("c1", kT0 + 1000, ContactChannel::Voice, "Demande de remboursement"),
                   entry("c1", kT0 + 2000, ContactChannel::Email, "address change")})
                  .ok());

  auto h = history("c1", "REMBOURSEMENT");
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].session_id, "s-tied");
  EXPECT_EQ((*h)[0].snippet, std::string(kMarkOpen) + "remboursement" +
                                 std::string(kMarkClose) + " approuvé")
      << "the newest matching message";
  EXPECT_EQ((*h)[1].summary, "Demande de remboursement");
  EXPECT_EQ((*h)[1].snippet, "Demande de " + std::string(kMarkOpen) + "remboursement" +
                                 std::string(kMarkClose));

  h = history("c1", "approuve");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].session_id, "s-tied");
  h = history("c1", "NEAR(\"address");
  ASSERT_TRUE(h.ok()) << "syntax is plain text";
  EXPECT_TRUE(h->empty());
  h = history("c1", "address chan");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].channel, ContactChannel::Email);
  h = history("c1", "...");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->empty()) << "words without letters find nothing";
  h = history("c1", " \t");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 4u) << "whitespace is no words: everything";
}

TEST_F(ContactsTest, HistoryOfAnUnknownContactIsRefusedWhole) {
  ASSERT_TRUE(upsert({contact("c1", "Alice")}).ok());
  auto r = add({entry("c1", kT0, ContactChannel::Chat, "ok"),
                entry("ghost", kT0, ContactChannel::Chat, "who?")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, StoreErrc::NotFound);
  EXPECT_EQ(r.error().message, "history entry 2: no contact 'ghost'");
  auto h = history("c1");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->empty()) << "nothing of the batch is written";
}

}  // namespace
}  // namespace ims::sw::store
