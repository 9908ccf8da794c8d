// BindingTable: queries, expiry, order, parameters, limits, start-up, flows, hostile input.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "register_fixture.hpp"
#include "switch/registrar/binding_table.hpp"

namespace ims::sw::registrar {
namespace {

using test::contacts_of;
using test::kSec;
using test::kT0;
using test::Registrar;
using test::Strings;

// --- query ----------------------------------------------------------------------------------

TEST(BindingTable, QueryReturnsBindingsUnchanged) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "300");
  r.now += 100 * kSec;
  const auto o = r.reg({});
  ASSERT_EQ(o.status, 200);
  EXPECT_TRUE(o.upserted.empty());
  EXPECT_TRUE(o.removed.empty());
  ASSERT_EQ(o.bindings.size(), 1u);
  EXPECT_EQ(o.bindings[0].expires_at_ms, kT0 + 300 * kSec);
  EXPECT_EQ(o.bindings[0].cseq, 1u);
}

TEST(BindingTable, QueryOfUnknownAorIsEmpty) {
  Registrar r;
  const auto o = r.reg({}, {}, "nobody");
  EXPECT_EQ(o.status, 200);
  EXPECT_TRUE(o.bindings.empty());
  EXPECT_EQ(r.table.aor_count(), 0u);
}

// --- expiry ---------------------------------------------------------------------------------

TEST(BindingTable, LookupHidesExpiredBindings) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "60");
  r.now += 59 * kSec;
  EXPECT_EQ(r.bound().size(), 1u);
  r.now += kSec;
  EXPECT_TRUE(r.bound().empty()) << "expired at exactly expires_at";
  EXPECT_EQ(r.table.binding_count(), 1u) << "until expire() collects it";
}

TEST(BindingTable, ExpireRemovesAndReturnsExpired) {
  Registrar r;
  r.reg({"<sip:a@h>;expires=60", "<sip:b@h>;expires=600"});
  r.reg({"<sip:c@h>"}, "60", "bob");
  EXPECT_TRUE(r.table.expire(kT0 + 59 * kSec).empty());
  const auto gone = r.table.expire(kT0 + 60 * kSec);
  EXPECT_EQ(gone.size(), 2u);
  EXPECT_EQ(r.table.binding_count(), 1u);
  EXPECT_EQ(r.table.aor_count(), 1u);
  EXPECT_TRUE(r.table.expire(kT0 + 60 * kSec).empty());
}

TEST(BindingTable, RegisterPurgesExpiredBindingsOfTheAor) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "60");
  r.now += 120 * kSec;
  const auto o = r.reg({"<sip:b@h>"});
  EXPECT_EQ(contacts_of(o.bindings), Strings{"sip:b@h"});
  ASSERT_EQ(o.removed.size(), 1u);
  EXPECT_EQ(o.removed[0].second, "sip:a@h");
  EXPECT_EQ(r.table.binding_count(), 1u);
}

TEST(BindingTable, ReRegisterAfterExpiryIsNew) {
  Registrar r;
  r.reg({"<sip:a@h>"}, "60");
  r.now += 120 * kSec;
  const auto o = r.reg({"<sip:a@h>"});
  EXPECT_EQ(o.bindings.at(0).registered_at_ms, r.now);
}

// --- order ----------------------------------------------------------------------------------

TEST(BindingTable, LookupOrdersByQThenMostRecent) {
  Registrar r;
  r.reg({"<sip:low@h>;q=0.1"});
  r.now += kSec;
  r.reg({"<sip:old@h>"});
  r.now += kSec;
  r.reg({"<sip:new@h>"});
  r.now += kSec;
  r.reg({"<sip:mid@h>;q=0.5"});
  EXPECT_EQ(contacts_of(r.bound()), (Strings{"sip:new@h", "sip:old@h", "sip:mid@h", "sip:low@h"}));
}

