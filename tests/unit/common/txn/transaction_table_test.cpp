// The transaction table: matching, creation, routing of timers and errors, removal, and whole
// exchanges between two tables over a fake network with a fake clock.
#include "common/txn/transaction_table.hpp"

#include <gtest/gtest.h>

#include <unordered_map>

#include "common/txn/errors.hpp"
#include "tests/unit/common/txn/txn_test_support.hpp"

namespace ims::txn {
namespace {

using namespace std::chrono_literals;
using test::Log;
using test::make_request;
using test::RequestSpec;

// Drives one table with a fake clock; one Log per transaction key, one for stray messages.
struct Driver {
  explicit Driver(TableConfig config = {}) : table(config) {}

  Outcome apply(Outcome out) {
    if (out.key) {
      test::apply(clock, logs[*out.key], *out.key, out.actions);
    } else {
      for (Action& a : out.actions) {
        auto* up = std::get_if<PassToTu>(&a);
        EXPECT_NE(up, nullptr) << "only PassToTu without a transaction";
        if (up) stray.to_tu.push_back(up->message);
      }
    }
    return out;
  }
  Outcome request(sip::Message m, Reliability r = Reliability::Unreliable) {
    auto out = table.on_request(std::move(m), r);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? apply(std::move(*out)) : Outcome{};
  }
  Outcome respond(const Key& key, sip::Message m) {
    auto out = table.respond(key, std::move(m));
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? apply(std::move(*out)) : Outcome{};
  }
  Outcome send(sip::Message m, Reliability r = Reliability::Unreliable) {
    auto out = table.send_request(std::move(m), r);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? apply(std::move(*out)) : Outcome{};
  }
  void advance(Duration d) {
    const Duration until = clock.now() + d;
    while (auto t = clock.pop_due(until)) apply(table.on_timer(t->key, t->id));
    clock.set_now(until);
  }

  TransactionTable table;
  test::FakeClock<Key> clock;
  std::unordered_map<Key, Log, KeyHash> logs;
  Log stray;
};

sip::Message ack_with_branch(std::string_view branch, std::string_view to_tag = "a6c85cf") {
  RequestSpec s;
  s.method = sip::Method::Ack;
  s.branch = branch;
  s.to_tag = to_tag;
  return make_request(s);
}

TEST(TransactionTable, NewRequestCreatesServerTransactionAndPassesItUp) {
  Driver d;
  const Outcome out = d.request(test::make_non_invite(sip::Method::Message));
  ASSERT_TRUE(out.key);
  EXPECT_EQ(out.key->role, Role::Server);
  EXPECT_EQ(out.key->method, sip::Method::Message);
  EXPECT_TRUE(d.table.contains(*out.key));
  ASSERT_EQ(d.logs[*out.key].to_tu.size(), 1u);
  EXPECT_EQ(d.table.stats().server_created, 1u);
}

TEST(TransactionTable, RetransmittedRequestIsAbsorbedThenAnsweredWithTheFinal) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Message);
  const Key key = *d.request(msg).key;
  const Outcome again = d.request(msg);
  ASSERT_TRUE(again.key);
  EXPECT_EQ(*again.key, key);
  EXPECT_TRUE(again.actions.empty());
  d.respond(key, test::respond_to(msg, 200));
  d.request(msg);
  EXPECT_EQ(d.logs[key].to_tu.size(), 1u);
  ASSERT_EQ(d.logs[key].sent.size(), 2u);
  EXPECT_EQ(d.logs[key].last_sent().status(), 200);
  EXPECT_EQ(d.table.stats().retransmissions, 2u);
}

TEST(TransactionTable, FinalResponseOnTcpRemovesServerTransactionAtOnce) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Options);
  const Key key = *d.request(msg, Reliability::Reliable).key;
  const Outcome out = d.respond(key, test::respond_to(msg, 200));
  ASSERT_FALSE(out.actions.empty());
  EXPECT_TRUE(std::holds_alternative<Terminated>(out.actions.back()));
  EXPECT_FALSE(d.table.contains(key));
  EXPECT_EQ(d.table.size(), 0u);
}

