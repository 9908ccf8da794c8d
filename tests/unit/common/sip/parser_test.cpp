// Framing (common/sip/parser.cpp): datagrams per RFC 3261 §18.3 and streams with
// Content-Length framing and RFC 5626 keep-alives.

#include "common/sip/parser.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/common/sip/wire.hpp"

namespace ims::sip {
namespace {

using test::Wire;
using Event = StreamParser::Event;

ParseErrc code(const Error& e) { return ParseErrc(e.code.value()); }

// ---- error category

TEST(ParseError, CategoryNamesAndMessages) {
  const std::error_code ec = ParseErrc::HeadersTooLarge;
  EXPECT_STREQ(ec.category().name(), "sip.parse");
  EXPECT_EQ(ec.message(), "header block too large");
  EXPECT_EQ(&ec.category(), &parse_category());
  EXPECT_EQ(make_error_code(ParseErrc::Empty).value(), 1);
}

// ---- datagrams

TEST(Datagram, WithoutContentLengthTheBodyIsTheRest) {
  Wire w;
  w.remove("Content-Length");
  w.body = "the rest of the datagram";
  auto r = parse_datagram(w.str());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fault.has_value());
  EXPECT_EQ(r->body(), "the rest of the datagram");
}

TEST(Datagram, BytesAfterContentLengthAreIgnored) {
  // RFC 4475 §3.1.1.10 (a datagram holding two requests) and §18.3.
  const std::string first = Wire{}.with_body("abc").str();
  Wire second;
  second.start = "BYE sip:x@example.com SIP/2.0";
  auto r = parse_datagram(first + "garbage" + second.str());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fault.has_value());
  EXPECT_EQ(r->method(), Method::Options);
  EXPECT_EQ(r->body(), "abc");
  EXPECT_EQ(r->serialize(), first);
}

TEST(Datagram, ContentLengthPastTheEndIsA400) {
  // RFC 4475 §3.1.2.2.
  Wire w;
  w.with_body("short");
  w.set("Content-Length", "Content-Length: 9999");
  auto r = parse_datagram(w.str());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->fault.has_value());
  EXPECT_EQ(r->fault->status, 400);
  EXPECT_EQ(r->fault->reason, "Content-Length exceeds datagram");
}

TEST(Datagram, BadContentLengthValues) {
  // RFC 4475 §3.1.2.3 (negative) and §3.3.9 (conflicting).
  for (const char* v : {"-999", "abc", "1 2", "99999999999999999999999", "+5", "0x10", ""}) {
    auto r =
        parse_datagram(Wire{}.set("Content-Length", std::string("Content-Length: ") + v).str());
    ASSERT_TRUE(r.ok()) << v;
    ASSERT_TRUE(r->fault.has_value()) << v;
    EXPECT_EQ(r->fault->status, 400) << v;
    EXPECT_EQ(r->fault->reason, "Bad Content-Length") << v;
  }
  auto r = parse_datagram(Wire{}.add("Content-Length: 5").str());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->fault.has_value());
  EXPECT_EQ(r->fault->reason, "Conflicting Content-Length");
}

TEST(Datagram, CompactContentLength) {
  Wire w;
  w.remove("Content-Length");
  w.add("l: 2");
  w.body = "hiXX";
  auto r = parse_datagram(w.str());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body(), "hi");
}

TEST(Datagram, BodyLargerThanTheLimitIsA413) {
  Limits l;
  l.max_body_bytes = 10;
  auto r = parse_datagram(Wire{}.with_body(std::string(11, 'x')).str(), l);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->fault.has_value());
  EXPECT_EQ(r->fault->status, 413);
  EXPECT_EQ(r->body(), "");
  auto ok = parse_datagram(Wire{}.with_body(std::string(10, 'x')).str(), l);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->fault.has_value());
}

TEST(Datagram, LargerThanTheDatagramLimitIsAnError) {
  Limits l;
  l.max_datagram_bytes = 100;
  auto r = parse_datagram(Wire{}.str(), l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(code(r.error()), ParseErrc::BodyTooLarge);
}

TEST(Datagram, BodiesAreOpaqueBytes) {
  const std::string body("\x00\xff\xfe\r\n\r\nINVITE\x80", 13);
  auto r = parse_datagram(Wire{}.with_body(body).str());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fault.has_value());
  EXPECT_EQ(r->body(), body);
}