TEST(BindingTable, OutcomeListsBindingsInLookupOrder) {
  Registrar r;
  const auto o = r.reg({"<sip:a@h>;q=0.2", "<sip:b@h>;q=0.9"});
  EXPECT_EQ(contacts_of(o.bindings), (Strings{"sip:b@h", "sip:a@h"}));
}

// --- parameters -----------------------------------------------------------------------------

TEST(BindingTable, ParametersRoundTrip) {
  Registrar r;
  const auto o =
      r.reg({"\"Alice's desk\" <sip:alice@10.0.0.1;transport=tcp;ob>;q=0.8;"
             "+imswitch.session;+sip.instance=\"<urn:uuid:aaaa>\";x-y=z;expires=300"});
  ASSERT_EQ(o.status, 200);
  const auto& b = o.bindings.at(0);
  EXPECT_EQ(b.contact, "sip:alice@10.0.0.1;transport=tcp;ob");
  EXPECT_EQ(b.display_name, "\"Alice's desk\"");
  EXPECT_EQ(b.contact_params, ";q=0.8;+imswitch.session;+sip.instance=\"<urn:uuid:aaaa>\";x-y=z");
  EXPECT_EQ(b.q_millis, 800);
  EXPECT_TRUE(b.session_capable);
  EXPECT_EQ(b.instance, "<urn:uuid:aaaa>");
  EXPECT_EQ(b.expires_at_ms, kT0 + 300 * kSec);
}

TEST(BindingTable, PlainContactIsNotSessionCapable) {
  Registrar r;
  EXPECT_FALSE(r.reg({"<sip:a@h>"}).bindings.at(0).session_capable);
}

// --- limits ---------------------------------------------------------------------------------

TEST(BindingTable, TooManyContactsPerAgentIs403) {
  Registrar r;
  ASSERT_EQ(r.reg({"<sip:1@h>", "<sip:2@h>", "<sip:3@h>", "<sip:4@h>", "<sip:5@h>"}).status, 200);
  const auto o = r.reg({"<sip:6@h>"});
  EXPECT_EQ(o.status, 403);
  EXPECT_EQ(o.reason, "Too Many Contacts");
  EXPECT_EQ(r.bound().size(), 5u);
}

TEST(BindingTable, AtTheLimitRefreshAndReplaceStillWork) {
  Registrar r;
  r.reg({"<sip:1@h>", "<sip:2@h>", "<sip:3@h>", "<sip:4@h>", "<sip:5@h>"});
  EXPECT_EQ(r.reg({"<sip:1@h>"}).status, 200);
  EXPECT_EQ(r.reg({"<sip:1@h>;expires=0", "<sip:6@h>"}).status, 200);
}

TEST(BindingTable, LoweredLimitDoesNotBlockRefresh) {
  Registrar r;
  r.reg({"<sip:1@h>", "<sip:2@h>", "<sip:3@h>"});
  r.settings.max_contacts_per_agent = 1;
  EXPECT_EQ(r.reg({"<sip:2@h>"}).status, 200);
  EXPECT_EQ(r.reg({"<sip:9@h>"}).status, 403);
}

TEST(BindingTable, ThousandContactsAreLimited) {
  Registrar r;
  RegisterRequest req;
  req.call_id = "flood";
  req.cseq = 1;
  for (int i = 0; i < 1000; ++i) {
    ContactSpec c;
    c.uri = "sip:d" + std::to_string(i) + "@h";
    req.contacts.push_back(c);
  }
  const auto o = r.table.apply(req, "alice", r.flow, r.now, r.settings);
  EXPECT_EQ(o.status, 403);
  EXPECT_EQ(r.table.binding_count(), 0u);

  std::vector<std::string> many;
  for (int i = 0; i < 1000; ++i) many.push_back("<sip:d" + std::to_string(i) + "@h>");
  EXPECT_EQ(r.reg(many).status, 403) << "through parse_register";
}

TEST(BindingTable, ParseFailureBecomesAnOutcome) {
  Registrar r;
  const auto o = r.reg({"<sip:a@h>;q=7"});
  EXPECT_EQ(o.status, 400);
  EXPECT_EQ(o.reason, "Invalid q-value");
  EXPECT_FALSE(o.ok());
}