TEST(TransactionTable, TimerJRemovesServerTransactionOnUdp) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Options);
  const Key key = *d.request(msg).key;
  d.respond(key, test::respond_to(msg, 200));
  d.advance(31s);
  EXPECT_TRUE(d.table.contains(key));
  d.advance(1s);
  EXPECT_FALSE(d.table.contains(key));
  EXPECT_EQ(d.logs[key].ended, EndReason::Completed);
}

TEST(TransactionTable, CompletedLingerShortensTimerJ) {
  TableConfig config;
  config.timers.completed_linger = 5s;
  Driver d(config);
  const sip::Message msg = test::make_non_invite(sip::Method::Message);
  const Key key = *d.request(msg).key;
  d.respond(key, test::respond_to(msg, 200));
  d.advance(4s);
  EXPECT_TRUE(d.table.contains(key));
  d.advance(1s);
  EXPECT_FALSE(d.table.contains(key));
}

TEST(TransactionTable, AbandonDropsAServerTransactionAndItsRetransmissionIsNew) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Message);
  const Key key = *d.request(msg).key;
  const Outcome out = d.apply(d.table.abandon(key));
  ASSERT_FALSE(out.actions.empty());
  EXPECT_TRUE(std::holds_alternative<Terminated>(out.actions.back()));
  EXPECT_FALSE(d.table.contains(key));
  EXPECT_TRUE(d.table.abandon(key).actions.empty());  // unknown now
  // The same request again is a new transaction (same key, fresh log), passed up again.
  d.logs.erase(key);
  const Outcome again = d.request(msg);
  ASSERT_TRUE(again.key);
  EXPECT_TRUE(d.table.contains(*again.key));
}

TEST(TransactionTable, AckForNonSuccessFinalIsAbsorbedByTheInviteTransaction) {
  Driver d;
  const sip::Message invite = test::make_invite();
  const Key key = *d.request(invite).key;
  d.respond(key, test::respond_to(invite, 486));
  const Outcome out = d.request(ack_with_branch(invite.branch()));
  ASSERT_TRUE(out.key);
  EXPECT_EQ(*out.key, key);
  EXPECT_EQ(d.table.server_invite_state(key), ServerInvite::State::Confirmed);
  EXPECT_EQ(d.logs[key].to_tu.size(), 1u);  // only the INVITE
  EXPECT_TRUE(d.stray.to_tu.empty());
  d.advance(5s);  // Timer I
  EXPECT_FALSE(d.table.contains(key));
}

TEST(TransactionTable, AckForSuccessIsPassedUpWithoutTransaction) {
  Driver d;
  const sip::Message invite = test::make_invite();
  const Key key = *d.request(invite).key;
  d.respond(key, test::respond_to(invite, 200));
  // §17.1.1.3: the 2xx's ACK has a branch of its own.
  const Outcome out = d.request(ack_with_branch("z9hG4bKack2xx"));
  EXPECT_FALSE(out.key);
  ASSERT_EQ(d.stray.to_tu.size(), 1u);
  EXPECT_EQ(d.stray.to_tu[0].method(), sip::Method::Ack);
  EXPECT_EQ(d.table.stats().stray_acks, 1u);
  EXPECT_EQ(d.table.size(), 1u);  // no transaction made for it
}

TEST(TransactionTable, AckMatchingAnAcceptedInviteIsPassedUp) {
  Driver d;
  const sip::Message invite = test::make_invite();
  const Key key = *d.request(invite).key;
  d.respond(key, test::respond_to(invite, 200));
  d.request(ack_with_branch(invite.branch()));
  ASSERT_EQ(d.logs[key].to_tu.size(), 2u);
  EXPECT_EQ(d.logs[key].to_tu[1].method(), sip::Method::Ack);
  EXPECT_EQ(d.table.server_invite_state(key), ServerInvite::State::Accepted);
}

