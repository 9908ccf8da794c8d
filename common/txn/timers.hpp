#pragma once
// Transaction timers as values (RFC 3261 §17, Table 4; RFC 6026 §7). A transaction never reads a
// clock: it asks for a timer with StartTimer{id, after} and is told with on_timer(id) when it
// fires (STYLE rule 4). The stack arms real timers; tests use a fake clock.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ims::txn {

using Duration = std::chrono::milliseconds;

// The timers of RFC 3261 Table 4 and RFC 6026 (L, M). Timer C belongs to a proxy's TU (§16.6
// step 11), not to a transaction, so it is not here. Trying is the 200 ms of §17.2.1 after which
// an INVITE server transaction sends 100 (Trying) on the TU's behalf.
enum class TimerId : std::uint8_t { A, B, D, E, F, G, H, I, J, K, L, M, Trying };

// "A" .. "M", "Trying": for logs.
std::string_view timer_name(TimerId id);

// The timers one transaction arms share five places: no machine arms two timers of one place
// (client INVITE: A B D M; client non-INVITE: E F K; server INVITE: G H I L Trying; server
// non-INVITE: J), so a driver keeps five positions per transaction rather than thirteen.
inline constexpr std::size_t kTimerPlaces = 5;
constexpr std::size_t timer_place(TimerId id) {
  switch (id) {
    case TimerId::A: case TimerId::E: case TimerId::G: return 0;  // retransmissions
    case TimerId::B: case TimerId::F: case TimerId::H: return 1;  // the transaction's timeout
    case TimerId::D: case TimerId::I: case TimerId::J: case TimerId::K: return 2;  // lingering
    case TimerId::L: case TimerId::M: return 3;  // an accepted 2xx (RFC 6026)
    case TimerId::Trying: return 4;
  }
  return 4;
}

// Whether the transport carrying the transaction's messages retransmits for us. UDP is
// Unreliable; TCP, TLS, SCTP and WebSockets are Reliable: there timers A, E and G are never
// started and D, I, J and K are zero (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2).
enum class Reliability : std::uint8_t { Unreliable, Reliable };

// Timer base values, configurable (§17.1.1.1: "T1 ... MAY be chosen larger").
struct Timers {
  Duration t1 = Duration{500};    // RTT estimate
  Duration t2 = Duration{4000};   // cap of non-INVITE request and INVITE response retransmission
  Duration t4 = Duration{5000};   // how long a message may stay in the network
  Duration d = Duration{32000};   // Timer D floor on unreliable transports (§17.1.1.2)
  Duration trying = Duration{200};  // 100 (Trying) if the TU has not answered by then; 0: at once
  // When above zero, caps Timer J: how long a completed non-INVITE server transaction lingers
  // on an unreliable transport to absorb retransmissions of its request. RFC 3261 says 64*T1
  // (32 s); a busy server may keep them shorter, as Kamailio's tm does (wt_timer, 5 s), at the
  // cost of answering a request retransmitted later than that as a new one.
  Duration completed_linger = Duration{0};

  // B, F, H, J, L and M: 64*T1.
  Duration timeout() const { return 64 * t1; }
  // Timer D must outlive the server's Timer H (64*T1) so the ACK answers every retransmitted
  // final response (§17.1.1.2: "at least 32 seconds").
  Duration timer_d(Reliability r) const {
    return r == Reliability::Reliable ? Duration{0} : std::max(d, timeout());
  }
  Duration timer_i(Reliability r) const { return r == Reliability::Reliable ? Duration{0} : t4; }
  Duration timer_j(Reliability r) const {
    if (r == Reliability::Reliable) return Duration{0};
    return completed_linger > Duration{0} ? std::min(completed_linger, timeout()) : timeout();
  }
  Duration timer_k(Reliability r) const { return r == Reliability::Reliable ? Duration{0} : t4; }
};

}  // namespace ims::txn
