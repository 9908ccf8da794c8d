// SqliteStore: what goes in comes out unaltered, in order, and is still there after a restart.

#include "switch/store/sqlite_store.hpp"

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

#include "switch/store/errors.hpp"
#include "switch/store/schema.hpp"
#include "tests/unit/switch/store/store_test_support.hpp"

namespace ims::sw::store {
namespace {

using test::await;
using test::run_until;

Binding make_binding(std::string aor, std::string contact, std::int64_t expires_at_ms) {
  Binding b;
  b.aor = std::move(aor);
  b.contact = std::move(contact);
  b.contact_params = ";+imswitch.session;q=0.5";
  b.display_name = "\"Alice Ångström\"";
  b.instance = "<urn:uuid:00000000-0000-1000-8000-000a95a0e128>";
  b.q_millis = 500;
  b.session_capable = true;
  b.call_id = "a84b4c76e66710@pc33";
  b.cseq = 314159;
  b.expires_at_ms = expires_at_ms;
  b.registered_at_ms = 1'700'000'000'000;
  b.transport = "tcp";
  b.source_address = "2001:db8::1";
  b.source_port = 50600;
  b.flow_id = 42;
  return b;
}

StoredMessage make_message(std::string recipient, std::string body,
                           std::int64_t expires = 10'000'000'000'000) {
  StoredMessage m;
  m.recipient = std::move(recipient);
  m.sender_login = "bob";
  m.from = "\"Bob\" <sip:bob@example.com>;tag=49583";
  m.to = "<sip:alice@example.com>";
  m.content_type = "text/plain;charset=UTF-8";
  m.body = std::move(body);
  m.received_at_ms = 1'700'000'000'123;
  m.expires_at_ms = expires;
  return m;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s + std::string("\0\0tail", 6);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  SqliteStore::Options options() const {
    SqliteStore::Options o;
    o.path = dir_.file("store.db");
    return o;
  }
  std::unique_ptr<SqliteStore> open(const SqliteStore::Options& o) {
    auto s = SqliteStore::open(o, io_.get_executor());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::unique_ptr<SqliteStore> open() { return open(options()); }

  Result<void> put(Store& s, Binding b) {
    return await<void>(io_, [&](auto h) { s.put_binding(std::move(b), h); });
  }
  Result<std::int64_t> store(Store& s, StoredMessage m) {
    return await<std::int64_t>(io_, [&](auto h) { s.store_message(std::move(m), 0, h); });
  }
  Result<std::int64_t> store_bounded(Store& s, StoredMessage m, std::size_t limit) {
    return await<std::int64_t>(io_, [&](auto h) { s.store_message(std::move(m), limit, h); });
  }
  Result<std::vector<StoredMessage>> pending(Store& s, std::string who, std::size_t limit = 100) {
    return await<std::vector<StoredMessage>>(
        io_, [&](auto h) { s.pending_messages(std::move(who), limit, h); });
  }

  test::TempDir dir_;
  boost::asio::io_context io_;
};

TEST_F(SqliteStoreTest, BindingsRoundTripWithEveryFieldButTheFlow) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:alice@192.0.2.4:5060;transport=tcp", 5000)).ok());
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:alice@198.51.100.7", 6000)).ok());
  ASSERT_TRUE(put(*s, make_binding("bob", "sip:bob@192.0.2.9", 7000)).ok());

  auto all = s->load_bindings();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  const Binding& b = (*all)[0];
  Binding want = make_binding("alice", "sip:alice@192.0.2.4:5060;transport=tcp", 5000);
  EXPECT_EQ(b.aor, want.aor);
  EXPECT_EQ(b.contact, want.contact);
  EXPECT_EQ(b.contact_params, want.contact_params);
  EXPECT_EQ(b.display_name, want.display_name);
  EXPECT_EQ(b.instance, want.instance);
  EXPECT_EQ(b.q_millis, want.q_millis);
  EXPECT_EQ(b.session_capable, want.session_capable);
  EXPECT_EQ(b.call_id, want.call_id);
  EXPECT_EQ(b.cseq, want.cseq);
  EXPECT_EQ(b.expires_at_ms, want.expires_at_ms);
  EXPECT_EQ(b.registered_at_ms, want.registered_at_ms);
  EXPECT_EQ(b.transport, want.transport);
  EXPECT_EQ(b.source_address, want.source_address);
  EXPECT_EQ(b.source_port, want.source_port);
  EXPECT_EQ(b.flow_id, 0u);  // a flow does not survive a restart
}

TEST_F(SqliteStoreTest, PutBindingReplacesTheSameContact) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:alice@192.0.2.4", 5000)).ok());
  auto refreshed = make_binding("alice", "sip:alice@192.0.2.4", 9000);
  refreshed.cseq = 314160;
  refreshed.session_capable = false;
  ASSERT_TRUE(put(*s, refreshed).ok());