TEST(Datagram, LeadingLineBreaksAreSkipped) {
  // RFC 3261 §7.5.
  auto r = parse_datagram("\r\n\r\n\n" + Wire{}.str());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method(), Method::Options);
}

TEST(Datagram, EmptyAndWhitespaceOnlyAreEmpty) {
  for (std::string_view d : {"", "\r\n\r\n", "\r\n", "   \t ", "\n\n  \r\n"}) {
    auto r = parse_datagram(d);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(code(r.error()), ParseErrc::Empty);
  }
}

TEST(Datagram, BinaryGarbageIsAnError) {
  std::string junk;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) junk.push_back(char(rng()));
  auto r = parse_datagram(junk);
  EXPECT_FALSE(r.ok());
}

TEST(Datagram, TruncatedAnywhereNeverCrashes) {
  const std::string full = Wire{}.with_body("body").str();
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = parse_datagram(std::string_view(full).substr(0, n));
    if (r.ok()) {
      EXPECT_TRUE(r->fault.has_value() || r->body().size() < 4) << n;
    }
  }
}

// ---- streams

std::vector<Event> drain(StreamParser& p, std::vector<Message>* out = nullptr) {
  std::vector<Event> events;
  for (;;) {
    const Event e = p.next();
    if (e == Event::NeedMore) return events;
    events.push_back(e);
    if (e == Event::Message && out) out->push_back(p.take_message());
    if (e == Event::Error) return events;
  }
}

TEST(Stream, OneMessage) {
  StreamParser p;
  p.feed(Wire{}.with_body("hello").str());
  ASSERT_EQ(p.next(), Event::Message);
  const Message m = p.take_message();
  EXPECT_EQ(m.method(), Method::Options);
  EXPECT_EQ(m.body(), "hello");
  EXPECT_FALSE(m.fault.has_value());
  EXPECT_EQ(p.next(), Event::NeedMore);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(Stream, PipelinedMessagesInOneRead) {
  Wire a, b;
  a.with_body("first");
  b.start = "SIP/2.0 200 OK";
  b.with_body("second!");
  StreamParser p;
  p.feed(a.str() + b.str() + a.str());
  std::vector<Message> msgs;
  EXPECT_EQ(drain(p, &msgs), (std::vector<Event>{Event::Message, Event::Message, Event::Message}));
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0].body(), "first");
  EXPECT_EQ(msgs[1].status(), 200);
  EXPECT_EQ(msgs[1].body(), "second!");
  EXPECT_EQ(msgs[2].body(), "first");
}

// The same items come out however the bytes are cut.
std::string reference_stream() {
  Wire a, b, c;
  a.with_body("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n\r\n");  // CRLFCRLF inside a body
  b.start = "SIP/2.0 180 Ringing";
  b.set("Via", "v: SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKx, SIP/2.0/TCP b;branch=z9hG4bKy");
  c.set("Subject", "Subject: folded\r\n value");
  return "\r\n\r\n" + a.str() + b.str() + "\r\n" + c.str("\n");
}

const std::vector<Event> kReferenceEvents = {Event::Ping, Event::Message, Event::Message,
                                             Event::Pong, Event::Message};

void expect_reference(const std::vector<Event>& events, const std::vector<Message>& msgs) {
  EXPECT_EQ(events, kReferenceEvents);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0].body(), "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n\r\n");
  EXPECT_EQ(msgs[1].count(HeaderId::Via), 2u);
  EXPECT_EQ(msgs[1].reason(), "Ringing");
  EXPECT_EQ(msgs[2].get(HeaderId::Subject), "folded   value");  // CR, LF, SP: three spaces
  for (const auto& m : msgs) EXPECT_FALSE(m.fault.has_value());
}

TEST(Stream, ReferenceStreamInOneRead) {
  StreamParser p;
  p.feed(reference_stream());
  std::vector<Message> msgs;
  const auto events = drain(p, &msgs);
  expect_reference(events, msgs);
}

TEST(Stream, ByteByByteGivesTheSameMessages) {
  const std::string s = reference_stream();
  StreamParser p;
  std::vector<Event> events;
  std::vector<Message> msgs;
  for (char c : s) {
    p.feed(std::string_view(&c, 1));
    for (Event e : drain(p, &msgs)) events.push_back(e);
  }
  // Fed a byte at a time, the leading ping is first seen as a lone CRLF: a pong, then the
  // second CRLF completes it as a ping (see StreamParser).
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], Event::Pong);
  events.erase(events.begin());
  expect_reference(events, msgs);
}

