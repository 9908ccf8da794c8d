#pragma once
// Test helpers for the registrar tests: REGISTER requests built header by header, and a
// registrar driven by a fake clock.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/sip/message.hpp"
#include "switch/registrar/binding_table.hpp"
#include "switch/registrar/contact.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::registrar::test {

struct Reg {
  std::string call_id = "reg-1@client.example.com";
  std::uint32_t cseq = 1;
  std::vector<std::string> contacts;   // one Contact field each
  std::optional<std::string> expires;  // the Expires header, verbatim

  sip::Message message() const {
    auto m = sip::Message::request(sip::Method::Register, "sip:example.com");
    m.add(sip::HeaderId::Via, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-reg");
    m.add(sip::HeaderId::MaxForwards, "70");
    m.add(sip::HeaderId::To, "<sip:alice@example.com>");
    m.add(sip::HeaderId::From, "<sip:alice@example.com>;tag=f1");
    m.add(sip::HeaderId::CallId, call_id);
    m.add(sip::HeaderId::CSeq, std::to_string(cseq) + " REGISTER");
    for (const auto& c : contacts) m.add(sip::HeaderId::Contact, c);
    if (expires) m.add(sip::HeaderId::Expires, *expires);
    return m;
  }
  Result<RegisterRequest> parse() const { return parse_register(message()); }
};

// A REGISTER with these Contact fields and Expires header (defaults for the rest).
inline Reg reg(std::vector<std::string> contacts, std::optional<std::string> expires = {}) {
  Reg r;
  r.contacts = std::move(contacts);
  r.expires = std::move(expires);
  return r;
}

inline constexpr std::int64_t kT0 = 1'700'000'000'000;  // a Unix time in ms
inline constexpr std::int64_t kSec = 1000;

// A registrar under test: a table, its settings, the flow requests arrive on, a fake clock and
// a client that numbers its REGISTERs like a real one.
struct Registrar {
  BindingTable table;
  Settings settings{.min_expires_s = 60,
                    .max_expires_s = 3600,
                    .default_expires_s = 1800,
                    .max_contacts_per_agent = 5};
  FlowInfo flow{.transport = "udp",
                .source_address = "192.0.2.10",
                .source_port = 5060,
                .flow_id = 0,
                .sent_by_host = "192.0.2.10",
                .sent_by_port = 5060};
  std::int64_t now = kT0;
  std::string call_id = "c1";
  std::uint32_t cseq = 0;

  Outcome reg(std::vector<std::string> contacts, std::optional<std::string> expires = {},
              const std::string& aor = "alice") {
    const Reg r{.call_id = call_id,
                .cseq = ++cseq,
                .contacts = std::move(contacts),
                .expires = std::move(expires)};
    auto p = r.parse();
    if (!p) return Outcome::rejected(p.error());
    return table.apply(*p, aor, flow, now, settings);
  }
  std::vector<store::Binding> bound(const std::string& aor = "alice") const {
    return table.lookup(aor, now);
  }
};

inline std::vector<std::string> contacts_of(const std::vector<store::Binding>& v) {
  std::vector<std::string> out;
  for (const auto& b : v) out.push_back(b.contact);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace ims::sw::registrar::test