  auto all = s->load_bindings();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].expires_at_ms, 9000);
  EXPECT_EQ((*all)[0].cseq, 314160u);
  EXPECT_FALSE((*all)[0].session_capable);
}

TEST_F(SqliteStoreTest, RemoveBindingRemovesOneAndRemoveBindingsAllOfAnAor) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:a1@192.0.2.4", 5000)).ok());
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:a2@192.0.2.4", 5000)).ok());
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:a3@192.0.2.4", 5000)).ok());
  ASSERT_TRUE(put(*s, make_binding("bob", "sip:b1@192.0.2.9", 5000)).ok());

  auto one = await<void>(io_, [&](auto h) { s->remove_binding("alice", "sip:a2@192.0.2.4", h); });
  ASSERT_TRUE(one.ok());
  auto gone = await<void>(io_, [&](auto h) { s->remove_binding("alice", "sip:a2@192.0.2.4", h); });
  EXPECT_TRUE(gone.ok()) << "removing a binding that is not there succeeds";
  auto left = s->load_bindings();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->size(), 3u);

  auto all = await<void>(io_, [&](auto h) { s->remove_bindings("alice", h); });
  ASSERT_TRUE(all.ok());
  left = s->load_bindings();
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].aor, "bob");
}

TEST_F(SqliteStoreTest, MessageKeepsBodyContentTypeSenderAndTimeUnaltered) {
  auto s = open();
  ASSERT_TRUE(s);
  auto sent = make_message("alice", all_bytes());
  sent.content_type = "message/cpim";
  sent.from = "\"Bøb\" <sip:bob@example.com>;tag=x\"y";
  auto id = store(*s, sent);
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto empty = store(*s, make_message("alice", ""));
  ASSERT_TRUE(empty.ok());

  auto got = pending(*s, "alice");
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 2u);
  const StoredMessage& m = (*got)[0];
  EXPECT_EQ(m.id, *id);
  EXPECT_EQ(m.recipient, "alice");
  EXPECT_EQ(m.sender_login, sent.sender_login);
  EXPECT_EQ(m.from, sent.from);
  EXPECT_EQ(m.to, sent.to);
  EXPECT_EQ(m.content_type, sent.content_type);
  EXPECT_EQ(m.body, sent.body);  // 262 bytes, NULs included
  EXPECT_EQ(m.body.size(), 262u);
  EXPECT_EQ(m.received_at_ms, sent.received_at_ms);
  EXPECT_EQ(m.expires_at_ms, sent.expires_at_ms);
  EXPECT_EQ((*got)[1].body, "");
}

TEST_F(SqliteStoreTest, PendingMessagesComeInIdOrderForTheRecipientOnlyUpToTheLimit) {
  auto s = open();
  ASSERT_TRUE(s);
  std::vector<std::int64_t> alice_ids;
  for (int i = 0; i < 5; ++i) {
    auto a = store(*s, make_message("alice", "a" + std::to_string(i)));
    ASSERT_TRUE(a.ok());
    alice_ids.push_back(*a);
    ASSERT_TRUE(store(*s, make_message("bob", "b" + std::to_string(i))).ok());
  }
  auto got = pending(*s, "alice", 3);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*got)[i].id, alice_ids[i]);
    EXPECT_EQ((*got)[i].body, "a" + std::to_string(i));
  }
  auto nobody = pending(*s, "carol");
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE(nobody->empty());
}

