// BindingTable: adding, refreshing, removing, devices and CSeq order (RFC 3261 §10.3).
#include "switch/registrar/binding_table.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "register_fixture.hpp"

namespace ims::sw::registrar {
namespace {

using test::contacts_of;
using test::kSec;
using test::kT0;
using test::Registrar;
using test::Strings;

// --- adding ---------------------------------------------------------------------------------

TEST(BindingTable, RegistersFirstContact) {
  Registrar r;
  const auto o = r.reg({"<sip:alice@192.0.2.10:5060>"}, "300");
  ASSERT_EQ(o.status, 200);
  ASSERT_EQ(o.bindings.size(), 1u);
  ASSERT_EQ(o.upserted.size(), 1u);
  EXPECT_TRUE(o.removed.empty());
  const auto& b = o.upserted[0];
  EXPECT_EQ(b.aor, "alice");
  EXPECT_EQ(b.contact, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(b.call_id, "c1");
  EXPECT_EQ(b.cseq, 1u);
  EXPECT_EQ(b.registered_at_ms, kT0);
  EXPECT_EQ(b.expires_at_ms, kT0 + 300 * kSec);
  EXPECT_EQ(r.table.aor_count(), 1u);
  EXPECT_EQ(r.table.binding_count(), 1u);
}

// A REGISTER's TCP flow: where it came from, the flow, and its top Via's sent-by.
FlowInfo tcp_flow(std::string source, std::uint16_t port, std::uint64_t flow, std::string via_host,
                  std::uint16_t via_port) {
  return FlowInfo{.transport = "tcp",
                  .source_address = std::move(source),
                  .source_port = port,
                  .flow_id = flow,
                  .sent_by_host = std::move(via_host),
                  .sent_by_port = via_port};
}

TEST(BindingTable, RecordsTheFlow) {
  Registrar r;
  r.flow = tcp_flow("203.0.113.5", 40000, 17, "10.0.0.2", 0);
  const auto o = r.reg({"<sip:alice@10.0.0.2;transport=tcp>"});
  const auto& b = o.upserted.at(0);
  EXPECT_EQ(b.transport, "tcp");
  EXPECT_EQ(b.source_address, "203.0.113.5");
  EXPECT_EQ(b.source_port, 40000);
  EXPECT_EQ(b.flow_id, 17u);
}

// The TCP flow of a REGISTER is kept for a contact it reaches: the sender's own address (its
// Via and Contact agree), or an address the switch cannot reach directly (behind NAT). A
// Contact on the sender's address at another port than its Via is another listener on that
// host - a load generator registering its answering side - and is reached at its address.
TEST(BindingTable, TheFlowIsKeptOnlyForTheContactsItReaches) {
  Registrar r;
  r.flow = tcp_flow("127.0.0.1", 15080, 17, "127.0.0.1", 15080);
  const auto o = r.reg({"<sip:alice@127.0.0.1:15080;transport=tcp>",   // the sender itself
                        "<sip:alice@127.0.0.1:15070;transport=tcp>",   // another listener
                        "<sip:alice@127.0.0.1;transport=tcp>",         // port 5060: another
                        "<sip:alice@10.0.0.2:15070;transport=tcp>"});  // behind NAT
  ASSERT_EQ(o.upserted.size(), 4u);
  EXPECT_EQ(o.upserted[0].flow_id, 17u);
  EXPECT_EQ(o.upserted[1].flow_id, 0u);
  EXPECT_EQ(o.upserted[2].flow_id, 0u);
  EXPECT_EQ(o.upserted[3].flow_id, 17u);
  for (const auto& b : o.upserted) EXPECT_EQ(b.source_port, 15080);  // the source is kept

  // IPv6: brackets in the Contact and the Via do not hide that they name the sender.
  r.flow = tcp_flow("::1", 41000, 18, "[::1]", 41000);
  const auto v6 = r.reg({"<sip:alice@[::1]:41000;transport=tcp>",
                         "<sip:alice@[::1]:15070;transport=tcp>"}, {}, "bob");
  ASSERT_EQ(v6.upserted.size(), 2u);
  EXPECT_EQ(v6.upserted[0].flow_id, 18u);
  EXPECT_EQ(v6.upserted[1].flow_id, 0u);

  // A Via that names a host rather than the source address leaves it in doubt: the flow stays.
  r.flow = tcp_flow("127.0.0.1", 41000, 19, "agent-pc.example", 41000);
  const auto named = r.reg({"<sip:alice@127.0.0.1:15070;transport=tcp>"}, {}, "carol");
  ASSERT_EQ(named.upserted.size(), 1u);
  EXPECT_EQ(named.upserted[0].flow_id, 19u);
}

TEST(BindingTable, UsesDefaultExpiresWhenNoneGiven) {
  Registrar r;
  EXPECT_EQ(r.reg({"<sip:a@h>"}).upserted.at(0).expires_at_ms, kT0 + 1800 * kSec);
}

TEST(BindingTable, ExpiresParamWinsOverHeader) {
  Registrar r;
  const auto o = r.reg({"<sip:a@h>;expires=120", "<sip:b@h>"}, "600");
  ASSERT_EQ(o.upserted.size(), 2u);
  EXPECT_EQ(o.upserted[0].expires_at_ms, kT0 + 120 * kSec);
  EXPECT_EQ(o.upserted[1].expires_at_ms, kT0 + 600 * kSec);
}

TEST(BindingTable, ClampsAboveMaximum) {
  Registrar r;
  EXPECT_EQ(r.reg({"<sip:a@h>"}, "86400").upserted.at(0).expires_at_ms, kT0 + 3600 * kSec);
  EXPECT_EQ(r.reg({"<sip:b@h>"}, "99999999999").upserted.at(0).expires_at_ms, kT0 + 3600 * kSec);
}

TEST(BindingTable, TooBriefIs423WithMinExpires) {
  Registrar r;
  const auto o = r.reg({"<sip:a@h>"}, "30");
  EXPECT_EQ(o.status, 423);
  EXPECT_EQ(o.min_expires, 60u);
  EXPECT_TRUE(o.upserted.empty());
  EXPECT_TRUE(r.bound().empty());
}

TEST(BindingTable, OneTooBriefContactFailsTheWholeRequest) {
  Registrar r;
  r.reg({"<sip:a@h>"});
  const auto o = r.reg({"<sip:a@h>;expires=0", "<sip:b@h>;expires=10"});
  EXPECT_EQ(o.status, 423);
  EXPECT_EQ(contacts_of(r.bound()), Strings{"sip:a@h"}) << "nothing changed";
}

TEST(BindingTable, ExactlyMinimumIsAccepted) {
  Registrar r;
  EXPECT_EQ(r.reg({"<sip:a@h>"}, "60").status, 200);
}

TEST(BindingTable, AnHourIsNeverTooBrief) {
  Registrar r;
  r.settings.min_expires_s = 7200;
  r.settings.max_expires_s = 86400;
  EXPECT_EQ(r.reg({"<sip:a@h>"}, "3599").status, 423);
  const auto o = r.reg({"<sip:a@h>"}, "3600");
  ASSERT_EQ(o.status, 200) << "RFC 3261 §10.3: 423 only below one hour";
  EXPECT_EQ(o.upserted.at(0).expires_at_ms, kT0 + 3600 * kSec);
}

// --- refreshing and removing ----------------------------------------------------------------

TEST(BindingTable, RefreshKeepsRegisteredAtAndMovesExpiry) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "300");
  r.now += 200 * kSec;
  r.flow.source_port = 5070;
  const auto o = r.reg({"<sip:a@h>"}, "300");
  ASSERT_EQ(o.status, 200);
  ASSERT_EQ(o.upserted.size(), 1u);
  EXPECT_EQ(o.upserted[0].registered_at_ms, kT0);
  EXPECT_EQ(o.upserted[0].expires_at_ms, r.now + 300 * kSec);
  EXPECT_EQ(o.upserted[0].cseq, 2u);
  EXPECT_EQ(o.upserted[0].source_port, 5070) << "flow recorded on refresh";
  EXPECT_TRUE(o.removed.empty());
  EXPECT_EQ(r.table.binding_count(), 1u);
}

TEST(BindingTable, RefreshThatOnlyMovesExpiryIsAPlainRefresh) {
  Registrar r;
  r.reg({"<sip:a@h>;+imswitch.session"}, "300");
  r.now += 100 * kSec;
  const auto o = r.reg({"<sip:a@h>;+imswitch.session"}, "600");
  ASSERT_EQ(o.status, 200);
  EXPECT_TRUE(o.upserted.empty()) << "nothing the client relies on changed";
  ASSERT_EQ(o.refreshed.size(), 1u);
  EXPECT_EQ(o.refreshed[0].expires_at_ms, r.now + 600 * kSec);
  EXPECT_EQ(o.refreshed[0].cseq, 2u);
  EXPECT_EQ(o.refreshed[0].registered_at_ms, kT0);
}

TEST(BindingTable, RefreshFromAnotherFlowOrWithNewParamsIsAnUpdate) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "300");
  r.flow.source_port = 5071;
  auto o = r.reg({"<sip:a@h>"}, "300");
  EXPECT_EQ(o.upserted.size(), 1u) << "a new flow must be stored before the 200";
  EXPECT_TRUE(o.refreshed.empty());
  o = r.reg({"<sip:a@h>;+imswitch.session"}, "300");
  EXPECT_EQ(o.upserted.size(), 1u) << "a new capability must be stored before the 200";
  o = r.reg({"<sip:a@h>;+imswitch.session;q=0.5"}, "300");
  EXPECT_EQ(o.upserted.size(), 1u) << "a new q-value must be stored before the 200";
  EXPECT_TRUE(o.refreshed.empty());
}

