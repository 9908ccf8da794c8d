// RFC 3261 §17.1.3, §17.2.3 and §9.2: which transaction a message belongs to.
#include "common/txn/key.hpp"

#include <gtest/gtest.h>

#include "common/txn/errors.hpp"
#include "tests/unit/common/txn/txn_test_support.hpp"

namespace ims::txn {
namespace {

using test::make_request;
using test::RequestSpec;

Key server(const RequestSpec& s) {
  auto key = server_key(make_request(s));
  EXPECT_TRUE(key.ok());
  return key.ok() ? *key : Key{};
}

RequestSpec spec(sip::Method m, std::string_view branch = "z9hG4bK776asdhds") {
  RequestSpec s;
  s.method = m;
  s.branch = branch;
  return s;
}

TEST(ServerKey, RetransmissionMatchesByBranchSentByAndMethod) {
  const Key a = server(spec(sip::Method::Invite));
  EXPECT_EQ(a.role, Role::Server);
  EXPECT_EQ(a.method, sip::Method::Invite);
  EXPECT_FALSE(a.rfc2543);
  EXPECT_EQ(server(spec(sip::Method::Invite)), a);
  EXPECT_EQ(KeyHash{}(server(spec(sip::Method::Invite))), KeyHash{}(a));
}

TEST(ServerKey, OtherFieldsDoNotMatterWithMagicCookie) {
  RequestSpec s = spec(sip::Method::Invite);
  const Key a = server(s);
  s.call_id = "different";
  s.cseq = 7;
  s.uri = "sip:carol@chicago.com";
  EXPECT_EQ(server(s), a);  // §17.2.3: only branch, sent-by and method count
}

TEST(ServerKey, DifferentBranchOrSentByIsAnotherTransaction) {
  RequestSpec s = spec(sip::Method::Invite);
  const Key a = server(s);
  s.branch = "z9hG4bK776asdhdt";
  EXPECT_NE(server(s), a);
  s = spec(sip::Method::Invite);
  s.sent_by = "pc33.atlanta.com:5070";
  EXPECT_NE(server(s), a);
}

TEST(ServerKey, BranchAndHostCompareCaseInsensitively) {
  RequestSpec s = spec(sip::Method::Invite);
  const Key a = server(s);
  s.branch = "z9hG4bK776ASDHDS";
  s.sent_by = "PC33.Atlanta.COM";
  EXPECT_EQ(server(s), a);
}

TEST(ServerKey, AckForNonSuccessMatchesItsInvite) {
  RequestSpec ack = spec(sip::Method::Ack);
  ack.to_tag = "a6c85cf";  // the tag of our final response
  EXPECT_EQ(server(ack), server(spec(sip::Method::Invite)));
}

TEST(ServerKey, AckForSuccessHasItsOwnBranchAndMatchesNothing) {
  EXPECT_NE(server(spec(sip::Method::Ack, "z9hG4bKnewack")), server(spec(sip::Method::Invite)));
}

TEST(ServerKey, CancelHasItsOwnTransactionAndTargetsTheInvite) {
  const Key invite = server(spec(sip::Method::Invite));
  const Key cancel = server(spec(sip::Method::Cancel));
  EXPECT_NE(cancel, invite);
  EXPECT_EQ(cancel.method, sip::Method::Cancel);
  EXPECT_EQ(cancelled_invite_key(cancel), invite);
}

TEST(ServerKey, NonInviteMethodsWithTheSameBranchDiffer) {
  EXPECT_NE(server(spec(sip::Method::Bye)), server(spec(sip::Method::Options)));
}

TEST(ServerKey, ExtensionMethodsAreToldApartByName) {
  RequestSpec foo = spec(sip::Method::Unknown);
  foo.method_text = "FOO";
  RequestSpec bar = foo;
  bar.method_text = "BAR";
  EXPECT_NE(server(foo), server(bar));
  EXPECT_EQ(server(foo), server(foo));
}

TEST(ServerKey, BranchWithoutMagicCookieUsesRfc2543Fallback) {
  const Key a = server(spec(sip::Method::Invite, "oldbranch1"));
  EXPECT_TRUE(a.rfc2543);
  EXPECT_TRUE(server(spec(sip::Method::Invite, "")).rfc2543);
  EXPECT_EQ(server(spec(sip::Method::Invite, "oldbranch1")), a);
}

TEST(ServerKey, BareMagicCookieIsNotAUniqueBranch) {
  // "z9hG4bK" alone has no unique part; two such requests must not be merged by branch.
  EXPECT_FALSE(has_magic_cookie("z9hG4bK"));
  EXPECT_TRUE(has_magic_cookie("z9hG4bKx"));
  EXPECT_TRUE(server(spec(sip::Method::Invite, "z9hG4bK")).rfc2543);
}

TEST(ServerKey, Rfc2543FallbackComparesCallIdCSeqFromTagUriAndVia) {
  const RequestSpec base = spec(sip::Method::Invite, "");
  const Key a = server(base);
  RequestSpec s = base;
  s.call_id = "other@host";
  EXPECT_NE(server(s), a);
  s = base;
  s.cseq = base.cseq + 1;
  EXPECT_NE(server(s), a);
  s = base;
  s.from_tag = "999";
  EXPECT_NE(server(s), a);
  s = base;
  s.uri = "sip:carol@chicago.com";
  EXPECT_NE(server(s), a);
  s = base;
  s.sent_by = "other.atlanta.com";
  EXPECT_NE(server(s), a);
  s = base;
  s.transport = "TCP";
  EXPECT_NE(server(s), a);
}

TEST(ServerKey, Rfc2543AckMatchesInviteDespiteToTagAndMethod) {
  RequestSpec ack = spec(sip::Method::Ack, "");
  ack.to_tag = "a6c85cf";
  EXPECT_EQ(server(ack), server(spec(sip::Method::Invite, "")));
}

TEST(ServerKey, Rfc2543CancelTargetsInvite) {
  const Key cancel = server(spec(sip::Method::Cancel, ""));
  EXPECT_NE(cancel, server(spec(sip::Method::Invite, "")));
  EXPECT_EQ(cancelled_invite_key(cancel), server(spec(sip::Method::Invite, "")));
}

TEST(ServerKey, ReceivedParameterAddedByTheStackDoesNotChangeTheKey) {
  for (std::string_view branch : {"z9hG4bK776asdhds", ""}) {
    sip::Message m = make_request(spec(sip::Method::Invite, branch));
    const Key before = *server_key(m);
    std::string via(m.get(sip::HeaderId::Via));
    m.set(sip::HeaderId::Via, via + ";received=192.0.2.1;rport=5062");
    EXPECT_EQ(*server_key(m), before) << branch;
  }
}

TEST(ServerKey, MissingViaIsAnError) {
  sip::Message m = make_request();
  m.remove(sip::HeaderId::Via);
  auto key = server_key(m);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, make_error_code(TxnErrc::MissingVia));
}

TEST(ServerKey, MissingCSeqIsAnError) {
  sip::Message m = make_request();
  m.remove(sip::HeaderId::CSeq);
  auto key = server_key(m);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, make_error_code(TxnErrc::MissingCSeq));
}

