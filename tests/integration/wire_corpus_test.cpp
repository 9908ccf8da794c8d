// The RFC 4475 / RFC 5118 corpus over the wire against the real imswitch: each message over UDP
// and over TCP must draw the answer tests/conformance/corpus/expect.tsv gives (wire_udp,
// wire_tcp), and the switch must survive the whole corpus.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tests/conformance/corpus.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/sip_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

struct HeaderExtent {
  std::string name;
  std::size_t value_begin;  // just after the colon
  std::size_t end;          // the CRLF ending the header's last (continuation) line
};

// The header fields of a message, continuation lines included in their field.
std::vector<HeaderExtent> header_extents(const std::string& m) {
  std::vector<HeaderExtent> out;
  const std::size_t head_end = m.find("\r\n\r\n");
  std::size_t pos = m.find("\r\n");
  while (pos != std::string::npos && pos < head_end) {
    std::size_t line = pos + 2;
    std::size_t eol = m.find("\r\n", line);
    if (eol == std::string::npos) break;
    if (m[line] == ' ' || m[line] == '\t') {
      if (!out.empty()) out.back().end = eol;
    } else if (auto colon = m.find(':', line); colon != std::string::npos && colon < eol) {
      std::string name = m.substr(line, colon - line);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
      out.push_back({name, colon + 1, eol});
    }
    pos = eol;
  }
  return out;
}