TEST(BindingTable, ReRegisteringAnExpiredBindingIsNotARefresh) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "300");
  r.now += 301 * kSec;
  const auto o = r.reg({"<sip:a@h>"}, "300");
  EXPECT_EQ(o.upserted.size(), 1u);
  EXPECT_TRUE(o.refreshed.empty());
}

TEST(BindingTable, RefreshMatchesEquivalentUri) {
  Registrar r;
  r.reg({"<sip:a@HOST.example.com;transport=TCP>"});
  const auto o = r.reg({"<sip:a@host.example.com;transport=tcp>"});
  ASSERT_EQ(o.bindings.size(), 1u) << "RFC 3261 §19.1.4: same URI";
  EXPECT_EQ(o.bindings[0].registered_at_ms, kT0);
  EXPECT_EQ(o.bindings[0].contact, "sip:a@host.example.com;transport=tcp");
  ASSERT_EQ(o.removed.size(), 1u) << "the store drops the old spelling";
  EXPECT_EQ(o.removed[0].second, "sip:a@HOST.example.com;transport=TCP");
}

TEST(BindingTable, DifferentPortIsADifferentContact) {
  Registrar r;
  r.reg({"<sip:a@h>"});
  EXPECT_EQ(r.reg({"<sip:a@h:5080>"}).bindings.size(), 2u);
}

