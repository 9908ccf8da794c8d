// The files `imtool contacts import` reads: CSV columns to contact fields and attributes, JSON
// contacts checked field by field, every refusal naming the row, and the batches a large file
// is sent in.

#include "tools/imtool/contacts_file.hpp"

#include <gtest/gtest.h>

namespace ims::tool {
namespace {

using nlohmann::json;

TEST(ContactsFile, CsvColumnsBecomeFieldsAndOtherColumnsAttributes) {
  auto c = contacts_from_csv(
      "ID,Name,email,phone,company,notes,Tier,Region\n"
      "c-1,\"Smith, Ann\",ann@example.com,+33 1 23,ACME,\"called twice,\nangry\",gold,\n"
      "c-2,Bob,,,,,,north\n");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0], (json{{"id", "c-1"},
                           {"name", "Smith, Ann"},
                           {"email", "ann@example.com"},
                           {"phone", "+33 1 23"},
                           {"company", "ACME"},
                           {"notes", "called twice,\nangry"},
                           {"attributes", {{"Tier", "gold"}}}}));
  EXPECT_EQ((*c)[1], (json{{"id", "c-2"}, {"name", "Bob"}, {"attributes", {{"Region", "north"}}}}))
      << "empty cells are fields left out";
}

TEST(ContactsFile, CsvRefusalsNameTheLine) {
  auto no_id_column = contacts_from_csv("name,email\nAnn,a@x\n");
  ASSERT_FALSE(no_id_column);
  EXPECT_NE(no_id_column.error().message.find("line 1: the header names no id column"),
            std::string::npos);

  auto no_id = contacts_from_csv("id,name\nc-1,Ann\n\"\",Bob\n");
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message, "line 3: no id");

  auto short_row = contacts_from_csv("id,name,notes\nc-1,\"Ann\nSmith\",x\nc-2,Bob\n");
  ASSERT_FALSE(short_row);
  EXPECT_EQ(short_row.error().message, "line 4: 2 fields where the header has 3");

  auto twice = contacts_from_csv("id,Name,name\n");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "line 1: column \"name\" given twice");

  auto unnamed = contacts_from_csv("id,,name\n");
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().message, "line 1: column 2 has no name");

  auto quote = contacts_from_csv("id,name\nc-1,\"Ann\nc-2,Bob\n");
  ASSERT_FALSE(quote);
  EXPECT_EQ(quote.error().message, "line 2: a quoted field is never closed (a '\"' is missing)");

  EXPECT_FALSE(contacts_from_csv(""));

  // What the switch would refuse, refused here first, before anything is sent.
  auto long_id = contacts_from_csv("id,name\nc-1,Ann\n" + std::string(257, 'i') + ",Bob\n");
  ASSERT_FALSE(long_id);
  EXPECT_EQ(long_id.error().message, "line 3: id longer than 256 bytes");
  auto long_notes =
      contacts_from_csv("id,notes\nc-1,\"" + std::string(64 * 1024 + 1, 'n') + "\"\n");
  ASSERT_FALSE(long_notes);
  EXPECT_EQ(long_notes.error().message, "line 2: notes longer than 65536 bytes");
}

TEST(ContactsFile, JsonTakesOneContactOrAnArray) {
  auto one = contacts_from_json(R"({"id":"c-1","name":"Ann","attributes":{"tier":"gold","n":3}})");
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0]["attributes"]["n"], 3);
  auto many = contacts_from_json(R"([{"id":"c-1"},{"id":"c-2","notes":"x"}])");
  ASSERT_TRUE(many) << many.error().message;
  EXPECT_EQ(many->size(), 2u);
}

TEST(ContactsFile, JsonRefusalsNameTheContact) {
  auto unknown = contacts_from_json(R"([{"id":"c-1"},{"id":"c-17","fax":"123"}])");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("contact 2 (id \"c-17\"): unknown field \"fax\""),
            std::string::npos)
      << unknown.error().message;
  auto no_id = contacts_from_json(R"([{"name":"Ann"}])");
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message, "contact 1: no id");
  auto bad_type = contacts_from_json(R"({"id":"c-1","phone":1234})");
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().message, "contact 1 (id \"c-1\"): phone must be a string");
  auto attributes = contacts_from_json(R"({"id":"c-1","attributes":[1]})");
  ASSERT_FALSE(attributes);
  EXPECT_NE(attributes.error().message.find("attributes must be a JSON object"), std::string::npos);
  auto not_json = contacts_from_json("[{\"id\":\"c-1\"},\n{\"id\":");
  ASSERT_FALSE(not_json);
  EXPECT_NE(not_json.error().message.find("not JSON"), std::string::npos);
  EXPECT_NE(not_json.error().message.find("line 2"), std::string::npos) << not_json.error().message;
  EXPECT_FALSE(contacts_from_json("42"));
  auto long_name = contacts_from_json(R"({"id":"c-1","name":")" + std::string(1025, 'a') + "\"}");
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error().message, "contact 1 (id \"c-1\"): name longer than 1024 bytes");
  std::string deep = "1";
  for (int k = 0; k < 17; ++k) deep = "[" + deep + "]";
  EXPECT_FALSE(contacts_from_json(R"({"id":"c-1","attributes":{"x":)" + deep + "}}"));
  EXPECT_TRUE(contacts_from_json(R"({"id":"c-1","name":null,"attributes":null})"));
}

TEST(ContactsFile, BatchesHoldAtMostAThousandContactsInOrder) {
  json all = json::array();
  for (int k = 0; k < 2500; ++k) all.push_back(json{{"id", "c-" + std::to_string(k)}});
  const auto batches = import_batches(all);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), kMaxImportBatch);
  EXPECT_EQ(batches[1].size(), kMaxImportBatch);
  EXPECT_EQ(batches[2].size(), 500u);
  EXPECT_EQ(batches[1][0]["id"], "c-1000");
  EXPECT_EQ(batches[2][499]["id"], "c-2499");
}

TEST(ContactsFile, BatchesStayUnderTheBodyBound) {
  json all = json::array();
  const std::string notes(100 * 1024, 'n');
  for (int k = 0; k < 20; ++k) all.push_back(json{{"id", "c-" + std::to_string(k)}, {"notes", notes}});
  const auto batches = import_batches(all);
  std::size_t total = 0;
  for (const auto& b : batches) {
    EXPECT_LE(b.dump().size(), kMaxImportBatchBytes);
    total += b.size();
  }
  EXPECT_EQ(total, 20u);
  EXPECT_GT(batches.size(), 2u);
}

}  // namespace
}  // namespace ims::tool