TEST(TransactionTable, RetransmittedInviteWhileAcceptedIsAbsorbed) {
  Driver d;
  const sip::Message invite = test::make_invite();
  const Key key = *d.request(invite).key;
  d.respond(key, test::respond_to(invite, 200));
  const Outcome again = d.request(invite);
  EXPECT_TRUE(again.actions.empty());  // RFC 6026: not a new request
  EXPECT_EQ(d.logs[key].to_tu.size(), 1u);
  EXPECT_EQ(d.table.stats().server_created, 1u);
}

TEST(TransactionTable, CancelFindsTheInviteItTargets) {
  Driver d;
  const sip::Message invite = test::make_invite();
  const Key invite_key = *d.request(invite).key;
  const Outcome cancel = d.request(sip::make_cancel(invite));
  ASSERT_TRUE(cancel.key);
  EXPECT_NE(*cancel.key, invite_key);
  ASSERT_EQ(d.logs[*cancel.key].to_tu.size(), 1u);
  EXPECT_EQ(d.logs[*cancel.key].to_tu[0].method(), sip::Method::Cancel);
  EXPECT_EQ(d.table.find_cancel_target(*cancel.key), invite_key);
  // §9.2: the TU answers the CANCEL and the INVITE.
  d.respond(*cancel.key, test::respond_to(d.logs[*cancel.key].to_tu[0], 200));
  d.respond(invite_key, test::respond_to(invite, 487));
  EXPECT_EQ(d.logs[invite_key].last_sent().status(), 487);
}

TEST(TransactionTable, CancelWithoutItsInviteFindsNothing) {
  Driver d;
  const Outcome cancel = d.request(sip::make_cancel(test::make_invite()));
  ASSERT_TRUE(cancel.key);
  EXPECT_FALSE(d.table.find_cancel_target(*cancel.key));
  // A key that is not a CANCEL's finds nothing either.
  const Key invite_key = *d.request(test::make_invite("z9hG4bKother")).key;
  EXPECT_FALSE(d.table.find_cancel_target(invite_key));
}

TEST(TransactionTable, ClientTransactionReceivesItsResponses) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Message, "z9hG4bKclient1");
  const Outcome sent = d.send(msg);
  ASSERT_TRUE(sent.key);
  EXPECT_EQ(sent.key->role, Role::Client);
  ASSERT_EQ(d.logs[*sent.key].sent.size(), 1u);
  const Outcome got = d.table.on_response(test::respond_to(msg, 200));
  d.apply(got);
  ASSERT_TRUE(got.key);
  EXPECT_EQ(*got.key, *sent.key);
  ASSERT_EQ(d.logs[*sent.key].to_tu.size(), 1u);
  EXPECT_EQ(d.logs[*sent.key].to_tu[0].status(), 200);
}

TEST(TransactionTable, StrayResponseIsPassedUp) {
  Driver d;
  d.apply(d.table.on_response(test::respond_to(test::make_invite("z9hG4bKnobody"), 200)));
  ASSERT_EQ(d.stray.to_tu.size(), 1u);
  EXPECT_EQ(d.table.stats().stray_responses, 1u);
}

TEST(TransactionTable, ClientInviteRetransmitsAndTimesOutThroughTheTable) {
  Driver d;
  const Key key = *d.send(test::make_invite("z9hG4bKclient2")).key;
  d.advance(40s);
  EXPECT_EQ(d.logs[key].sent.size(), 7u);
  EXPECT_EQ(d.logs[key].reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_FALSE(d.table.contains(key));
  EXPECT_EQ(d.clock.size(), 0u);
}

TEST(TransactionTable, SendRequestRefusesAckMissingBranchAndDuplicates) {
  TransactionTable table;
  auto ack = table.send_request(ack_with_branch("z9hG4bKack"), Reliability::Reliable);
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, make_error_code(TxnErrc::AckIsNotTransaction));
  auto old = table.send_request(test::make_invite("1234"), Reliability::Reliable);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, make_error_code(TxnErrc::MissingBranch));
  ASSERT_TRUE(table.send_request(test::make_invite(), Reliability::Reliable).ok());
  auto dup = table.send_request(test::make_invite(), Reliability::Reliable);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, make_error_code(TxnErrc::Duplicate));
  EXPECT_EQ(table.size(), 1u);
}

