// Contacts and their history through the HTTP API on the real binary: the admin imports contacts
// (one or many, all or nothing) and history entries; any agent reads and searches them; an IM
// session whose INVITE carries case data naming a contact shows up in that contact's history,
// found by a word said in it; pages of the history cover every item once; bad input is 400 (or
// 413 past the per-request bound) and changes nothing; agents may not write (403).

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "tests/integration/api_client.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t kT0 = 1'700'000'000'000;  // November 2023: older than any session here

class ApiContacts : public ApiTest {
 protected:
  ApiAnswer import(std::string_view body) { return as_admin("POST", "/api/v1/contacts", body); }
  ApiAnswer add_history(const std::string& id, std::string_view body) {
    return as_admin("POST", "/api/v1/contacts/" + id + "/history", body);
  }
  ApiAnswer get(const std::string& login, const std::string& target) {
    return as_agent(login, "GET", target);
  }
  static std::string entry(std::int64_t at_ms, std::string_view channel,
                           std::string_view summary) {
    return json{{"at_ms", at_ms}, {"channel", channel}, {"summary", summary}}.dump();
  }
  // [{"id":"c0"},{"id":"c1"},...]: n contacts with ids only.
  static std::string contacts(int n) {
    json all = json::array();
    for (int i = 0; i < n; ++i) all.push_back(json{{"id", "c" + std::to_string(i)}});
    return all.dump();
  }
};

TEST_F(ApiContacts, TheAdminImportsAndAnyAgentReadsAndSearches) {
  auto r = import(R"({"id":"c-1","name":"Zoé Martin","email":"zoe@example.com",
                      "phone":"+33 1 23 45 67 89","company":"Acme","notes":"Prefers email",
                      "attributes":{"tier":"gold","since":2019,"tags":["vip"]}})");
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body, json({{"upserted", 1}}));
  r = import(
      R"([{"id":"c-2","name":"Marc Petit"},{"id":"c-3","name":"Ana Martins","email":null}])");
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["upserted"], 2);

  auto c = get("alice", "/api/v1/contacts/c-1");
  ASSERT_EQ(c.status, 200u) << c.text;
  EXPECT_EQ(c.body["id"], "c-1");
  EXPECT_EQ(c.body["name"], "Zoé Martin");
  EXPECT_EQ(c.body["email"], "zoe@example.com");
  EXPECT_EQ(c.body["phone"], "+33 1 23 45 67 89");
  EXPECT_EQ(c.body["company"], "Acme");
  EXPECT_EQ(c.body["notes"], "Prefers email");
  EXPECT_EQ(c.body["attributes"], json({{"tier", "gold"}, {"since", 2019}, {"tags", {"vip"}}}));
  const std::int64_t created = c.body["created_at_ms"];
  EXPECT_GT(created, kT0);
  EXPECT_EQ(get("bob", "/api/v1/contacts/c-3").body["email"], "");

  auto found = get("bob", "/api/v1/contacts?q=martin");
  ASSERT_EQ(found.status, 200u) << found.text;
  ASSERT_EQ(found.body["count"], 2) << found.text;
  std::set<std::string> ids;
  for (const auto& x : found.body["contacts"]) ids.insert(x["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"c-1", "c-3"}));
  EXPECT_EQ(get("bob", "/api/v1/contacts?q=martin&limit=1").body["count"], 1);
  EXPECT_EQ(get("bob", "/api/v1/contacts?q=zoe%40example").body["count"], 1);

  // An update keeps the creation time.
  ASSERT_EQ(import(R"({"id":"c-1","name":"Zoé Martin-Leroy"})").status, 200u);
  c = get("alice", "/api/v1/contacts/c-1");
  EXPECT_EQ(c.body["name"], "Zoé Martin-Leroy");
  EXPECT_EQ(c.body["email"], "") << "an upsert writes the whole contact";
  EXPECT_EQ(c.body["created_at_ms"], created);
  EXPECT_GE(c.body["updated_at_ms"].get<std::int64_t>(), created);

  EXPECT_EQ(get("alice", "/api/v1/contacts/c-404").status, 404u);
  EXPECT_EQ(get("alice", "/api/v1/contacts?q=").status, 400u);
}

TEST_F(ApiContacts, BadImportsAreRefusedWholeAndChangeNothing) {
  auto expect = [&](std::string_view body, unsigned status, std::string_view says) {
    auto r = import(body);
    EXPECT_EQ(r.status, status) << body.substr(0, 80) << ": " << r.text;
    EXPECT_NE(r.body.value("error", "").find(says), std::string::npos)
        << body.substr(0, 80) << ": " << r.text;
  };
  expect(R"({"id":"c-1")", 400, "JSON");
  expect("", 400, "JSON");
  expect(R"("c-1")", 400, "object");
  expect(R"([{"id":"c-new"},{"id":"c-2","nickname":"M"}])", 400,
         "contacts[1]: unknown field 'nickname'");
  expect(R"([{"id":"c-new"},{"name":"no id"}])", 400, "contacts[1].id");
  expect(R"({"id":""})", 400, "contacts[0].id");
  expect(R"({"id":"c-new","name":42})", 400, "contacts[0].name");
  expect(R"({"id":"c-new","attributes":[1,2]})", 400, "attributes");
  expect(R"({"id":")" + std::string(300, 'x') + R"("})", 400, "id");
  expect(contacts(10001), 413, "10000");
  EXPECT_EQ(get("alice", "/api/v1/contacts/c-new").status, 404u) << "nothing of a refused batch";
  EXPECT_EQ(get("alice", "/api/v1/contacts/c0").status, 404u);

  auto agent = as_agent("alice", "POST", "/api/v1/contacts", R"({"id":"c-new"})");
  EXPECT_EQ(agent.status, 403u) << agent.text;
  EXPECT_EQ(get("alice", "/api/v1/contacts/c-new").status, 404u);

  // At the bound, all of them.
  auto r = import(contacts(10000));
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["upserted"], 10000);
  EXPECT_EQ(get("alice", "/api/v1/contacts/c9999").status, 200u);
  EXPECT_TRUE(still_serving(*sw_));
}