TEST(Stream, RandomChunkBoundariesGiveTheSameMessages) {
  const std::string s = reference_stream();
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    StreamParser p;
    std::vector<Event> events;
    std::vector<Message> msgs;
    std::size_t i = 0;
    // The first chunk holds the whole ping so that it is reported as one.
    std::size_t first = 4;
    while (i < s.size()) {
      const std::size_t n = first ? first : 1 + rng() % 97;
      first = 0;
      p.feed(std::string_view(s).substr(i, n));
      i += n;
      for (Event e : drain(p, &msgs)) events.push_back(e);
    }
    expect_reference(events, msgs);
    EXPECT_EQ(p.buffered(), 0u);
    if (HasFailure()) break;
  }
}

TEST(Stream, KeepAlives) {
  // RFC 5626 §3.5.1.
  StreamParser p;
  p.feed("\r\n\r\n");
  EXPECT_EQ(p.next(), Event::Ping);
  EXPECT_EQ(p.next(), Event::NeedMore);
  p.feed("\r\n");
  EXPECT_EQ(p.next(), Event::Pong);
  EXPECT_EQ(p.next(), Event::NeedMore);
  p.feed("\r\n\r\n\r\n\r\n");
  EXPECT_EQ(p.next(), Event::Ping);
  EXPECT_EQ(p.next(), Event::Ping);
  EXPECT_EQ(p.next(), Event::NeedMore);
}

TEST(Stream, PingSplitAcrossReads) {
  StreamParser p;
  p.feed("\r");
  EXPECT_EQ(p.next(), Event::NeedMore);
  p.feed("\n\r");
  EXPECT_EQ(p.next(), Event::NeedMore);  // "\r\n\r" is probably a ping
  p.feed("\n");
  EXPECT_EQ(p.next(), Event::Ping);
  p.feed("\r\n");
  EXPECT_EQ(p.next(), Event::Pong);  // reported at once: a client waits for it
  p.feed("\r\n");
  EXPECT_EQ(p.next(), Event::Ping);  // the two halves made a ping
}

TEST(Stream, PongBeforeAMessage) {
  StreamParser p;
  p.feed("\r\n" + Wire{}.str());
  EXPECT_EQ(p.next(), Event::Pong);
  EXPECT_EQ(p.next(), Event::Message);
}

TEST(Stream, BodyArrivesLater) {
  Wire w;
  w.with_body("0123456789");
  const std::string s = w.str();
  StreamParser p;
  p.feed(s.substr(0, s.size() - 10));
  EXPECT_EQ(p.next(), Event::NeedMore);
  p.feed(s.substr(s.size() - 10, 4));
  EXPECT_EQ(p.next(), Event::NeedMore);
  p.feed(s.substr(s.size() - 6));
  ASSERT_EQ(p.next(), Event::Message);
  EXPECT_EQ(p.take_message().body(), "0123456789");
}

TEST(Stream, MissingContentLengthClosesTheStream) {
  // RFC 3261 §18.3: Content-Length is mandatory on streams.
  StreamParser p;
  p.feed(Wire{}.remove("Content-Length").str());
  EXPECT_EQ(p.next(), Event::Error);
  EXPECT_EQ(code(p.error()), ParseErrc::BadContentLength);
  p.feed(Wire{}.str());
  EXPECT_EQ(p.next(), Event::Error);  // never resynchronises
}

TEST(Stream, BadContentLengthClosesTheStream) {
  for (const char* v : {"-1", "abc", "99999999999999999999999", ""}) {
    StreamParser p;
    p.feed(Wire{}.set("Content-Length", std::string("Content-Length: ") + v).str());
    EXPECT_EQ(p.next(), Event::Error) << v;
    EXPECT_EQ(code(p.error()), ParseErrc::BadContentLength) << v;
  }
  StreamParser p;
  p.feed(Wire{}.add("l: 3").str());
  EXPECT_EQ(p.next(), Event::Error);
}