TEST(BindingTable, ExpiresZeroRemoves) {
  Registrar r;
  r.reg({"<sip:a@h>", "<sip:b@h>"});
  const auto o = r.reg({"<sip:a@h>"}, "0");
  ASSERT_EQ(o.status, 200);
  EXPECT_TRUE(o.upserted.empty());
  ASSERT_EQ(o.removed.size(), 1u);
  EXPECT_EQ(o.removed[0], (std::pair<std::string, std::string>{"alice", "sip:a@h"}));
  EXPECT_EQ(contacts_of(o.bindings), Strings{"sip:b@h"});
}

TEST(BindingTable, ExpiresParamZeroRemoves) {
  Registrar r;
  r.reg({"<sip:a@h>"});
  EXPECT_TRUE(r.reg({"<sip:a@h>;expires=0"}, "3600").bindings.empty());
  EXPECT_EQ(r.table.aor_count(), 0u);
  EXPECT_EQ(r.table.binding_count(), 0u);
}

TEST(BindingTable, RemovingAnUnknownContactIsHarmless) {
  Registrar r;
  r.reg({"<sip:a@h>"});
  const auto o = r.reg({"<sip:zz@h>"}, "0");
  EXPECT_EQ(o.status, 200);
  EXPECT_TRUE(o.removed.empty());
  EXPECT_EQ(o.bindings.size(), 1u);
}