TEST_F(ApiContacts, HistoryEntriesAreAddedAllOrNothing) {
  ASSERT_EQ(import(R"({"id":"c-7","name":"Ana Lima"})").status, 200u);
  auto r = add_history("c-7", entry(kT0, "voice", "Called about the invoice"));
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body, json({{"added", 1}}));
  r = add_history("c-7", "[" + entry(kT0 + 1000, "email", "Sent the refund form") + "," +
                             entry(kT0 + 2000, "chat", "Asked for a delivery date") + "]");
  ASSERT_EQ(r.status, 200u) << r.text;
  EXPECT_EQ(r.body["added"], 2);

  auto expect = [&](const std::string& id, std::string_view body, unsigned status,
                    std::string_view says) {
    auto a = add_history(id, body);
    EXPECT_EQ(a.status, status) << body << ": " << a.text;
    EXPECT_NE(a.body.value("error", "").find(says), std::string::npos) << body << ": " << a.text;
  };
  expect("c-nobody", entry(kT0, "voice", "x"), 404, "contact");
  expect("c-7", R"({"at_ms":1,"channel":"fax","summary":"x"})", 400, "channel");
  expect("c-7", R"({"at_ms":-1,"channel":"voice","summary":"x"})", 400, "at_ms");
  expect("c-7", R"({"at_ms":1.5,"channel":"voice","summary":"x"})", 400, "at_ms");
  expect("c-7", R"({"channel":"voice","summary":"x"})", 400, "at_ms");
  expect("c-7", R"({"at_ms":1,"channel":"voice"})", 400, "summary");
  expect("c-7",
         "[" + entry(kT0 + 5000, "voice", "kept?") +
             R"(,{"at_ms":1,"channel":"voice","summary":"x","mood":"ok"}])",
         400, "items[1]: unknown field 'mood'");
  expect("c-7", "{", 400, "JSON");
  auto agent =
      as_agent("alice", "POST", "/api/v1/contacts/c-7/history", entry(kT0, "voice", "x"));
  EXPECT_EQ(agent.status, 403u) << agent.text;

  auto h = get("alice", "/api/v1/contacts/c-7/history");
  ASSERT_EQ(h.status, 200u) << h.text;
  ASSERT_EQ(h.body["count"], 3) << "none of the refused ones: " << h.text;
  const json newest = h.body["items"][0];
  EXPECT_EQ(newest["channel"], "chat");
  EXPECT_EQ(newest["at_ms"], kT0 + 2000);
  EXPECT_EQ(newest["at"], "2023-11-14T22:13:22.000Z");
  EXPECT_EQ(newest["summary"], "Asked for a delivery date");
  EXPECT_GT(newest["entry_id"].get<std::int64_t>(), 0);
  EXPECT_FALSE(newest.contains("session_id"));
  EXPECT_FALSE(newest.contains("snippet"));
  EXPECT_FALSE(h.body.contains("next_until")) << "everything on one page";

  auto words = get("bob", "/api/v1/contacts/c-7/history?q=invoice");
  ASSERT_EQ(words.body["count"], 1) << words.text;
  EXPECT_EQ(words.body["items"][0]["channel"], "voice");
  EXPECT_NE(words.body["items"][0]["snippet"].get<std::string>().find("\xC2\xABinvoice\xC2\xBB"),
            std::string::npos);
  EXPECT_EQ(get("bob", "/api/v1/contacts/c-7/history?until=" + std::to_string(kT0 + 1500))
                .body["count"],
            2);
  EXPECT_EQ(get("bob", "/api/v1/contacts/c-nobody/history").status, 404u);
  EXPECT_EQ(get("bob", "/api/v1/contacts/c-7/history?until=soon").status, 400u);
  EXPECT_EQ(get("bob", "/api/v1/contacts/c-7/history?limit=0").status, 400u);
}