TEST(TransactionTable, FullTableRefusesNewTransactionsButStillMatches) {
  TableConfig config;
  config.max_transactions = 2;
  Driver d(config);
  const sip::Message first = test::make_non_invite(sip::Method::Options, "z9hG4bK1");
  d.request(first);
  d.request(test::make_non_invite(sip::Method::Options, "z9hG4bK2"));
  auto refused = d.table.on_request(test::make_non_invite(sip::Method::Options, "z9hG4bK3"),
                                    Reliability::Unreliable);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, make_error_code(TxnErrc::TableFull));
  auto client = d.table.send_request(test::make_invite("z9hG4bK4"), Reliability::Unreliable);
  EXPECT_FALSE(client.ok());
  EXPECT_TRUE(d.table.on_request(first, Reliability::Unreliable).ok());  // a retransmission
  EXPECT_EQ(d.table.stats().refused_full, 2u);
}

TEST(TransactionTable, Rfc2543AckNeedsTheToTagOfOurFinalResponse) {
  Driver d;
  const sip::Message invite = test::make_invite("");
  const Key key = *d.request(invite).key;
  EXPECT_TRUE(key.rfc2543);
  d.respond(key, test::respond_to(invite, 486, "ours"));
  d.request(ack_with_branch("", "theirs"));
  EXPECT_EQ(d.stray.to_tu.size(), 1u);
  EXPECT_EQ(d.table.server_invite_state(key), ServerInvite::State::Completed);
  d.request(ack_with_branch("", "ours"));
  EXPECT_EQ(d.table.server_invite_state(key), ServerInvite::State::Confirmed);
}

TEST(TransactionTable, Rfc2543RetransmissionIsAbsorbed) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Register, "");
  const Key key = *d.request(msg).key;
  d.request(msg);
  EXPECT_EQ(d.logs[key].to_tu.size(), 1u);
  EXPECT_EQ(d.table.size(), 1u);
}

TEST(TransactionTable, LateTimerForRemovedTransactionIsIgnored) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Options);
  const Key key = *d.request(msg, Reliability::Reliable).key;
  d.respond(key, test::respond_to(msg, 200));
  const Outcome late = d.table.on_timer(key, TimerId::J);
  EXPECT_FALSE(late.key);
  EXPECT_TRUE(late.actions.empty());
  EXPECT_TRUE(d.table.on_transport_error(key).actions.empty());
}

TEST(TransactionTable, RespondNeedsALiveServerTransaction) {
  Driver d;
  const sip::Message msg = test::make_non_invite(sip::Method::Options);
  auto unknown = d.table.respond(*server_key(msg), test::respond_to(msg, 200));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, make_error_code(TxnErrc::NoSuchTransaction));
  const Key client = *d.send(msg).key;
  auto wrong = d.table.respond(client, test::respond_to(msg, 200));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, make_error_code(TxnErrc::NoSuchTransaction));
}

TEST(TransactionTable, TransportErrorEndsClientTransaction) {
  Driver d;
  const Key key = *d.send(test::make_non_invite(sip::Method::Message)).key;
  d.apply(d.table.on_transport_error(key));
  EXPECT_EQ(d.logs[key].reports, std::vector<Failure>{Failure::TransportError});
  EXPECT_FALSE(d.table.contains(key));
  EXPECT_EQ(d.clock.size(), 0u);
}

TEST(TransactionTable, RequestWithoutViaIsAnError) {
  TransactionTable table;
  sip::Message m = test::make_invite();
  m.remove(sip::HeaderId::Via);
  auto out = table.on_request(m, Reliability::Unreliable);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, make_error_code(TxnErrc::MissingVia));
  EXPECT_EQ(table.stats().unmatchable, 1u);
}