// --- start-up and flows ---------------------------------------------------------------------

store::Binding stored(std::string contact, std::int64_t expires_at, std::uint64_t flow = 9) {
  store::Binding b;
  b.aor = "alice";
  b.contact = std::move(contact);
  b.call_id = "c1";
  b.cseq = 5;
  b.registered_at_ms = kT0 - 1000 * kSec;
  b.expires_at_ms = expires_at;
  b.flow_id = flow;
  return b;
}

TEST(BindingTable, LoadRestoresBindingsWithoutFlows) {
  Registrar r;
  r.table.load({stored("sip:a@h", kT0 + 60 * kSec), stored("sip:b@h", kT0 + 60 * kSec)});
  const auto b = r.bound();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].flow_id, 0u);
  EXPECT_EQ(r.table.binding_count(), 2u);
}

TEST(BindingTable, LoadDeduplicatesByContact) {
  Registrar r;
  r.table.load({stored("sip:a@h", kT0 + 60 * kSec), stored("sip:a@h", kT0 + 90 * kSec)});
  ASSERT_EQ(r.bound().size(), 1u);
  EXPECT_EQ(r.bound()[0].expires_at_ms, kT0 + 90 * kSec);
  EXPECT_EQ(r.table.binding_count(), 1u);
}

TEST(BindingTable, LoadedBindingsKeepCSeqOrderAndRegisteredAt) {
  Registrar r;
  r.table.load({stored("sip:a@h", kT0 + 60 * kSec)});
  r.cseq = 4;  // next is 5: not higher than the stored 5
  EXPECT_EQ(r.reg({"<sip:a@h>"}).status, 500);
  const auto o = r.reg({"<sip:a@h>"});
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.bindings.at(0).registered_at_ms, kT0 - 1000 * kSec);
}

TEST(BindingTable, LoadedExpiredBindingsAreCollected) {
  Registrar r;
  r.table.load({stored("sip:a@h", kT0 - kSec)});
  EXPECT_TRUE(r.bound().empty());
  EXPECT_EQ(r.table.expire(kT0).size(), 1u);
  EXPECT_EQ(r.table.aor_count(), 0u);
}

// The table keeps its bindings packed: every field comes back as it went in, empty ones and
// ones of every length included, through lookup() and through expire().
TEST(BindingTable, EveryFieldComesBackAsStored) {
  Registrar r;
  store::Binding b;
  b.aor = "alice";
  b.contact = "sip:alice@[2001:db8::1]:5070;transport=tls";
  b.contact_params = ";+sip.instance=\"<urn:uuid:1>\";reg-id=2;q=0.7";
  b.display_name = "";
  b.instance = "<urn:uuid:1>";
  b.q_millis = 700;
  b.session_capable = true;
  b.call_id = std::string(300, 'c');
  b.cseq = 77;
  b.expires_at_ms = kT0 + 60 * kSec;
  b.registered_at_ms = kT0 - kSec;
  b.transport = "tls";
  b.source_address = "2001:db8::1";
  b.source_port = 50123;
  b.flow_id = 9;  // load() drops it: a flow does not survive a restart
  r.table.load({b});
  b.flow_id = 0;
  const auto check = [&b](const store::Binding& got) {
    EXPECT_EQ(got.aor, b.aor);
    EXPECT_EQ(got.contact, b.contact);
    EXPECT_EQ(got.contact_params, b.contact_params);
    EXPECT_EQ(got.display_name, b.display_name);
    EXPECT_EQ(got.instance, b.instance);
    EXPECT_EQ(got.q_millis, b.q_millis);
    EXPECT_EQ(got.session_capable, b.session_capable);
    EXPECT_EQ(got.call_id, b.call_id);
    EXPECT_EQ(got.cseq, b.cseq);
    EXPECT_EQ(got.expires_at_ms, b.expires_at_ms);
    EXPECT_EQ(got.registered_at_ms, b.registered_at_ms);
    EXPECT_EQ(got.transport, b.transport);
    EXPECT_EQ(got.source_address, b.source_address);
    EXPECT_EQ(got.source_port, b.source_port);
    EXPECT_EQ(got.flow_id, b.flow_id);
  };
  const auto found = r.table.lookup("alice", kT0);
  ASSERT_EQ(found.size(), 1u);
  check(found[0]);
  const auto gone = r.table.expire(kT0 + 61 * kSec);
  ASSERT_EQ(gone.size(), 1u);
  check(gone[0]);
}