TEST_F(ApiContacts, PagesOfHistoryCoverEveryItemOnceEvenAtTheSameMillisecond) {
  ASSERT_EQ(import(R"({"id":"c-8"})").status, 200u);
  // Five entries, three of them at the same moment; pages of two.
  ASSERT_EQ(add_history("c-8", "[" + entry(kT0, "voice", "a") + "," +
                                   entry(kT0 + 1000, "voice", "b") + "," +
                                   entry(kT0 + 1000, "voice", "c") + "," +
                                   entry(kT0 + 1000, "voice", "d") + "," +
                                   entry(kT0 + 2000, "voice", "e") + "]")
                .status,
            200u);
  std::multiset<std::string> seen;
  std::string query = "limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = get("alice", "/api/v1/contacts/c-8/history?" + query);
    ASSERT_EQ(page.status, 200u) << page.text;
    for (const auto& it : page.body["items"]) seen.insert(it["summary"].get<std::string>());
    if (!page.body.contains("next_until")) break;
    query = "limit=2&until=" + std::to_string(page.body["next_until"].get<std::int64_t>());
  }
  EXPECT_EQ(seen, (std::multiset<std::string>{"a", "b", "c", "d", "e"}));
}

TEST_F(ApiContacts, ASessionWithTheContactInItsCaseDataIsInItsHistory) {
  ASSERT_EQ(import(R"({"id":"c-42","name":"Ada Lovelace"})").status, 200u);
  ASSERT_EQ(add_history("c-42", entry(kT0, "voice", "Asked about the engine")).status, 200u);
  auto alice = peer("alice");
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  // A consultation: the first message and case data naming the contact (PRODUCT §5).
  const std::string body =
      "--b1\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nCan you help with Ada's order?"
      "\r\n--b1\r\nContent-Type: application/json\r\n\r\n"
      R"({"contact_id":"c-42","interaction":"voice-123","topic":"billing"})"
      "\r\n--b1--\r\n";
  auto held = connect(*alice, *bob, "multipart/mixed;boundary=b1", body);
  ASSERT_TRUE(held);
  say(*bob, held->target, *alice, "Sure, the platypus figurine ships Monday");
  end(*alice, held->initiator, *bob);
  ASSERT_TRUE(sw_->wait_for_log("ended: bye by alice", 1, 5s)) << sw_->log_tail(10);
  barrier();

  auto h = get("carol", "/api/v1/contacts/c-42/history");
  ASSERT_EQ(h.status, 200u) << h.text;
  ASSERT_EQ(h.body["count"], 2) << h.text;
  const json session = h.body["items"][0];
  EXPECT_EQ(session["channel"], "im");
  EXPECT_EQ(session["parties"], json::array({"alice", "bob"}));
  EXPECT_FALSE(session.contains("entry_id")) << "found by its contact, not by an entry";
  const std::string id = session["session_id"].get<std::string>();
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(h.body["items"][1]["summary"], "Asked about the engine");

  auto words = get("carol", "/api/v1/contacts/c-42/history?q=platypus");
  ASSERT_EQ(words.body["count"], 1) << words.text;
  EXPECT_EQ(words.body["items"][0]["session_id"], id);
  EXPECT_NE(words.body["items"][0]["snippet"].get<std::string>().find("\xC2\xABplatypus\xC2\xBB"),
            std::string::npos)
      << words.text;
  EXPECT_EQ(get("carol", "/api/v1/contacts/c-42/history?q=wombat").body["count"], 0);

  auto t = get("alice", "/api/v1/sessions/" + id);
  ASSERT_EQ(t.status, 200u) << t.text;
  EXPECT_EQ(t.body["contact_id"], "c-42");
  EXPECT_EQ(t.body["messages"][0]["text"], "Can you help with Ada's order?");
}

}  // namespace
}  // namespace ims::test