TEST(BindingTable, WildcardRemovesEverything) {
  Registrar r;
  r.reg({"<sip:a@h>", "<sip:b@h>"});
  const auto o = r.reg({"*"}, "0");
  ASSERT_EQ(o.status, 200);
  EXPECT_TRUE(o.bindings.empty());
  EXPECT_EQ(o.removed.size(), 2u);
  EXPECT_EQ(r.table.binding_count(), 0u);
}

TEST(BindingTable, WildcardOnEmptyAorIsFine) {
  Registrar r;
  EXPECT_EQ(r.reg({"*"}, "0").status, 200);
}

// --- devices --------------------------------------------------------------------------------

TEST(BindingTable, SeveralDevicesCoexist) {
  Registrar r;
  r.reg({"<sip:alice@desk>"});
  r.call_id = "phone-call-id";
  r.now += kSec;
  const auto o = r.reg({"<sip:alice@phone>"});
  EXPECT_EQ(contacts_of(o.bindings), (Strings{"sip:alice@phone", "sip:alice@desk"}));
  EXPECT_EQ(o.upserted.size(), 1u);
}

TEST(BindingTable, AorsAreSeparate) {
  Registrar r;
  r.reg({"<sip:a@h>"}, {}, "alice");
  r.reg({"<sip:b@h>"}, {}, "bob");
  EXPECT_EQ(contacts_of(r.bound("alice")), Strings{"sip:a@h"});
  EXPECT_EQ(contacts_of(r.bound("bob")), Strings{"sip:b@h"});
  EXPECT_EQ(r.table.aor_count(), 2u);
}

TEST(BindingTable, InstanceReplacesBindingWithNewUri) {
  Registrar r;
  const std::string inst = ";+sip.instance=\"<urn:uuid:aaaa>\"";
  r.reg({"<sip:alice@10.0.0.1:5060>" + inst});
  r.now += 10 * kSec;
  r.call_id = "after-reboot";
  const auto o = r.reg({"<sip:alice@10.0.0.99:5062>" + inst});
  ASSERT_EQ(o.status, 200);
  ASSERT_EQ(o.bindings.size(), 1u) << "RFC 5626: the instance names the device";
  EXPECT_EQ(o.bindings[0].contact, "sip:alice@10.0.0.99:5062");
  EXPECT_EQ(o.bindings[0].instance, "<urn:uuid:aaaa>");
  EXPECT_EQ(o.bindings[0].registered_at_ms, kT0);
  ASSERT_EQ(o.removed.size(), 1u);
  EXPECT_EQ(o.removed[0].second, "sip:alice@10.0.0.1:5060");
}

TEST(BindingTable, DifferentInstancesAreDifferentDevices) {
  Registrar r;
  r.reg({"<sip:alice@10.0.0.1>;+sip.instance=\"<urn:uuid:aaaa>\""});
  const auto o = r.reg({"<sip:alice@10.0.0.2>;+sip.instance=\"<urn:uuid:bbbb>\""});
  EXPECT_EQ(o.bindings.size(), 2u);
}

TEST(BindingTable, RegIdSeparatesFlowsOfOneInstance) {
  Registrar r;
  const std::string inst = ";+sip.instance=\"<urn:uuid:aaaa>\"";
  r.reg({"<sip:alice@10.0.0.1;transport=tcp>" + inst + ";reg-id=1"});
  auto o = r.reg({"<sip:alice@10.0.0.1:5070;transport=tcp>" + inst + ";reg-id=2"});
  EXPECT_EQ(o.bindings.size(), 2u);
  o = r.reg({"<sip:alice@10.0.0.7;transport=tcp>" + inst + ";reg-id=1"});
  EXPECT_EQ(contacts_of(o.bindings).size(), 2u) << "reg-id 1 replaced, reg-id 2 kept";
  EXPECT_EQ(o.removed.size(), 1u);
}

