// SqliteStore's presence publications (RFC 3903, PRODUCT §2): put, replace under a new entity-tag,
// remove, and everything found again after a restart and after a migration.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "switch/store/schema.hpp"
#include "switch/store/sqlite_store.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::await;

constexpr std::int64_t kT0 = 1'764'000'000'000;

Publication make_publication(std::string login, std::string etag, PresenceBasic basic,
                             std::string note, std::int64_t modified_at_ms = kT0) {
  Publication p;
  p.login = std::move(login);
  p.etag = std::move(etag);
  p.basic = basic;
  p.note = std::move(note);
  p.expires_at_ms = modified_at_ms + 3'600'000;
  p.modified_at_ms = modified_at_ms;
  return p;
}

class PublicationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  std::unique_ptr<SqliteStore> open() {
    SqliteStore::Options o;
    o.path = dir_.file("store.db");
    auto s = SqliteStore::open(o, io_.get_executor());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
  }
  Result<void> put(Store& s, Publication p, std::string replaces = {}) {
    return await<void>(io_, [&](auto h) { s.put_publication(std::move(p), replaces, h); });
  }
  Result<void> remove(Store& s, std::string login, std::string etag) {
    return await<void>(io_, [&](auto h) { s.remove_publication(login, etag, h); });
  }
  std::vector<Publication> load(Store& s) {
    auto r = s.load_publications();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<Publication>{};
  }

  test::TempDir dir_;
  boost::asio::io_context io_;
};

TEST_F(PublicationStoreTest, PublicationsRoundTripWithEveryField) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(
      put(*s, make_publication("bob", "e1", PresenceBasic::Closed, "lunch ☕", kT0 + 5)).ok());
  ASSERT_TRUE(put(*s, make_publication("alice", "a1", PresenceBasic::Open, "", kT0)).ok());
  auto all = load(*s);
  ASSERT_EQ(all.size(), 2u);
  // Oldest modification first.
  EXPECT_EQ(all[0].login, "alice");
  EXPECT_EQ(all[0].basic, PresenceBasic::Open);
  const Publication& bob = all[1];
  EXPECT_EQ(bob.login, "bob");
  EXPECT_EQ(bob.etag, "e1");
  EXPECT_EQ(bob.basic, PresenceBasic::Closed);
  EXPECT_EQ(bob.note, "lunch ☕");
  EXPECT_EQ(bob.modified_at_ms, kT0 + 5);
  EXPECT_EQ(bob.expires_at_ms, kT0 + 5 + 3'600'000);
}

TEST_F(PublicationStoreTest, ARefreshMovesThePublicationToItsNewEntityTag) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_publication("bob", "e1", PresenceBasic::Closed, "lunch")).ok());
  auto refreshed = make_publication("bob", "e2", PresenceBasic::Closed, "lunch");
  refreshed.expires_at_ms += 60'000;
  ASSERT_TRUE(put(*s, refreshed, "e1").ok());
  auto all = load(*s);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].etag, "e2");
  EXPECT_EQ(all[0].expires_at_ms, refreshed.expires_at_ms);
}

TEST_F(PublicationStoreTest, ReplacesOnlyThatLoginsEntityTag) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_publication("alice", "same", PresenceBasic::Open, "")).ok());
  ASSERT_TRUE(put(*s, make_publication("bob", "same", PresenceBasic::Closed, "x")).ok());
  ASSERT_TRUE(put(*s, make_publication("bob", "new", PresenceBasic::Closed, "x"), "same").ok());
  auto all = load(*s);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].login, "alice");
  EXPECT_EQ(all[0].etag, "same");
  EXPECT_EQ(all[1].etag, "new");
}

TEST_F(PublicationStoreTest, RemoveRemovesOneAndAMissingOneIsNoError) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_publication("bob", "e1", PresenceBasic::Closed, "")).ok());
  ASSERT_TRUE(put(*s, make_publication("bob", "e2", PresenceBasic::Open, "")).ok());
  ASSERT_TRUE(remove(*s, "bob", "e1").ok());
  ASSERT_TRUE(remove(*s, "bob", "never").ok());
  auto all = load(*s);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].etag, "e2");
}

TEST_F(PublicationStoreTest, ARestartFindsEveryPublication) {
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(put(*s, make_publication("bob", "e1", PresenceBasic::Closed, "lunch")).ok());
  }
  auto s = open();
  ASSERT_TRUE(s);
  auto all = load(*s);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].note, "lunch");
}

TEST_F(PublicationStoreTest, AVersionTwoFileGainsThePublicationTable) {
  {
    auto db = Connection::open(dir_.file("store.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db, migrations().first(2)).ok());
  }
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_publication("bob", "e1", PresenceBasic::Open, "")).ok());
  EXPECT_EQ(load(*s).size(), 1u);
  EXPECT_GE(schema_version(), 3);
}

}  // namespace
}  // namespace ims::sw::store
