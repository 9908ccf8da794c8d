// The RFC 4475 / RFC 5118 torture corpus through the parser, in datagram and stream mode, with the
// expectations of corpus/expect.tsv; messages that parse must survive serialize -> parse.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/sip/parser.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"
#include "tests/conformance/corpus.hpp"

namespace ims::test {
namespace {

using sip::Message;
using sip::StreamParser;

std::string outcome_of(const Message& m) {
  return m.fault ? std::to_string(m.fault->status) : "ok";
}

std::string outcome_of(const Result<Message>& r) { return r ? outcome_of(*r) : "error"; }

std::string describe(const Result<Message>& r) {
  if (!r) return "error: " + r.error().message;
  if (r->fault) return std::to_string(r->fault->status) + " " + r->fault->reason;
  return "ok";
}

// The first item a stream parser reports for bytes fed at once; *message receives it.
std::string stream_outcome(StreamParser& p, Message* message) {
  switch (p.next()) {
    case StreamParser::Event::NeedMore: return "needmore";
    case StreamParser::Event::Ping: return "ping";
    case StreamParser::Event::Pong: return "pong";
    case StreamParser::Event::Error: return "error";
    case StreamParser::Event::Message: {
      *message = p.take_message();
      return outcome_of(*message);
    }
  }
  return "?";
}

std::string strip_brackets(std::string_view s) { return std::string(util::without_brackets(s)); }

std::string port_text(const std::optional<std::uint16_t>& p) {
  return p ? std::to_string(*p) : "none";
}

// One manifest check against a parsed message; "" when it holds, else what differed.
std::string run_check(const Message& m, const std::string& key, const std::string& want) {
  std::string got;
  auto via = m.top_via();
  if (key == "method") got = m.method_text();
  else if (key == "status") got = std::to_string(m.status());
  else if (key == "reason") got = m.reason();
  else if (key == "ruri") got = m.request_uri();
  else if (key == "call_id") got = m.call_id();
  else if (key == "cseq") got = m.cseq() ? std::to_string(m.cseq()->number) : "absent";
  else if (key == "cseq_method") got = m.cseq() ? std::string(m.cseq()->method_text) : "absent";
  else if (key == "max_forwards") got = std::to_string(m.max_forwards());
  else if (key == "vias") got = std::to_string(m.count(sip::HeaderId::Via));
  else if (key == "contacts") got = std::to_string(m.count(sip::HeaderId::Contact));
  else if (key == "body") got = std::to_string(m.body().size());
  else if (key == "branch") got = m.branch();
  else if (key == "from_tag") got = m.from_tag();
  else if (key == "to_tag") got = m.to_tag();
  else if (key == "top_via_host") got = via ? std::string(via->host) : "no Via";
  else if (key == "top_via_port") got = via ? port_text(via->port) : "no Via";
  else if (key == "rport") got = via ? (via->rport ? "1" : "0") : "no Via";
  else if (key == "via_received") {
    got = via && via->received ? strip_brackets(*via->received) : "absent";
    return got == strip_brackets(want) ? "" : got;
  } else if (key.rfind("ruri_", 0) == 0) {
    auto uri = sip::parse_uri(m.request_uri());
    if (!uri) return "Request-URI does not parse: " + uri.error().message;
    if (key == "ruri_user") got = uri->user;
    else if (key == "ruri_host") got = uri->host;
    else if (key == "ruri_port") got = port_text(uri->port);
    else return "unknown check " + key;
  } else if (key.rfind("h:", 0) == 0) {
    auto v = m.find(std::string_view(key).substr(2));
    got = v ? squash_lws(*v) : "absent";
    return got == squash_lws(want) ? "" : got;
  } else if (key == "stream_messages") {
    return "";  // stream mode only
  } else {
    return "unknown check " + key;
  }
  return got == want ? "" : got;
}

void expect_checks(const CorpusEntry& e, const Message& m) {
  for (const auto& [key, want] : e.checks) {
    std::string diff = run_check(m, key, want);
    EXPECT_EQ(diff, "") << key << ": want \"" << want << "\", got \"" << diff << "\"";
  }
}

// Field-by-field equality, Content-Length aside (the serializer writes it from the body).
void expect_equivalent(const Message& a, const Message& b) {
  EXPECT_EQ(a.is_request(), b.is_request());
  EXPECT_EQ(a.method_text(), b.method_text());
  EXPECT_EQ(a.request_uri(), b.request_uri());
  EXPECT_EQ(a.status(), b.status());
  EXPECT_EQ(a.reason(), b.reason());
  EXPECT_EQ(a.body(), b.body());
  std::vector<const sip::HeaderField*> fa, fb;
  for (const auto& f : a.fields()) {
    if (f.id != sip::HeaderId::ContentLength) fa.push_back(&f);
  }
  for (const auto& f : b.fields()) {
    if (f.id != sip::HeaderId::ContentLength) fb.push_back(&f);
  }
  ASSERT_EQ(fa.size(), fb.size());
  for (std::size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i]->id, fb[i]->id) << "field " << i;
    EXPECT_EQ(a.name(*fa[i]), b.name(*fb[i])) << "field " << i;
    EXPECT_EQ(squash_lws(a.value(*fa[i])), squash_lws(b.value(*fb[i]))) << "field " << i;
  }
  EXPECT_EQ(b.get(sip::HeaderId::ContentLength), std::to_string(b.body().size()));
}