TEST_F(SqliteStoreTest, DeleteMessageRemovesOnlyThatMessage) {
  auto s = open();
  ASSERT_TRUE(s);
  auto first = store(*s, make_message("alice", "one"));
  auto second = store(*s, make_message("alice", "two"));
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(await<void>(io_, [&](auto h) { s->delete_message(*first, h); }).ok());
  EXPECT_TRUE(await<void>(io_, [&](auto h) { s->delete_message(*first, h); }).ok())
      << "deleting a message that is gone succeeds";
  auto got = pending(*s, "alice");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, *second);
  // Ids are never reused: the next one is above every id handed out before.
  auto third = store(*s, make_message("alice", "three"));
  ASSERT_TRUE(third.ok());
  EXPECT_GT(*third, *second);
}

TEST_F(SqliteStoreTest, AReaddressedMessageGoesToItsNewRecipientInItsOrder) {
  auto s = open();
  ASSERT_TRUE(s);
  auto queued = store(*s, make_message("2001", "for the queue"));
  auto own = store(*s, make_message("bob", "for bob"));
  ASSERT_TRUE(queued.ok() && own.ok());

  ASSERT_TRUE(await<void>(io_, [&](auto h) { s->readdress_message(*queued, "bob", h); }).ok());

  auto got = pending(*s, "bob");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].id, *queued) << "it keeps its place: it came first";
  EXPECT_EQ((*got)[0].recipient, "bob");
  EXPECT_EQ((*got)[0].body, "for the queue");
  EXPECT_TRUE(pending(*s, "2001")->empty());
  auto gone = await<void>(io_, [&](auto h) { s->readdress_message(*queued + 100, "bob", h); });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, StoreErrc::NotFound);
}

TEST_F(SqliteStoreTest, ExpireDropsWhatExpiredAndReportsIt) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:old@192.0.2.4", 100)).ok());
  ASSERT_TRUE(put(*s, make_binding("alice", "sip:new@192.0.2.4", 200)).ok());
  auto old_msg = store(*s, make_message("alice", "old", 150));
  auto at_now = store(*s, make_message("alice", "at now", 160));
  auto new_msg = store(*s, make_message("alice", "new", 300));
  ASSERT_TRUE(old_msg.ok() && at_now.ok() && new_msg.ok());

  auto counts = await<ExpiredCounts>(io_, [&](auto h) { s->expire(160, h); });
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->bindings, 1u);
  EXPECT_EQ(counts->messages, 2u);
  ASSERT_EQ(counts->dropped.size(), 2u);
  EXPECT_EQ(counts->dropped[0].id, *old_msg);
  EXPECT_EQ(counts->dropped[0].recipient, "alice");
  EXPECT_EQ(counts->dropped[0].sender_login, "bob");
  EXPECT_EQ(counts->dropped[1].id, *at_now);

  auto left = s->load_bindings();
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].contact, "sip:new@192.0.2.4");
  auto msgs = pending(*s, "alice");
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ((*msgs)[0].id, *new_msg);
}

TEST_F(SqliteStoreTest, ARestartFindsEveryBindingAndMessage) {
  std::int64_t id = 0;
  {
    auto s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(put(*s, make_binding("alice", "sip:alice@192.0.2.4", 5000)).ok());
    auto r = store(*s, make_message("alice", all_bytes()));
    ASSERT_TRUE(r.ok());
    id = *r;
  }
  auto s = open();
  ASSERT_TRUE(s);
  auto bindings = s->load_bindings();
  ASSERT_TRUE(bindings.ok());
  ASSERT_EQ(bindings->size(), 1u);
  EXPECT_EQ((*bindings)[0].contact, "sip:alice@192.0.2.4");
  auto msgs = pending(*s, "alice");
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ((*msgs)[0].id, id);
  EXPECT_EQ((*msgs)[0].body, all_bytes());
}

