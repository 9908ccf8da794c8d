// migrate(): each migration runs once, in its own transaction, and the file's user_version says
// how far it got.

#include "switch/store/schema.hpp"

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store {
namespace {

std::int64_t query_int(Connection& db, const std::string& sql) {
  auto stmt = db.prepare(sql, "test");
  EXPECT_TRUE(stmt.ok());
  if (!stmt.ok()) return -1;
  auto row = stmt->step("test");
  EXPECT_TRUE(row.ok() && *row);
  return stmt->column_int(0);
}

bool has_table(Connection& db, const std::string& name) {
  return query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                           name + "'") == 1;
}

constexpr Migration kFirst{1, "log table",
                           "CREATE TABLE log (n INTEGER); INSERT INTO log VALUES (1);"};
constexpr Migration kSecond{2, "log again", "INSERT INTO log VALUES (2);"};
constexpr Migration kBroken{2, "broken",
                            "CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1);"};

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    auto db = Connection::open(dir_.file("schema.db"));
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(db).value());
  }
  test::TempDir dir_;
  std::optional<Connection> db_;
};

TEST_F(SchemaTest, AMigrationRunsOnceAndSetsUserVersion) {
  std::array list{kFirst};
  auto v = migrate(*db_, list);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, 1);
  v = migrate(*db_, list);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(query_int(*db_, "SELECT count(*) FROM log"), 1) << "not applied twice";
  EXPECT_EQ(query_int(*db_, "PRAGMA user_version"), 1);
}

TEST_F(SchemaTest, ANewMigrationRunsAloneOnAnOlderFile) {
  std::array one{kFirst};
  ASSERT_TRUE(migrate(*db_, one).ok());
  std::array two{kFirst, kSecond};
  auto v = migrate(*db_, two);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 2);
  EXPECT_EQ(query_int(*db_, "SELECT count(*) FROM log"), 2);
  EXPECT_EQ(query_int(*db_, "SELECT max(n) FROM log"), 2);
  EXPECT_EQ(query_int(*db_, "PRAGMA user_version"), 2);
}

TEST_F(SchemaTest, AFailedMigrationLeavesTheFileAtTheLastGoodVersion) {
  std::array list{kFirst, kBroken};
  auto v = migrate(*db_, list);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("migration 2 (broken)"), std::string::npos) << v.error().message;
  EXPECT_NE(v.error().message.find("no_such_table"), std::string::npos);
  EXPECT_EQ(query_int(*db_, "PRAGMA user_version"), 1);
  EXPECT_FALSE(has_table(*db_, "half")) << "the failed migration left nothing behind";
  EXPECT_FALSE(db_->in_transaction());
}

TEST_F(SchemaTest, AFileFromANewerProgramIsRefused) {
  ASSERT_TRUE(db_->exec("PRAGMA user_version = 7", "test").ok());
  std::array list{kFirst};
  auto v = migrate(*db_, list);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, StoreErrc::SchemaTooNew);
  EXPECT_NE(v.error().message.find("schema version 7 is newer"), std::string::npos)
      << v.error().message;
  EXPECT_NE(v.error().message.find("schema.db.v1-<UTC time>.bak"), std::string::npos)
      << "names the backup to go back to: " << v.error().message;
  EXPECT_FALSE(has_table(*db_, "log"));
}

// The files in `folder` whose names start with `prefix`.
std::vector<std::string> files_starting(const std::filesystem::path& folder,
                                        const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(folder)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) out.push_back(e.path().string());
  }
  return out;
}

TEST_F(SchemaTest, AnOlderFileIsCopiedBeforeItIsUpgraded) {
  std::array one{kFirst};
  ASSERT_TRUE(migrate(*db_, one).ok());
  EXPECT_TRUE(files_starting(dir_.file(""), "schema.db.v").empty()) << "a new file needs none";

  std::array two{kFirst, kSecond};
  auto v = migrate(*db_, two);
  ASSERT_TRUE(v.ok()) << v.error().message;
  const auto backups = files_starting(dir_.file(""), "schema.db.v1-");
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_EQ(backups[0].substr(backups[0].size() - 4), ".bak");
  auto copy = Connection::open(backups[0]);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(query_int(*copy, "PRAGMA user_version"), 1) << "the copy is the file before";
  EXPECT_EQ(query_int(*copy, "SELECT count(*) FROM log"), 1);
  EXPECT_EQ(query_int(*db_, "SELECT count(*) FROM log"), 2);

  ASSERT_TRUE(migrate(*db_, two).ok());
  EXPECT_EQ(files_starting(dir_.file(""), "schema.db.v").size(), 1u) << "none when up to date";
}