// Makes a corpus request safe to send many times to one switch, changing no syntax the RFC
// tests: every Call-ID and the top Via's branch (when it is more than the bare RFC 3261 magic
// cookie, which RFC 4475 §3.2.1 tests) get a unique suffix, so no message is taken for a
// retransmission of another (RFC 3261 §17.2.3). The top Via's transport becomes the one really
// used (the corpus' messages "ostensibly arrived" over UDP or TCP; §18.2.2 routes the answer by
// that token, so a TCP Via on a UDP request is answered on a new TCP connection to the sent-by).
// For UDP the top Via also gets rport (RFC 3581) so the answer comes back to this client and not
// to the corpus' made-up sent-by.
std::string prepare_for_wire(std::string m, const std::string& nonce, bool udp) {
  const bool add_rport = udp;
  const std::string transport = udp ? "UDP" : "TCP";
  std::vector<std::pair<std::size_t, std::string>> inserts;
  bool via_done = false;
  for (const auto& h : header_extents(m)) {
    if (iequals(h.name, "Call-ID") || iequals(h.name, "i")) {
      std::size_t end = h.end;
      while (end > h.value_begin && is_lws(m[end - 1])) --end;
      inserts.emplace_back(end, "." + nonce);
    }
    if (via_done || !(iequals(h.name, "Via") || iequals(h.name, "v"))) continue;
    via_done = true;
    std::size_t elem_end = std::min(m.find(',', h.value_begin), h.end);
    std::size_t slash = m.find('/', h.value_begin);
    if (slash < elem_end) slash = m.find('/', slash + 1);
    if (slash >= elem_end) continue;
    std::size_t p = slash + 1;
    while (p < elem_end && is_lws(m[p])) ++p;                              // LWS
    const std::size_t t = p;
    while (p < elem_end && !is_lws(m[p]) && m[p] != ';') ++p;             // transport
    if (!iequals(m.substr(t, p - t), transport)) {
      m.replace(t, p - t, transport);
      return prepare_for_wire(std::move(m), nonce, udp);  // offsets changed: start again
    }
    while (p < elem_end && is_lws(m[p])) ++p;                              // LWS
    while (p < elem_end && !is_lws(m[p]) && m[p] != ';' && m[p] != ',') ++p;  // sent-by
    std::string element = m.substr(h.value_begin, elem_end - h.value_begin);
    std::transform(element.begin(), element.end(), element.begin(), ::tolower);
    if (add_rport && element.find("rport") == std::string::npos) inserts.emplace_back(p, ";rport");
    if (auto b = m.find("z9hG4bK", p); b < elem_end) {
      std::size_t e = b;
      while (e < elem_end && !is_lws(m[e]) && m[e] != ';' && m[e] != ',') ++e;
      if (e - b > 7) inserts.emplace_back(e, "." + nonce);
    }
  }
  std::sort(inserts.begin(), inserts.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (const auto& [pos, text] : inserts) m.insert(pos, text);
  return m;
}

TEST(PrepareForWire, FitsTheTopViaToTheTransportAndMakesIdsUnique) {
  std::string in =
      "INVITE sip:a@b SIP/2.0\r\nVia  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=z9hG4bKx\r\n"
      "Call-ID: c@h\r\nv: SIP/2.0/TCP h2;branch=z9hG4bKy\r\nl: 0\r\n\r\n";
  std::string out = prepare_for_wire(in, "N", true);
  EXPECT_EQ(out,
            "INVITE sip:a@b SIP/2.0\r\nVia  : SIP  /   2.0\r\n /UDP\r\n    "
            "192.0.2.2;rport;branch=z9hG4bKx.N\r\nCall-ID: c@h.N\r\n"
            "v: SIP/2.0/TCP h2;branch=z9hG4bKy\r\nl: 0\r\n\r\n");
  EXPECT_EQ(prepare_for_wire(in, "N", false),
            "INVITE sip:a@b SIP/2.0\r\nVia  : SIP  /   2.0\r\n /TCP\r\n    "
            "192.0.2.2;branch=z9hG4bKx.N\r\nCall-ID: c@h.N\r\n"
            "v: SIP/2.0/TCP h2;branch=z9hG4bKy\r\nl: 0\r\n\r\n");
  EXPECT_EQ(prepare_for_wire("OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5;branch=z9hG4bK\r\n"
                             "\r\n", "N", true),
            "OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5;rport;branch=z9hG4bK\r\n\r\n");
}

bool expects_only_silence(const std::vector<std::string>& alts) {
  return alts.size() == 1 && alts[0] == "none";
}

class WireCorpus : public ::testing::TestWithParam<CorpusEntry> {
 protected:
  static void SetUpTestSuite() { sw_ = start_switch(); }
  static void TearDownTestSuite() {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    sw_.reset();
  }
  void SetUp() override {
    ASSERT_NE(sw_, nullptr);
    ASSERT_EQ(GetParam().load_error, "");
  }
  // A response comes quickly from a live switch; silence is only ever waited for briefly.
  static Millis wait_for(const std::vector<std::string>& alts) {
    return expects_only_silence(alts) ? 500ms : 3s;
  }
  void check(const std::vector<std::string>& want, const std::optional<SipMessage>& rsp,
             const std::string& sent) {
    int status = rsp ? rsp->status : 0;
    EXPECT_TRUE(wire_status_matches(want, status))
        << "want " << join(want) << ", got " << (rsp ? rsp->start_line : "no response")
        << "\n--- sent ---\n" << sent << "\n--- switch log ---\n" << sw_->log_tail(10);
    if (status == 400) {
      EXPECT_TRUE(names_the_fault(*rsp));
    }
    EXPECT_TRUE(sw_->running()) << sw_->log_tail();
  }
  static std::unique_ptr<SwitchProcess> sw_;
};
std::unique_ptr<SwitchProcess> WireCorpus::sw_;

TEST_P(WireCorpus, UdpAnswerIsWhatTheRfcSays) {
  const auto& e = GetParam();
  std::string error;
  auto c = UdpClient::open(false, &error);
  ASSERT_TRUE(c) << error;
  std::string msg = prepare_for_wire(e.bytes, unique_token(), true);
  ASSERT_TRUE(c->send_to(sw_->udp(), msg));
  check(e.wire_udp, c->final_response(wait_for(e.wire_udp)), msg);
}

TEST_P(WireCorpus, TcpAnswerIsWhatTheRfcSays) {
  const auto& e = GetParam();
  std::string error;
  auto c = TcpClient::connect(sw_->tcp(), 3s, &error);
  ASSERT_TRUE(c) << error;
  std::string msg = prepare_for_wire(e.bytes, unique_token(), false);
  ASSERT_TRUE(c->send(msg));
  check(e.wire_tcp, c->final_response(wait_for(e.wire_tcp)), msg);
}

std::string param_name(const ::testing::TestParamInfo<CorpusEntry>& info) {
  return info.param.name();
}

INSTANTIATE_TEST_SUITE_P(Rfc, WireCorpus, ::testing::ValuesIn(load_corpus(source_dir())),
                         param_name);

// RFC 4475 §3.2.1: a branch that is the bare magic cookie carries no transaction identifier; the
// switch may refuse it (400) or fall back to RFC 2543 matching, but must not match two different
// requests (different Call-IDs, sources) as one transaction by that empty identifier.
TEST(WireCorpusTransactions, BareMagicCookieBranchIsNotATransactionId) {
  auto sw = start_switch();
  ASSERT_TRUE(sw);
  auto corpus = load_corpus(source_dir());
  auto e = std::find_if(corpus.begin(), corpus.end(),
                        [](const CorpusEntry& c) { return c.name() == "rfc4475_3_2_1_badbranch"; });
  ASSERT_NE(e, corpus.end());
  std::string error;
  for (int i = 0; i < 2; ++i) {
    auto c = UdpClient::open(false, &error);
    ASSERT_TRUE(c) << error;
    ASSERT_TRUE(c->send_to(sw->udp(), prepare_for_wire(e->bytes, unique_token(), true)));
    auto rsp = c->final_response(3s);
    ASSERT_TRUE(rsp) << "request " << i + 1 << " (another Call-ID) got no answer: it was taken "
                     << "for a retransmission of the first";
    EXPECT_TRUE(wire_status_matches(e->wire_udp, rsp->status)) << rsp->start_line;
  }
  EXPECT_TRUE(exits_cleanly(*sw));
}

// The whole corpus back to back on one switch, TCP connections left open (some mid-message), then
// the switch must still serve OPTIONS everywhere and stop cleanly on SIGTERM.
TEST(WireCorpusSurvival, SwitchServesAndStopsCleanlyAfterTheWholeCorpus) {
  auto sw = start_switch(SwitchOptions{}.with_ipv6());
  ASSERT_TRUE(sw);
  std::string error;
  auto udp = UdpClient::open(false, &error);
  ASSERT_TRUE(udp) << error;
  std::vector<std::unique_ptr<TcpClient>> open_connections;
  for (const auto& e : load_corpus(source_dir())) {
    ASSERT_EQ(e.load_error, "");
    ASSERT_TRUE(udp->send_to(sw->udp(), prepare_for_wire(e.bytes, unique_token(), true)));
    auto tcp = TcpClient::connect(sw->tcp(), 3s, &error);
    ASSERT_TRUE(tcp) << error;
    tcp->send(prepare_for_wire(e.bytes, unique_token(), false));
    open_connections.push_back(std::move(tcp));
  }
  EXPECT_TRUE(still_serving(*sw));
  EXPECT_TRUE(exits_cleanly(*sw));
}

}  // namespace
}  // namespace ims::test