TEST(Stream, OversizedBodyIsA413AndSkipped) {
  Limits l;
  l.max_body_bytes = 100;
  StreamParser p(l);
  const std::string big(5000, 'x');
  const std::string s = Wire{}.with_body(big).str();
  p.feed(s.substr(0, s.size() - 4000));
  ASSERT_EQ(p.next(), Event::Message);
  const Message m = p.take_message();
  ASSERT_TRUE(m.fault.has_value());
  EXPECT_EQ(m.fault->status, 413);
  EXPECT_EQ(m.body(), "");
  EXPECT_EQ(p.next(), Event::NeedMore);
  EXPECT_EQ(p.buffered(), 0u);
  for (std::size_t i = s.size() - 4000; i < s.size(); i += 1000) {
    p.feed(s.substr(i, 1000));
    EXPECT_EQ(p.buffered(), 0u);  // skipped, not buffered
  }
  p.feed(Wire{}.with_body("ok").str());
  ASSERT_EQ(p.next(), Event::Message);
  const Message next = p.take_message();
  EXPECT_FALSE(next.fault.has_value());
  EXPECT_EQ(next.body(), "ok");
}

TEST(Stream, HeaderBombIsCutAtTheLimit) {
  // 10 MB of header without an empty line: an error at max_header_bytes, memory bounded.
  StreamParser p;
  p.feed("OPTIONS sip:x SIP/2.0\r\n");
  const std::string chunk = "X-Bomb: " + std::string(8000, 'a') + "\r\n";
  std::size_t fed = 0;
  Event e = Event::NeedMore;
  while (fed < 10'000'000 && e == Event::NeedMore) {
    p.feed(chunk);
    fed += chunk.size();
    e = p.next();
    EXPECT_LE(p.buffered(), Limits{}.max_header_bytes + chunk.size());
  }
  EXPECT_EQ(e, Event::Error);
  EXPECT_EQ(code(p.error()), ParseErrc::HeadersTooLarge);
  EXPECT_LT(fed, 40'000u);
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(Stream, OneHugeLineWithoutBreaksIsCutAtTheStartLineLimit) {
  StreamParser p;
  const std::string chunk(1000, 'A');
  Event e = Event::NeedMore;
  int chunks = 0;
  while (e == Event::NeedMore && chunks < 1000) {
    p.feed(chunk);
    ++chunks;
    e = p.next();
  }
  EXPECT_EQ(e, Event::Error);
  EXPECT_EQ(code(p.error()), ParseErrc::BadStartLine);
  EXPECT_LE(chunks, 5);
}

TEST(Stream, NonSipFirstLineFailsAtOnce) {
  using namespace std::string_literals;
  for (const std::string& first :
       {"GET / HTTP/1.1\r\n"s, "hello\n"s, "\x16\x03\x01\x02\x00\x01\n"s}) {
    StreamParser p;
    p.feed(first);
    EXPECT_EQ(p.next(), Event::Error) << first;
    EXPECT_EQ(code(p.error()), ParseErrc::BadStartLine);
  }
}

TEST(Stream, BinaryBytesFailBeforeAnyLineEnd) {
  // A TLS ClientHello, or a NUL inside a method, cannot begin a SIP start line: the stream
  // fails on those bytes, without waiting for a line feed that may never come.
  using namespace std::string_literals;
  for (const std::string& first : {"\x16\x03\x01\x00\xa5\x01"s, "OPTI\0NS sip:a"s, "\x7f"s}) {
    StreamParser p;
    p.feed(first);
    EXPECT_EQ(p.next(), Event::Error) << first;
    EXPECT_EQ(code(p.error()), ParseErrc::BadStartLine);
  }
  StreamParser ok;
  ok.feed("OPTIONS sip:a@b SIP/2.0\t");  // still plausible: wait for more
  EXPECT_EQ(ok.next(), Event::NeedMore);
}

TEST(Stream, TooManyHeadersIsAnError) {
  Limits l;
  l.max_headers = 8;
  StreamParser p(l);
  p.feed(Wire{}.add("X-A: 1").add("X-B: 2").str());
  EXPECT_EQ(p.next(), Event::Error);
  EXPECT_EQ(code(p.error()), ParseErrc::TooManyHeaders);
}

TEST(Stream, FaultyRequestsAreDeliveredAndFramingContinues) {
  StreamParser p;
  p.feed(Wire{}.remove("Call-ID").str() + Wire{}.str());
  ASSERT_EQ(p.next(), Event::Message);
  const Message bad = p.take_message();
  ASSERT_TRUE(bad.fault.has_value());
  EXPECT_EQ(bad.fault->reason, "Missing Call-ID");
  ASSERT_EQ(p.next(), Event::Message);
  EXPECT_FALSE(p.take_message().fault.has_value());
}

TEST(Stream, BufferIsCompactedAcrossManyMessages) {
  const std::string s = Wire{}.with_body(std::string(300, 'b')).str();
  StreamParser p;
  for (int i = 0; i < 2000; ++i) {
    // Each read ends in the middle of the next message.
    p.feed(s.substr(0, 200));
    if (i > 0) {
      ASSERT_EQ(p.next(), Event::Message);
      p.take_message();
    }
    p.feed(s.substr(200));
    EXPECT_LE(p.buffered(), s.size());
  }
  ASSERT_EQ(p.next(), Event::Message);
}

TEST(Stream, TakingTwiceGivesAnEmptyMessage) {
  StreamParser p;
  p.feed(Wire{}.with_body("abc").str());
  ASSERT_EQ(p.next(), Event::Message);
  EXPECT_EQ(p.take_message().body(), "abc");
  const Message again = p.take_message();
  EXPECT_TRUE(again.fields().empty());
  EXPECT_EQ(again.body(), "");
  EXPECT_EQ(again.request_uri(), "");
}

TEST(Stream, ErrorIsSticky) {
  StreamParser p;
  p.feed("NOT SIP AT ALL\r\n\r\n");
  EXPECT_EQ(p.next(), Event::Error);
  EXPECT_EQ(p.next(), Event::Error);
  EXPECT_FALSE(p.error().message.empty());
}

}  // namespace
}  // namespace ims::sip