TEST_F(SqliteStoreTest, OpenAppliesTheSchemaAndRecordsItsVersion) {
  ASSERT_TRUE(open());
  auto db = Connection::open(options().path);
  ASSERT_TRUE(db.ok());
  auto v = db->prepare("PRAGMA user_version", "test");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->step("test").ok());
  EXPECT_EQ(v->column_int(0), schema_version());
  auto mode = db->prepare("PRAGMA journal_mode", "test");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(mode->step("test").ok());
  EXPECT_EQ(mode->column_text(0), "wal");
}

TEST_F(SqliteStoreTest, ABadPathGivesAnErrorNamingTheFile) {
  auto o = options();
  o.path = "/nonexistent-imswitch-dir/sub/store.db";
  auto s = SqliteStore::open(o, io_.get_executor());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, StoreErrc::CannotOpen);
  EXPECT_EQ(s.error().message,
            "store /nonexistent-imswitch-dir/sub/store.db: open: unable to open database file");
}

TEST_F(SqliteStoreTest, AFileThatIsNoDatabaseIsRefusedClearly) {
  auto o = options();
  std::ofstream(o.path) << "imswitch: this is a text file, not a database, and it is long enough "
                           "that SQLite reads a header from it.\n"
                        << std::string(200, 'x');
  auto s = SqliteStore::open(o, io_.get_executor());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, StoreErrc::Corrupt);
  EXPECT_NE(s.error().message.find(o.path), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("not a database"), std::string::npos) << s.error().message;
}

TEST_F(SqliteStoreTest, InMemoryDatabaseWorksForTests) {
  auto o = options();
  o.path = ":memory:";
  auto s = open(o);
  ASSERT_TRUE(s);
  auto id = store(*s, make_message("alice", "hi"));
  ASSERT_TRUE(id.ok());
  auto got = pending(*s, "alice");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 1u);
}

TEST_F(SqliteStoreTest, HandlersRunOnTheGivenExecutorNotOnTheWorker) {
  auto strand = boost::asio::make_strand(io_);
  auto opened = SqliteStore::open(options(), strand);
  ASSERT_TRUE(opened.ok());
  auto s = std::move(opened).value();
  const auto test_thread = std::this_thread::get_id();
  int checked = 0;
  auto check = [&] {
    EXPECT_TRUE(strand.running_in_this_thread());
    EXPECT_EQ(std::this_thread::get_id(), test_thread);
    ++checked;
  };
  s->put_binding(make_binding("alice", "sip:a@192.0.2.4", 1), [&](Result<void>) { check(); });
  s->store_message(make_message("alice", "x"), 0, [&](Result<std::int64_t>) { check(); });
  s->pending_messages("alice", 10, [&](Result<std::vector<StoredMessage>>) { check(); });
  s->expire(0, [&](Result<ExpiredCounts>) { check(); });
  ASSERT_TRUE(run_until(io_, [&] { return checked == 4; }));
}

TEST_F(SqliteStoreTest, CloseFinishesAcceptedOperationsThenRefusesNewOnes) {
  auto s = open();
  ASSERT_TRUE(s);
  int ok = 0;
  for (int i = 0; i < 100; ++i) {
    s->store_message(make_message("alice", std::to_string(i)), 0, [&](Result<std::int64_t> r) {
      if (r.ok()) ++ok;
    });
  }
  s->close();
  auto late =
      await<std::int64_t>(io_, [&](auto h) { s->store_message(make_message("a", "x"), 0, h); });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, StoreErrc::Closed);
  ASSERT_TRUE(run_until(io_, [&] { return ok == 100; }));
  s.reset();
  auto again = open();
  ASSERT_TRUE(again);
  auto got = pending(*again, "alice", 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 100u);
}

TEST_F(SqliteStoreTest, AMessagePastTheRecipientsLimitIsRefusedAndNotStored) {
  auto s = open();
  ASSERT_TRUE(s);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_bounded(*s, make_message("carol", "m"), 3).ok());
  auto refused = store_bounded(*s, make_message("carol", "one too many"), 3);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, make_error_code(StoreErrc::QueueFull));
  EXPECT_TRUE(store_bounded(*s, make_message("dave", "another recipient"), 3).ok());
  auto left = pending(*s, "carol");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->size(), 3u);
}

}  // namespace
}  // namespace ims::sw::store
