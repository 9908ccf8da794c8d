#pragma once
// What a transaction asks its driver to do. Every event handler of a state machine returns the
// actions in the order they must be carried out; the driver (the stack, or a test) sends
// messages, hands things to the TU and arms timers, and reports back with on_timer and
// on_transport_error. Terminated, when present, is always the last action, and every timer still
// armed has been cancelled before it.

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "common/sip/message.hpp"
#include "common/txn/timers.hpp"

namespace ims::txn {

// Give this message to the transport. A client transaction's requests go where the first one
// went; a server transaction's responses go per §18.2.2.
struct SendToTransport {
  sip::Message message;
};

// Give this message to the transaction user: a new request, a response, or an ACK for a 2xx.
struct PassToTu {
  sip::Message message;
};

// Arm (or re-arm) timer id to fire once after `after`.
struct StartTimer {
  TimerId id;
  Duration after;
};

struct CancelTimer {
  TimerId id;
};

// Why the TU is told that a transaction failed (§17.1.1.2, §17.1.2.2, §17.2.1, §17.1.4). A
// client's TU treats either as a 408 (Timeout) or 503 (transport error) response (§8.1.3.1);
// a server's TU learns its final response was never acknowledged or could not be sent.
enum class Failure : std::uint8_t { Timeout, TransportError };

struct ReportToTu {
  Failure failure;
};

enum class EndReason : std::uint8_t {
  Completed,       // a normal end: D, I, J, K, L, M fired, or zero on a reliable transport
  Timeout,         // B, F or H fired
  TransportError,  // §17.1.4, §17.2.4
};

// The transaction is over; its driver forgets it. Always the last action.
struct Terminated {
  EndReason reason;
};

using Action =
    std::variant<SendToTransport, PassToTu, StartTimer, CancelTimer, ReportToTu, Terminated>;
using Actions = std::vector<Action>;

std::string_view failure_name(Failure f);
std::string_view end_reason_name(EndReason r);

// Which timers of one transaction are armed. The driver may deliver an expiry it could not
// cancel in time (it was already queued); machines ignore timers that are not armed, so such
// stale expiries are harmless.
class ArmedTimers {
 public:
  void start(Actions& out, TimerId id, Duration after) {
    bits_ |= bit(id);
    out.emplace_back(std::in_place_type<StartTimer>, StartTimer{id, after});
  }
  void cancel(Actions& out, TimerId id) {
    if (!armed(id)) return;
    bits_ &= static_cast<std::uint16_t>(~bit(id));
    out.emplace_back(std::in_place_type<CancelTimer>, CancelTimer{id});
  }
  void cancel_all(Actions& out) {
    // Trying is the last TimerId.
    for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(TimerId::Trying); ++i)
      cancel(out, static_cast<TimerId>(i));
  }
  // An expiry arrived: true when id was armed (it is not any more).
  bool fire(TimerId id) {
    if (!armed(id)) return false;
    bits_ &= static_cast<std::uint16_t>(~bit(id));
    return true;
  }
  bool armed(TimerId id) const { return (bits_ & bit(id)) != 0; }

 private:
  static std::uint16_t bit(TimerId id) {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(id));
  }
  std::uint16_t bits_ = 0;
};

// Cancels what is armed and appends Terminated.
inline void terminate(Actions& out, ArmedTimers& timers, EndReason reason) {
  timers.cancel_all(out);
  out.emplace_back(std::in_place_type<Terminated>, Terminated{reason});
}

}  // namespace ims::txn
