// Transcript search at the design point (the HTTP API's target: p99 <= 50 ms): a store of
// 1,000,000 transcript messages in 50,000 sessions between 2,000 initiators and 500 agents,
// written in one transaction through the schema's triggers (so the index is the one the switch
// keeps). Message lengths are 3 to 40 words (mean about 12); words are drawn with a Zipf law from
// a contact-centre vocabulary followed by a long tail of rarer words. Each iteration is one page
// (20 hits) through SqliteStore::search_transcripts and its reader thread, waited for on an
// io_context as the HTTP server would. p50/p99 are reported as counters; nothing is asserted.
//
// The file is built once and kept (IMS_BENCH_DB, default /tmp/ims-bench-transcripts-1m.db):
// delete it to rebuild. Run from a Release build:
//   build/tests/bench/bench_transcript_search --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "switch/store/schema.hpp"
#include "switch/store/sqlite_connection.hpp"
#include "switch/store/sqlite_store.hpp"

namespace {

namespace store = ims::sw::store;

constexpr std::int64_t kMessages = 1'000'000;
constexpr int kSessionLength = 20;  // messages per session, on average
constexpr int kInitiators = 2000;
constexpr int kAgents = 500;
constexpr int kConcurrent = 64;  // sessions whose messages interleave
constexpr std::int64_t kStart = 1'735'689'600'000;  // 2025-01-01, ms

// The head of the vocabulary, most frequent first.
const char* const kCommon[] = {
    "the", "to", "i", "you", "a", "and", "is", "it", "for", "my", "your", "of", "on", "in",
    "can", "this", "that", "please", "we", "have", "be", "with", "order", "account", "me", "will",
    "not", "do", "thanks", "at", "are", "just", "check", "hello", "hi", "yes", "no", "what",
    "when", "card", "payment", "number", "let", "see", "help", "one", "moment", "refund",
    "customer", "delivery", "email", "phone", "address", "invoice", "today", "tomorrow", "week",
    "problem", "issue", "ticket", "case", "contract", "subscription", "password", "reset",
    "login", "blocked", "error", "screen", "update", "cancel", "cancelled", "charged", "twice",
    "bank", "transfer", "credit", "note", "discount", "offer", "price", "plan", "upgrade",
    "downgrade", "manager", "supervisor", "queue", "wait", "minutes", "hours",
    "confirm", "confirmed", "received", "sent", "parcel", "tracking", "courier", "damaged",
    "broken", "replacement", "warranty", "return", "label", "store", "online", "app", "website",
    "checkout", "basket", "voucher", "code", "expired", "valid", "name", "date", "birth",
    "verify", "identity", "security", "question", "answer", "policy", "terms", "complaint",
    "escalate", "callback", "call", "chat", "message", "reply", "asap", "urgent", "sorry",
    "understand", "apologise", "inconvenience", "resolved", "closed", "open", "status",
    "pending", "processing", "shipped", "arrived", "missing", "item", "items", "quantity",
    "size", "colour", "model", "serial", "device", "router", "internet", "connection", "slow",
    "outage", "technician", "appointment", "morning", "afternoon", "evening", "monday",
    "friday", "weekend", "café", "déjà", "reçu", "commande", "remboursement", "facture"};

// A pronounceable rarer word for the long tail: rank n always gives the same word.
std::string tail_word(std::uint64_t n) {
  static const char* const kSyllables[] = {"ka", "lo", "mi", "ren", "tus", "va", "dor", "pel",
                                           "qui", "sa", "to", "bra", "nel", "fi", "gor", "zu"};
  std::string w;
  n += 16 * 16;  // at least three syllables
  while (n > 0) {
    w += kSyllables[n % 16];
    n /= 16;
  }
  return w;
}

// Zipf over ranks 1..n: rank r is drawn with weight 1 / r^s.
class Zipf {
 public:
  Zipf(std::size_t n, double s) {
    cdf_.reserve(n);
    double sum = 0;
    for (std::size_t r = 1; r <= n; ++r) cdf_.push_back(sum += 1.0 / std::pow(double(r), s));
    for (double& c : cdf_) c /= sum;
  }
  template <class Rng>
  std::size_t operator()(Rng& rng) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<std::size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) -
                                    cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

constexpr std::size_t kVocabulary = 50'000;

std::string word(std::size_t rank) {
  constexpr std::size_t kHead = sizeof(kCommon) / sizeof(kCommon[0]);
  return rank < kHead ? kCommon[rank] : tail_word(rank - kHead);
}

std::string login(const char* prefix, int n) { return prefix + std::to_string(n); }

bool ok(const ims::Result<void>& r) {
  if (!r) std::fprintf(stderr, "bench: %s\n", r.error().message.c_str());
  return r.ok();
}

// Writes the store file: sessions and messages through the schema's triggers, one transaction.
bool build(const std::string& path) {
  std::filesystem::remove(path);
  auto db = store::Connection::open(path);
  if (!db) return std::fprintf(stderr, "bench: %s\n", db.error().message.c_str()), false;
  if (auto v = store::migrate(*db, store::migrations()); !v) return false;
  if (!ok(db->exec("PRAGMA synchronous = OFF", "bench")) || !ok(db->exec("BEGIN", "bench")))
    return false;
  std::mt19937_64 rng(20261206);
  Zipf zipf(kVocabulary, 1.05);
  std::lognormal_distribution<double> length(std::log(10.0), 0.6);
  struct Live {
    std::string id;
    std::string initiator;
    std::string agent;
    int seq = 0;
    int length = 0;
  };
  std::vector<Live> live(kConcurrent);
  int sessions = 0;
  std::int64_t now = kStart;
  auto start_session = [&](Live& s) -> bool {
    s.id = "s" + std::to_string(++sessions);
    s.initiator = login("customer", static_cast<int>(rng() % kInitiators));
    s.agent = login("agent", static_cast<int>(rng() % kAgents));
    s.seq = 0;
    s.length = 2 + static_cast<int>(rng() % (2 * kSessionLength - 3));
    auto stmt = db->prepare(
        "INSERT INTO im_sessions (id, initiator, target, state, started_at_ms, ended_at_ms, "
        "ended_by, end_reason, initiator_call_id, target_call_id, queue) "
        "VALUES (?1, ?2, ?3, 'ended', ?4, ?4, '', 'bye', ?1, ?1, '')",
        "bench");
    if (!stmt) return false;
    stmt->bind_text(1, s.id).bind_text(2, s.initiator).bind_text(3, s.agent).bind_int(4, now);
    return ok(stmt->run("bench"));
  };
  for (auto& s : live)
    if (!start_session(s)) return false;
  std::string body;
  for (std::int64_t m = 0; m < kMessages; ++m) {
    Live& s = live[rng() % kConcurrent];
    const bool from_initiator = s.seq % 2 == 0;
    body.clear();
    const int words = std::clamp(static_cast<int>(length(rng)), 3, 40);
    for (int w = 0; w < words; ++w) {
      if (w > 0) body += ' ';
      body += word(zipf(rng));
    }
    body += '.';
    now += 1 + static_cast<std::int64_t>(rng() % 600);
    auto stmt = db->prepare(
        "INSERT INTO im_transcript (session_id, seq, stamped_at_ms, sender, recipient, "
        "content_type, body) VALUES (?1, ?2, ?3, ?4, ?5, 'text/plain;charset=UTF-8', ?6)",
        "bench");
    if (!stmt) return false;
    stmt->bind_text(1, s.id)
        .bind_int(2, ++s.seq)
        .bind_int(3, now)
        .bind_text(4, from_initiator ? s.initiator : s.agent)
        .bind_text(5, from_initiator ? s.agent : s.initiator)
        .bind_blob(6, body);
    if (!ok(stmt->run("bench"))) return false;
    if (s.seq >= s.length && !start_session(s)) return false;
  }
  // No 'optimize': the index keeps the segments FTS5's automerge left, as in a running switch.
  return ok(db->exec("COMMIT", "bench"));
}

std::string db_path() {
  const char* env = std::getenv("IMS_BENCH_DB");
  return env != nullptr ? env : "/tmp/ims-bench-transcripts-1m.db";
}

// The store, built on first use and shared by every benchmark.
struct Bench {
  boost::asio::io_context io;
  std::unique_ptr<store::SqliteStore> store;
};

Bench* bench() {
  static std::unique_ptr<Bench> b = [] {
    const std::string path = db_path();
    if (!std::filesystem::exists(path)) {
      std::fprintf(stderr, "bench: writing %lld messages to %s ...\n",
                   static_cast<long long>(kMessages), path.c_str());
      const auto t0 = std::chrono::steady_clock::now();
      if (!build(path)) return std::unique_ptr<Bench>();
      std::fprintf(stderr, "bench: written in %.1f s, %.0f MB\n",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                   double(std::filesystem::file_size(path)) / 1e6);
    }
    auto out = std::make_unique<Bench>();
    store::SqliteStore::Options o;
    o.path = path;
    auto s = store::SqliteStore::open(o, out->io.get_executor());
    if (!s) {
      std::fprintf(stderr, "bench: %s\n", s.error().message.c_str());
      return std::unique_ptr<Bench>();
    }
    out->store = std::move(s).value();
    return out;
  }();
  return b.get();
}

// One page, waited for as a caller on an event loop would.
std::optional<store::TranscriptPage> page(Bench& b, store::TranscriptQuery q) {
  std::optional<ims::Result<store::TranscriptPage>> out;
  b.store->search_transcripts(std::move(q), [&](ims::Result<store::TranscriptPage> r) {
    out.emplace(std::move(r));
  });
  // The store's answer is the io_context's only work: hold it busy so that it sleeps until then.
  auto busy = boost::asio::make_work_guard(b.io);
  b.io.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!out && std::chrono::steady_clock::now() < deadline) {
    b.io.run_one_until(deadline);
  }
  if (!out || !out->ok()) {
    std::fprintf(stderr, "bench: %s\n", out ? out->error().message.c_str() : "no answer");
    return std::nullopt;
  }
  return std::move(out->value());
}