namespace ims::sip {
namespace {

// ---- mutated input: no crash, and whatever is accepted serializes to a stable form

std::string mutate(std::string s, std::mt19937& rng) {
  static const std::string alphabet =
      std::string(":;,<>\"\\ \t\r\n@=/[]?%aZ09-.") + std::string("\0\x7f\xff\x80", 4);
  const int edits = 1 + int(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const std::size_t at = rng() % s.size();
    switch (rng() % 4) {
      case 0: s[at] = alphabet[rng() % alphabet.size()]; break;
      case 1: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      case 2: s.erase(at, 1 + rng() % 8); break;
      default: {
        const std::size_t len = std::min<std::size_t>(1 + rng() % 40, s.size() - at);
        s.insert(rng() % s.size(), s.substr(at, len));
      }
    }
  }
  return s;
}

std::vector<std::string> seeds() {
  Wire response;
  response.start = "SIP/2.0 200 OK";
  response.add("Contact: \"A, B\" <sip:a@[2001:db8::1]:5070;transport=tcp>;expires=60, <sip:b@x>");
  Wire folded;
  folded.set("Via",
             "v: SIP/2.0/TCP h;branch=z9hG4bK1;rport;received=192.0.2.1,\r\n SIP/2.0/UDP g:5062");
  folded.add("Subject: a\r\n\tb");
  folded.with_body("body\r\n\r\nmore");
  return {Wire{}.str(), response.str(), folded.str(), Wire{}.with_body("x").str("\n")};
}

TEST(Robustness, MutatedDatagramsSerializeStably) {
  std::mt19937 rng(1234);
  int accepted = 0;
  for (const std::string& seed : seeds()) {
    for (int i = 0; i < 3000; ++i) {
      const std::string input = mutate(seed, rng);
      auto r = parse_datagram(input);
      if (!r.ok() || r->fault) continue;
      ++accepted;
      const std::string once = r->serialize();
      auto again = parse_datagram(once);
      ASSERT_TRUE(again.ok()) << input;
      ASSERT_FALSE(again->fault.has_value()) << again->fault->reason << "\n" << once;
      ASSERT_EQ(again->serialize(), once) << input;
    }
  }
  EXPECT_GT(accepted, 1000);
}

TEST(Robustness, MutatedStreamsNeverCrashOrGrow) {
  std::mt19937 rng(99);
  for (const std::string& seed : seeds()) {
    for (int i = 0; i < 1000; ++i) {
      const std::string input = mutate(seed + seed, rng);
      StreamParser p;
      std::size_t at = 0;
      while (at < input.size()) {
        const std::size_t n = 1 + rng() % 64;
        p.feed(std::string_view(input).substr(at, n));
        at += n;
        for (;;) {
          const Event e = p.next();
          if (e == Event::Message) {
            const Message m = p.take_message();
            if (!m.fault) {
              EXPECT_FALSE(parse_datagram(m.serialize())->fault.has_value());
            }
          }
          if (e == Event::NeedMore || e == Event::Error) break;
        }
        ASSERT_LE(p.buffered(), input.size());
      }
    }
  }
}

}  // namespace
}  // namespace ims::sip