TEST_F(SchemaTest, TwoUpgradesWithinASecondKeepBothCopies) {
  std::array one{kFirst};
  std::array two{kFirst, kSecond};
  constexpr Migration kThird{3, "log a third time", "INSERT INTO log VALUES (3);"};
  std::array three{kFirst, kSecond, kThird};
  ASSERT_TRUE(migrate(*db_, one).ok());
  ASSERT_TRUE(migrate(*db_, two).ok());
  ASSERT_TRUE(db_->exec("PRAGMA user_version = 1", "pretend").ok());
  ASSERT_TRUE(db_->exec("DELETE FROM log WHERE n = 2", "pretend").ok());
  ASSERT_TRUE(migrate(*db_, three).ok());
  EXPECT_EQ(files_starting(dir_.file(""), "schema.db.v1-").size(), 2u);
}

TEST_F(SchemaTest, AFailedCopyLeavesTheFileAsItWas) {
  // The folder is renamed under the open file: the copy, named after the old path, cannot be
  // written (root ignores permissions, a missing folder it cannot).
  const std::filesystem::path sub = dir_.file("sub"), moved = dir_.file("moved");
  std::filesystem::create_directory(sub);
  auto opened = Connection::open((sub / "old.db").string());
  ASSERT_TRUE(opened.ok());
  Connection db = std::move(opened).value();
  std::array one{kFirst};
  ASSERT_TRUE(migrate(db, one).ok());
  std::filesystem::rename(sub, moved);

  std::array two{kFirst, kSecond};
  auto v = migrate(db, two);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("without a backup"), std::string::npos) << v.error().message;
  EXPECT_NE(v.error().message.find("old.db.v1-"), std::string::npos) << v.error().message;
  EXPECT_EQ(query_int(db, "PRAGMA user_version"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM log"), 1);
}

TEST_F(SchemaTest, TheSwitchSchemaHasBindingsAndStoredMessages) {
  auto v = migrate(*db_, migrations());
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, schema_version());
  EXPECT_TRUE(has_table(*db_, "bindings"));
  EXPECT_TRUE(has_table(*db_, "stored_messages"));
}

// Schema 5: the full-text index of im_transcript is kept by triggers; FTS5's integrity-check
// compares it with the content it says it holds, whatever changed the table.
TEST_F(SchemaTest, TheTranscriptIndexStaysInStepWithItsTable) {
  ASSERT_TRUE(migrate(*db_, migrations()).ok());
  auto matches = [&](const std::string& query) {
    return query_int(*db_, "SELECT count(*) FROM im_transcript_fts WHERE im_transcript_fts "
                           "MATCH '" + query + "'");
  };
  auto in_step = [&] {
    return db_->exec("INSERT INTO im_transcript_fts (im_transcript_fts, rank) "
                     "VALUES ('integrity-check', 1)", "integrity-check");
  };
  ASSERT_TRUE(db_->exec(R"sql(
INSERT INTO im_sessions (id, initiator, target, state, started_at_ms, ended_at_ms, ended_by,
  end_reason, initiator_call_id, target_call_id, queue) VALUES
  ('s1', 'alice', '2001', 'live', 1, 0, '', '', 'a', 'b', '2001');
INSERT INTO im_transcript (session_id, seq, stamped_at_ms, sender, recipient, content_type, body)
  VALUES ('s1', 1, 10, 'alice', '2001', 'text/plain', 'first words'),
         ('s1', 2, 11, 'alice', '2001', 'application/pdf', 'binary words'),
         ('s1', 3, 12, 'alice', '2001', 'text/plain', 'second words');
)sql", "rows").ok());
  auto r = in_step();
  EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(matches("words"), 2);
  EXPECT_EQ(matches("parties : p32303031"), 2) << "the queue's number, hex of '2001'";

  ASSERT_TRUE(db_->exec("UPDATE im_sessions SET target = 'bob' WHERE id = 's1'", "answer").ok());
  r = in_step();
  EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(matches("parties : p626f62"), 2) << "bob, who took it";
  EXPECT_EQ(matches("parties : p32303031"), 0);

  ASSERT_TRUE(db_->exec("UPDATE im_transcript SET body = 'changed' WHERE seq = 1", "edit").ok());
  ASSERT_TRUE(db_->exec("DELETE FROM im_transcript WHERE seq = 3", "delete").ok());
  r = in_step();
  EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(matches("words"), 0);
  EXPECT_EQ(matches("changed"), 1);
}

}  // namespace
}  // namespace ims::sw::store