// Two tables back to back over a fake network that can lose messages: a UA's and a server's.
class World {
 public:
  enum Side { kUa = 0, kServer = 1 };
  struct Node {
    TransactionTable table;
    std::vector<std::pair<std::optional<Key>, sip::Message>> to_tu;
    std::vector<Failure> reports;
  };

  explicit World(Reliability r) : reliability_(r) {}

  Node& ua() { return nodes_[kUa]; }
  Node& server() { return nodes_[kServer]; }

  void send(Side side, sip::Message request) {
    auto out = nodes_[side].table.send_request(std::move(request), reliability_);
    ASSERT_TRUE(out.ok());
    handle(side, std::move(*out));
  }
  void respond(const Key& key, sip::Message response) {
    auto out = server().table.respond(key, std::move(response));
    ASSERT_TRUE(out.ok());
    handle(kServer, std::move(*out));
  }
  // Puts a message on the wire from `from` to the other side, unless it is to be lost.
  void deliver(Side from, sip::Message m) {
    const Side to = from == kUa ? kServer : kUa;
    int& losses = lose_[to];
    if (losses > 0) {
      --losses;
      return;
    }
    if (m.is_request()) {
      auto out = nodes_[to].table.on_request(std::move(m), reliability_);
      ASSERT_TRUE(out.ok());
      handle(to, std::move(*out));
    } else {
      handle(to, nodes_[to].table.on_response(std::move(m)));
    }
  }
  void lose_next(Side to, int n = 1) { lose_[to] += n; }
  void advance(Duration d) {
    const Duration until = clock_.now() + d;
    while (auto t = clock_.pop_due(until)) {
      const auto side = static_cast<Side>(t->key.first);
      handle(side, nodes_[side].table.on_timer(t->key.second, t->id));
    }
    clock_.set_now(until);
  }
  std::size_t armed_timers() const { return clock_.size(); }
  std::size_t sent(Side side) const { return sent_[side]; }

 private:
  void handle(Side side, Outcome out) {
    for (Action& a : out.actions) {
      if (auto* s = std::get_if<SendToTransport>(&a)) {
        ++sent_[side];
        deliver(side, std::move(s->message));
      } else if (auto* p = std::get_if<PassToTu>(&a)) {
        nodes_[side].to_tu.emplace_back(out.key, std::move(p->message));
      } else if (auto* st = std::get_if<StartTimer>(&a)) {
        clock_.start({side, *out.key}, st->id, st->after);
      } else if (auto* c = std::get_if<CancelTimer>(&a)) {
        clock_.cancel({side, *out.key}, c->id);
      } else if (auto* r = std::get_if<ReportToTu>(&a)) {
        nodes_[side].reports.push_back(r->failure);
      }
    }
  }

  Reliability reliability_;
  Node nodes_[2];
  int lose_[2] = {0, 0};
  std::size_t sent_[2] = {0, 0};
  test::FakeClock<std::pair<int, Key>> clock_;
};

TEST(TransactionTableExchange, InviteAcceptedOverLossyUdp) {
  World w(Reliability::Unreliable);
  const sip::Message invite = test::make_invite("z9hG4bKcall1");
  w.lose_next(World::kServer);
  w.send(World::kUa, invite);
  EXPECT_TRUE(w.server().to_tu.empty());
  w.advance(500ms);  // Timer A: the retransmission gets through
  ASSERT_EQ(w.server().to_tu.size(), 1u);
  const Key key = *w.server().to_tu[0].first;
  w.advance(300ms);  // the server's 100 (Trying) at 200 ms stops A
  ASSERT_EQ(w.ua().to_tu.size(), 1u);
  EXPECT_EQ(w.ua().to_tu[0].second.status(), 100);
  w.respond(key, test::respond_to(invite, 200, "callee"));
  ASSERT_EQ(w.ua().to_tu.size(), 2u);
  EXPECT_EQ(w.ua().to_tu[1].second.status(), 200);
  // The UA's TU sends the 2xx's ACK itself, on a new branch: stray at the server's table.
  w.deliver(World::kUa, ack_with_branch("z9hG4bKack1", "callee"));
  ASSERT_EQ(w.server().to_tu.size(), 2u);
  EXPECT_FALSE(w.server().to_tu[1].first);
  EXPECT_EQ(w.server().to_tu[1].second.method(), sip::Method::Ack);
  w.advance(40s);  // M and L
  EXPECT_EQ(w.ua().table.size(), 0u);
  EXPECT_EQ(w.server().table.size(), 0u);
  EXPECT_EQ(w.armed_timers(), 0u);
  EXPECT_TRUE(w.ua().reports.empty());
  EXPECT_TRUE(w.server().reports.empty());
}