struct Case {
  std::vector<std::string> words;  // one per iteration, in turn
  bool participant = false;        // each iteration another agent's sessions
  int pages = 1;                   // follow the cursor this many pages, timing the last
};

void BM_Search(benchmark::State& state, const Case& c) {
  Bench* b = bench();
  if (b == nullptr) return state.SkipWithError("no store");
  std::vector<double> ms;
  std::size_t hits = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    store::TranscriptQuery q;
    q.words = c.words[i % c.words.size()];
    if (c.participant) q.participant = login("agent", static_cast<int>((i * 37) % kAgents));
    ++i;
    std::optional<store::TranscriptPage> p;
    for (int n = 1; n < c.pages; ++n) {
      state.PauseTiming();
      p = page(*b, q);
      if (!p) return state.SkipWithError("search failed");
      q.cursor = p->next_cursor;
      state.ResumeTiming();
    }
    const auto t0 = std::chrono::steady_clock::now();
    p = page(*b, q);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!p) return state.SkipWithError("search failed");
    hits += p->hits.size();
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double f) { return ms[std::min(ms.size() - 1, std::size_t(f * ms.size()))]; };
  state.counters["p50_ms"] = at(0.50);
  state.counters["p99_ms"] = at(0.99);
  state.counters["max_ms"] = ms.back();
  state.counters["hits"] = double(hits) / double(ms.size());
}

