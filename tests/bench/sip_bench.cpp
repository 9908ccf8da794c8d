// Parse and serialize a typical 500-byte MESSAGE (issue #3 goal: >= 1,000,000 parses per second
// on one core, Release build). Figures are reported, never asserted.

#include <benchmark/benchmark.h>

#include <string>

#include "common/sip/parser.hpp"

namespace {

std::string typical_message() {
  const std::string body =
      "Hello Bob, this is a short instant message of about one hundred bytes, sent by Alice now.";
  std::string m =
      "MESSAGE sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds1234;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: \"Alice Liddell\" <sip:alice@example.com>;tag=49583a7f1\r\n"
      "To: <sip:bob@example.com>\r\n"
      "Call-ID: a84b4c76e66710f3e2d1c9b0@192.0.2.10\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Length: " +
      std::to_string(body.size()) +
      "\r\n"
      "User-Agent: imswitch-bench/0.1 (Debian 12; x86_64)\r\n"
      "\r\n" +
      body;
  return m;
}

void BM_Parse(benchmark::State& state) {
  const std::string wire = typical_message();
  for (auto _ : state) {
    auto m = ims::sip::parse_datagram(wire);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(std::int64_t(state.iterations() * wire.size()));
  state.counters["msg_bytes"] = double(wire.size());
}
BENCHMARK(BM_Parse);

void BM_Serialize(benchmark::State& state) {
  const auto m = ims::sip::parse_datagram(typical_message());
  std::string out;
  for (auto _ : state) {
    out.clear();
    m->serialize_to(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Serialize);

void BM_ParseSerialize(benchmark::State& state) {
  const std::string wire = typical_message();
  for (auto _ : state) {
    auto m = ims::sip::parse_datagram(wire);
    std::string out = m->serialize();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSerialize);

void BM_StreamParse(benchmark::State& state) {
  const std::string wire = typical_message();
  ims::sip::StreamParser parser;
  for (auto _ : state) {
    parser.feed(wire);
    if (parser.next() != ims::sip::StreamParser::Event::Message) state.SkipWithError("no message");
    auto m = parser.take_message();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StreamParse);

}  // namespace

BENCHMARK_MAIN();
