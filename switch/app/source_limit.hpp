#pragma once
// SourceLimiter: a per-source rate limit on requests the switch must challenge or refuse for
// want of valid credentials, so that a flood of them from a few sources cannot take the SIP
// core from the agents it serves (digest challenges are cheap and stateless, but not free: a
// parse, a nonce, a send).
//
// A source is a transport address and port (UDP: the sending socket; TCP, TLS, WS: the
// connection's far end). Keying by port and not by IP address alone is deliberate: a contact
// centre's agents, a test harness and NATed sites put many honest clients behind one address,
// each on its own port. A source that authenticated within `trust` is not limited at all (an
// agent's traffic, or a trunk carrying many users from one port, such as sipp in the benchmarks);
// any other source has a token bucket of `burst` requests refilled at `per_second`. A request
// past it is shed without an answer (see SwitchTu::on_request).
//
// Bounded: at most `max_sources` sources are tracked. When the table is full, entries that carry
// nothing (untrusted sources whose bucket has refilled) are pruned; if it is still full, the
// sources that find no room share one overflow bucket, so an attack from many ports cannot grow
// the table and is limited as one source.
//
// Sans-I/O: time comes in as now_ms (a monotonic clock). Owner: the SwitchTu of one SIP core, on
// its strand; each core limits what it sees (with sip.threads: N a source's requests spread
// over the cores by Call-ID, so its effective rate is up to N times per_second).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "common/transport/types.hpp"

namespace ims::sw::app {

struct SourceLimitSettings {
  double per_second = 20;            // 0: no limit
  double burst = 100;                // tokens a source starts with and may save up
  std::size_t max_sources = 10'000;  // sources tracked at once
  std::chrono::seconds trust{300};   // how long a successful authentication exempts its source
};

struct SourceLimitCounters {
  std::uint64_t shed = 0;         // requests over a source's limit
  std::uint64_t overflowed = 0;   // of which from sources that found the table full
};

class SourceLimiter {
 public:
  explicit SourceLimiter(SourceLimitSettings settings = {}) : settings_(settings) {}

  // Whether a request from `source` that needs credentials may be handled: always for a
  // trusted source; otherwise when its bucket has a token (which it takes).
  bool admit(const transport::Endpoint& source, std::int64_t now_ms);
  // `source` authenticated successfully: exempt from the limit for settings.trust.
  void trust(const transport::Endpoint& source, std::int64_t now_ms);
  // Whether `source` authenticated within settings.trust (never while the limit is off).
  bool trusted(const transport::Endpoint& source, std::int64_t now_ms) const;

  bool enabled() const { return settings_.per_second > 0; }
  std::size_t tracked() const { return sources_.size(); }
  const SourceLimitCounters& counters() const { return counters_; }
  const SourceLimitSettings& settings() const { return settings_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t refilled_ms = 0;
    std::int64_t trusted_until_ms = 0;  // 0: not trusted
  };
  // Refills `b` to now and takes a token if there is one.
  bool take(Bucket& b, std::int64_t now_ms) const;
  // Drops the entries that carry nothing; at most once a second.
  void prune(std::int64_t now_ms);

  SourceLimitSettings settings_;
  std::unordered_map<transport::Endpoint, Bucket, transport::EndpointHash> sources_;
  Bucket overflow_;
  bool overflow_started_ = false;
  std::int64_t pruned_ms_ = 0;
  SourceLimitCounters counters_;
};

}  // namespace ims::sw::app