// Ranks 20..40 are in most sessions; ranks around 30,000 occur a few dozen times in the file.
std::vector<std::string> ranks(std::size_t from, std::size_t to) {
  std::vector<std::string> out;
  for (std::size_t r = from; r < to; ++r) out.push_back(word(r));
  return out;
}

const Case kCommonWord{ranks(20, 40)};
const Case kCommonWordOfAnAgent{ranks(20, 40), true};
const Case kRareWord{ranks(30'000, 30'050)};
const Case kRareWordOfAnAgent{ranks(30'000, 30'050), true};
const Case kVeryCommonWords{{"the you", "to my", "i is", "a and", "you the"}};
const Case kVeryCommonWordsOfAnAgent{{"the you", "to my", "i is", "a and", "you the"}, true};
const Case kCommonAndRare{{"order " + word(30'000), "refund " + word(30'001),
                           "the " + word(30'002)}};
const Case kVeryCommonWord{{"the", "you", "your", "please", "thanks"}};
const Case kPrefix{{"refu", "deliv", "subscr", "passw", "canc"}};
const Case kPrefixOfAnAgent{{"refu", "deliv", "subscr", "passw", "canc"}, true};
// Prefixes shared by several of the most frequent words.
const Case kCommonPrefix{{"plea", "than", "orde", "conf", "cance", "the you", "the your"}};
const Case kTenthPage{ranks(20, 40), false, 10};
const Case kTenthPageOfAnAgent{ranks(20, 40), true, 10};

}  // namespace

#define IMS_SEARCH_BENCH(name, c)           \
  BENCHMARK_CAPTURE(BM_Search, name, c)     \
      ->Iterations(300)                     \
      ->Unit(benchmark::kMillisecond)       \
      ->UseRealTime()

IMS_SEARCH_BENCH(common_word, kCommonWord);
IMS_SEARCH_BENCH(common_word_agent, kCommonWordOfAnAgent);
IMS_SEARCH_BENCH(rare_word, kRareWord);
IMS_SEARCH_BENCH(rare_word_agent, kRareWordOfAnAgent);
IMS_SEARCH_BENCH(very_common_pair, kVeryCommonWords);
IMS_SEARCH_BENCH(very_common_pair_agent, kVeryCommonWordsOfAnAgent);
IMS_SEARCH_BENCH(common_and_rare, kCommonAndRare);
IMS_SEARCH_BENCH(very_common_word, kVeryCommonWord);
IMS_SEARCH_BENCH(common_prefix, kCommonPrefix);
IMS_SEARCH_BENCH(prefix, kPrefix);
IMS_SEARCH_BENCH(prefix_agent, kPrefixOfAnAgent);
IMS_SEARCH_BENCH(tenth_page, kTenthPage);
IMS_SEARCH_BENCH(tenth_page_agent, kTenthPageOfAnAgent);

BENCHMARK_MAIN();