TEST(BindingTable, ForgetFlowKeepsBindingButClearsFlow) {
  Registrar r;
  r.flow.flow_id = 42;
  r.reg({"<sip:a@h;transport=tcp>"});
  r.flow.flow_id = 43;
  r.reg({"<sip:b@h;transport=tcp>"}, {}, "bob");
  const auto changed = r.table.forget_flow(42);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].contact, "sip:a@h;transport=tcp");
  EXPECT_EQ(changed[0].flow_id, 0u);
  ASSERT_EQ(r.bound().size(), 1u);
  EXPECT_EQ(r.bound()[0].flow_id, 0u);
  EXPECT_EQ(r.bound("bob").at(0).flow_id, 43u);
  EXPECT_TRUE(r.table.forget_flow(0).empty()) << "0 means no flow";
  EXPECT_TRUE(r.table.forget_flow(42).empty()) << "a flow is forgotten once";
  // The device re-registers over a new connection; the old one closing again changes nothing.
  r.flow.flow_id = 44;
  r.reg({"<sip:a@h;transport=tcp>"});
  EXPECT_TRUE(r.table.forget_flow(42).empty());
  EXPECT_EQ(r.bound().at(0).flow_id, 44u);
  ASSERT_EQ(r.table.forget_flow(44).size(), 1u);
  EXPECT_EQ(r.bound().at(0).flow_id, 0u);
}

// --- hostile input --------------------------------------------------------------------------

// Random Contact values from a grammar-ish alphabet: every REGISTER is answered with a status,
// the table's counts stay consistent, nothing crashes (ASan/UBSan builds run this too).
TEST(BindingTable, SurvivesRandomContacts) {
  Registrar r;
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
  auto next = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  const std::string pieces[] = {"<",
                                ">",
                                "sip:",
                                "sips:",
                                "tel:",
                                "a",
                                "@",
                                "h",
                                ":",
                                "5060",
                                ";",
                                "q=",
                                "0.5",
                                "1",
                                "expires=",
                                "0",
                                "30",
                                "\"",
                                " ",
                                ",",
                                "*",
                                "+sip.instance=",
                                "\"<urn:uuid:x>\"",
                                "reg-id=",
                                "%",
                                "[::1]",
                                "=",
                                "+imswitch.session",
                                "\\",
                                "\t"};
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> contacts;
    const auto n = next() % 4;
    for (std::uint64_t c = 0; c < n; ++c) {
      std::string v;
      const auto len = next() % 12;
      for (std::uint64_t k = 0; k < len; ++k) v += pieces[next() % std::size(pieces)];
      contacts.push_back(v);
    }
    r.now += static_cast<std::int64_t>(next() % 5000);
    if (next() % 4 == 0) r.call_id = "c" + std::to_string(next() % 3);
    std::optional<std::string> expires;
    if (next() % 2) expires = std::to_string(next() % 100);
    const auto o = r.reg(contacts, expires, next() % 2 ? "alice" : "bob");
    EXPECT_TRUE(o.status == 200 || o.status == 400 || o.status == 403 || o.status == 423 ||
                o.status == 500)
        << o.status;
    if (next() % 50 == 0) (void)r.table.expire(r.now);
  }
  std::size_t live =
      r.table.lookup("alice", INT64_MIN).size() + r.table.lookup("bob", INT64_MIN).size();
  EXPECT_EQ(live, r.table.binding_count());
}

}  // namespace
}  // namespace ims::sw::registrar