TEST(ClientKey, ResponseMatchesRequestByBranchAndCSeqMethod) {
  const sip::Message invite = test::make_invite();
  const Key request_key = *client_key(invite);
  EXPECT_EQ(request_key.role, Role::Client);
  EXPECT_EQ(*client_key(test::respond_to(invite, 180)), request_key);
  EXPECT_EQ(*client_key(test::respond_to(invite, 486)), request_key);
}

TEST(ClientKey, CancelResponsesDoNotMatchTheInvite) {
  const sip::Message invite = test::make_invite();
  const sip::Message cancel = sip::make_cancel(invite);
  EXPECT_EQ(cancel.branch(), invite.branch());
  EXPECT_NE(*client_key(test::respond_to(cancel, 200)), *client_key(invite));
  EXPECT_EQ(*client_key(test::respond_to(cancel, 200)), *client_key(cancel));
}

TEST(ClientKey, ClientAndServerKeysNeverCollide) {
  const sip::Message invite = test::make_invite();
  EXPECT_NE(*client_key(invite), *server_key(invite));
}

TEST(ClientKey, MissingBranchIsAnError) {
  auto key = client_key(make_request(spec(sip::Method::Options, "")));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, make_error_code(TxnErrc::MissingBranch));
}

TEST(Key, DescribeNamesRoleMethodAndFields) {
  const std::string text = describe(server(spec(sip::Method::Invite)));
  EXPECT_EQ(text, "server INVITE z9hg4bk776asdhds pc33.atlanta.com");
}

}  // namespace
}  // namespace ims::txn