class Corpus : public ::testing::TestWithParam<CorpusEntry> {
 protected:
  void SetUp() override {
    ASSERT_EQ(GetParam().load_error, "");
  }
};

TEST_P(Corpus, DatagramOutcomeIsWhatTheRfcSays) {
  const auto& e = GetParam();
  auto r = sip::parse_datagram(e.bytes);
  ASSERT_TRUE(outcome_matches(e.datagram, outcome_of(r)))
      << "want " << join(e.datagram) << ", got " << describe(r);
  if (r && r->fault) {
    EXPECT_FALSE(r->fault->reason.empty()) << "a fault's reason phrase must name the fault";
  }
  if (r && !r->fault) expect_checks(e, *r);
}

TEST_P(Corpus, StreamOutcomeIsWhatTheRfcSays) {
  const auto& e = GetParam();
  StreamParser p;
  p.feed(e.bytes);
  Message m;
  std::string got = stream_outcome(p, &m);
  ASSERT_TRUE(outcome_matches(e.stream, got))
      << "want " << join(e.stream) << ", got " << got
      << (got == "error" ? " (" + p.error().message + ")" : "")
      << (m.fault ? " (" + m.fault->reason + ")" : "");
  if (got != "ok") return;
  expect_checks(e, m);
  // Whatever follows in the stream must come out as items, not loop forever.
  int messages = 1;
  for (int i = 0; i < 16; ++i) {
    auto ev = p.next();
    if (ev == StreamParser::Event::NeedMore || ev == StreamParser::Event::Error) break;
    if (ev == StreamParser::Event::Message) {
      p.take_message();
      ++messages;
    }
  }
  if (auto want = e.check("stream_messages")) {
    EXPECT_EQ(std::to_string(messages), *want);
  }
}

// The same bytes one at a time: the first item must not depend on how the stream was cut.
TEST_P(Corpus, StreamOutcomeDoesNotDependOnSegmentation) {
  const auto& e = GetParam();
  StreamParser whole;
  whole.feed(e.bytes);
  Message m;
  const std::string want = stream_outcome(whole, &m);

  StreamParser p;
  std::string got = "needmore";
  for (char c : e.bytes) {
    p.feed(std::string_view(&c, 1));
    got = stream_outcome(p, &m);
    if (got != "needmore") break;
  }
  EXPECT_EQ(got, want);
}

// Messages the RFC says parse (the manifest allows "ok"): serialize -> parse is lossless.
class RoundTrip : public Corpus {};

TEST_P(RoundTrip, ParsedMessageSurvivesSerializeAndReparse) {
  const auto& e = GetParam();
  auto first = sip::parse_datagram(e.bytes);
  // The manifest allows a strict refusal for some (RFC 4475 §3.1.2 "may be liberal").
  if (!first || first->fault) GTEST_SKIP() << "refused, as the RFC allows: " << describe(first);

  const std::string wire = first->serialize();
  auto second = sip::parse_datagram(wire);
  ASSERT_EQ(outcome_of(second), "ok") << describe(second) << "\n" << wire;
  expect_equivalent(*first, *second);
  EXPECT_EQ(second->serialize(), wire) << "serialization must be a fixed point";

  // The serialized form carries its Content-Length, so it frames on a stream too.
  StreamParser p;
  p.feed(wire);
  Message m;
  ASSERT_EQ(stream_outcome(p, &m), "ok");
  EXPECT_EQ(p.buffered(), 0u);
  expect_equivalent(*first, m);
}