TEST(TransactionTableExchange, RejectedInviteWithLostFinalResponseOverUdp) {
  World w(Reliability::Unreliable);
  const sip::Message invite = test::make_invite("z9hG4bKcall2");
  w.send(World::kUa, invite);
  const Key key = *w.server().to_tu.at(0).first;
  w.lose_next(World::kUa);
  w.respond(key, test::respond_to(invite, 486));
  EXPECT_TRUE(w.ua().to_tu.empty());
  w.advance(600ms);  // A re-sends the INVITE: the server re-sends the 486; G re-sends it too
  ASSERT_EQ(w.ua().to_tu.size(), 1u);
  EXPECT_EQ(w.ua().to_tu[0].second.status(), 486);
  EXPECT_EQ(w.server().table.server_invite_state(key), ServerInvite::State::Confirmed);
  EXPECT_EQ(w.server().to_tu.size(), 1u);  // the ACK stayed inside the transaction
  w.advance(40s);  // D, I
  EXPECT_EQ(w.ua().table.size(), 0u);
  EXPECT_EQ(w.server().table.size(), 0u);
  EXPECT_TRUE(w.server().reports.empty());
}

TEST(TransactionTableExchange, CancelledInviteOverUdp) {
  World w(Reliability::Unreliable);
  const sip::Message invite = test::make_invite("z9hG4bKcall3");
  w.send(World::kUa, invite);
  const Key invite_key = *w.server().to_tu.at(0).first;
  w.respond(invite_key, test::respond_to(invite, 180));
  w.send(World::kUa, sip::make_cancel(invite));
  ASSERT_EQ(w.server().to_tu.size(), 2u);
  const Key cancel_key = *w.server().to_tu[1].first;
  ASSERT_EQ(w.server().table.find_cancel_target(cancel_key), invite_key);
  w.respond(cancel_key, test::respond_to(w.server().to_tu[1].second, 200));
  w.respond(invite_key, test::respond_to(invite, 487));
  ASSERT_EQ(w.ua().to_tu.size(), 3u);  // 180, 200 (CANCEL), 487
  EXPECT_EQ(w.ua().to_tu[1].second.method(), sip::Method::Cancel);
  EXPECT_EQ(w.ua().to_tu[2].second.status(), 487);
  EXPECT_EQ(w.server().table.server_invite_state(invite_key), ServerInvite::State::Confirmed);
  w.advance(40s);
  EXPECT_EQ(w.ua().table.size(), 0u);
  EXPECT_EQ(w.server().table.size(), 0u);
}

TEST(TransactionTableExchange, NonInviteOverTcpLeavesNoState) {
  World w(Reliability::Reliable);
  const sip::Message msg = test::make_non_invite(sip::Method::Message, "z9hG4bKim1");
  w.send(World::kUa, msg);
  const Key key = *w.server().to_tu.at(0).first;
  w.respond(key, test::respond_to(msg, 200));
  ASSERT_EQ(w.ua().to_tu.size(), 1u);
  EXPECT_EQ(w.ua().to_tu[0].second.status(), 200);
  // J and K are zero on reliable transports; F was cancelled.
  EXPECT_EQ(w.ua().table.size(), 0u);
  EXPECT_EQ(w.server().table.size(), 0u);
  EXPECT_EQ(w.armed_timers(), 0u);
  EXPECT_EQ(w.sent(World::kUa), 1u);
}

}  // namespace
}  // namespace ims::txn