TEST(BindingTable, SameUriWithInstanceRefreshesPlainBinding) {
  Registrar r;
  r.reg({"<sip:alice@10.0.0.1>"});
  const auto o = r.reg({"<sip:alice@10.0.0.1>;+sip.instance=\"<urn:uuid:aaaa>\""});
  ASSERT_EQ(o.bindings.size(), 1u) << "one binding per reachable URI";
  EXPECT_EQ(o.bindings[0].instance, "<urn:uuid:aaaa>");
}

TEST(BindingTable, InstanceBindingRemovedByInstance) {
  Registrar r;
  r.reg({"<sip:alice@10.0.0.1>;+sip.instance=\"<urn:uuid:aaaa>\""});
  const auto o = r.reg({"<sip:alice@10.0.0.50>;+sip.instance=\"<urn:uuid:aaaa>\""}, "0");
  EXPECT_TRUE(o.bindings.empty());
  EXPECT_EQ(o.removed.size(), 1u);
}

TEST(BindingTable, SameContactTwiceInOneRequest) {
  Registrar r;
  const auto o = r.reg({"<sip:a@h>;expires=100", "<sip:a@h>;expires=200"});
  ASSERT_EQ(o.status, 200) << "not an out-of-order CSeq against itself";
  ASSERT_EQ(o.bindings.size(), 1u);
  EXPECT_EQ(o.bindings[0].expires_at_ms, kT0 + 200 * kSec);
}

// --- CSeq ordering (RFC 3261 §10.3 step 7) --------------------------------------------------

TEST(BindingTable, SameCallIdLowerCSeqIsAborted) {
  Registrar r;
  r.cseq = 10;
  r.reg({"<sip:a@h>"}, "300");
  r.cseq = 5;
  const auto o = r.reg({"<sip:a@h>"}, "0");
  EXPECT_EQ(o.status, 500);
  EXPECT_EQ(o.reason, "Out-of-Order CSeq");
  EXPECT_TRUE(o.removed.empty());
  EXPECT_EQ(r.bound().size(), 1u) << "the request is aborted";
}

TEST(BindingTable, SameCallIdEqualCSeqIsAborted) {
  Registrar r;
  r.reg({"<sip:a@h>"});
  r.cseq = 0;  // the next REGISTER reuses CSeq 1
  EXPECT_EQ(r.reg({"<sip:a@h>"}).status, 500);
}

TEST(BindingTable, AbortedRequestChangesNoOtherContact) {
  Registrar r;
  r.cseq = 10;
  r.reg({"<sip:a@h>"});
  r.cseq = 3;
  EXPECT_EQ(r.reg({"<sip:new@h>", "<sip:a@h>"}).status, 500);
  EXPECT_EQ(contacts_of(r.bound()), Strings{"sip:a@h"});
}

TEST(BindingTable, OtherCallIdAnyCSeqUpdates) {
  Registrar r;
  r.cseq = 10;
  r.reg({"<sip:a@h>"});
  r.call_id = "rebooted";
  r.cseq = 0;
  const auto o = r.reg({"<sip:a@h>"}, "120");
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.bindings.at(0).call_id, "rebooted");
  EXPECT_EQ(o.bindings.at(0).cseq, 1u);
}

TEST(BindingTable, NewContactIsNotSubjectToOrdering) {
  Registrar r;
  r.cseq = 10;
  r.reg({"<sip:a@h>"});
  r.cseq = 3;
  EXPECT_EQ(r.reg({"<sip:b@h>"}).status, 200);
}

TEST(BindingTable, WildcardWithStaleCSeqIsAborted) {
  Registrar r;
  r.cseq = 10;
  r.reg({"<sip:a@h>"});
  r.cseq = 4;
  EXPECT_EQ(r.reg({"*"}, "0").status, 500);
  EXPECT_EQ(r.bound().size(), 1u);
}

TEST(BindingTable, WildcardRemovesBindingsOfOtherCallIds) {
  Registrar r;
  r.cseq = 10;
  r.reg({"<sip:a@h>"});
  r.call_id = "other";
  r.cseq = 0;
  EXPECT_EQ(r.reg({"*"}, "0").status, 200);
  EXPECT_TRUE(r.bound().empty());
}

}  // namespace
}  // namespace ims::sw::registrar