std::string param_name(const ::testing::TestParamInfo<CorpusEntry>& info) {
  return info.param.name();
}

INSTANTIATE_TEST_SUITE_P(Rfc, Corpus, ::testing::ValuesIn(load_corpus(IMS_SOURCE_DIR)),
                         param_name);

std::vector<CorpusEntry> parsable_entries() {
  std::vector<CorpusEntry> out;
  for (auto& e : load_corpus(IMS_SOURCE_DIR)) {
    if (!e.load_error.empty() || outcome_matches(e.datagram, "ok")) out.push_back(std::move(e));
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Rfc, RoundTrip, ::testing::ValuesIn(parsable_entries()), param_name);

// Every message that frames on a stream, back to back on one stream with CRLFCRLF keep-alives
// between them (RFC 5626 §3.5.1): each comes out whole, in order, and each ping is reported.
TEST(CorpusStream, StreamableMessagesBackToBackFrameOneByOne) {
  std::string stream;
  std::vector<std::string> want;  // "M:<method or status>" per message, "ping" per keep-alive
  for (const auto& e : load_corpus(IMS_SOURCE_DIR)) {
    if (e.stream != std::vector<std::string>{"ok"}) continue;
    auto alone = sip::parse_datagram(e.bytes);
    if (!alone || alone->fault) continue;  // reported by the per-message tests
    // Only messages that are exactly one framed message (dblreq and others carry bytes past
    // Content-Length, which a datagram ignores but a stream would read as the next message).
    if (e.bytes.size() != e.bytes.find("\r\n\r\n") + 4 + alone->body().size()) continue;
    stream += e.bytes;
    want.push_back("M:" + (alone->is_request() ? std::string(alone->method_text())
                                               : std::to_string(alone->status())));
    stream += "\r\n\r\n";
    want.push_back("ping");
  }
  ASSERT_GT(want.size(), 60u);

  StreamParser p;
  p.feed(stream);
  std::vector<std::string> got;
  for (std::size_t i = 0; i < want.size() + 5; ++i) {
    auto ev = p.next();
    if (ev == StreamParser::Event::NeedMore) break;
    if (ev == StreamParser::Event::Error) {
      got.push_back("error: " + p.error().message);
      break;
    }
    if (ev == StreamParser::Event::Ping) got.push_back("ping");
    if (ev == StreamParser::Event::Pong) got.push_back("pong");
    if (ev == StreamParser::Event::Message) {
      Message m = p.take_message();
      got.push_back(m.fault ? "fault: " + m.fault->reason
                            : "M:" + (m.is_request() ? std::string(m.method_text())
                                                     : std::to_string(m.status())));
    }
  }
  ASSERT_EQ(got.size(), want.size()) << "got " << join(got, ", ");
  EXPECT_EQ(got, want);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(CorpusManifest, HasOneRowPerCorpusFile) {
  std::vector<std::string> rows;
  for (const auto& e : load_corpus(IMS_SOURCE_DIR)) rows.push_back(e.file);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, corpus_files(IMS_SOURCE_DIR));
}

TEST(CorpusManifest, HoldsEveryRfc4475And5118Message) {
  int rfc4475 = 0, rfc5118 = 0;
  for (const auto& f : corpus_files(IMS_SOURCE_DIR)) {
    if (f.find("/rfc4475-") != std::string::npos) ++rfc4475;
    if (f.find("/rfc5118-") != std::string::npos) ++rfc5118;
  }
  EXPECT_EQ(rfc4475, 49);  // RFC 4475 §3.1.1 (13), §3.1.2 (19), §3.2 (1), §3.3 (15), §3.4 (1)
  EXPECT_EQ(rfc5118, 12);  // RFC 5118 §4.1 - §4.10
}

}  // namespace
}  // namespace ims::test
