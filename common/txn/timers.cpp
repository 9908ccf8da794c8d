#include "common/txn/timers.hpp"

#include "common/txn/actions.hpp"

namespace ims::txn {

std::string_view timer_name(TimerId id) {
  switch (id) {
    case TimerId::A: return "A";
    case TimerId::B: return "B";
    case TimerId::D: return "D";
    case TimerId::E: return "E";
    case TimerId::F: return "F";
    case TimerId::G: return "G";
    case TimerId::H: return "H";
    case TimerId::I: return "I";
    case TimerId::J: return "J";
    case TimerId::K: return "K";
    case TimerId::L: return "L";
    case TimerId::M: return "M";
    case TimerId::Trying: return "Trying";
  }
  return "?";
}

std::string_view failure_name(Failure f) {
  switch (f) {
    case Failure::Timeout: return "timeout";
    case Failure::TransportError: return "transport error";
  }
  return "?";
}

std::string_view end_reason_name(EndReason r) {
  switch (r) {
    case EndReason::Completed: return "completed";
    case EndReason::Timeout: return "timeout";
    case EndReason::TransportError: return "transport error";
  }
  return "?";
}

}  // namespace ims::txn
