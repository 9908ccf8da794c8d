#include "switch/proxy/fork.hpp"

namespace ims::sw::proxy {

bool reachability_failure(int status) {
  switch (status) {
    case 408:  // no answer (timer F)
    case 410:  // gone
    case 480:  // temporarily unavailable
    case 486:  // busy here
    case 500:
    case 502:
    case 503:  // includes a transport failure
    case 504:
    case 600:  // busy everywhere
      return true;
    default:
      return false;
  }
}

ForkContext::ForkContext(std::size_t branches) : finals_(branches, 0), pending_(branches) {}

ForkDecision ForkContext::on_final(std::size_t branch, int status) {
  if (branch >= finals_.size() || finals_[branch] != 0 || status < 200) return {};
  finals_[branch] = status;
  --pending_;
  if (decided_) return {};
  if (status < 300) {
    decided_ = true;
    return {ForkDecision::Kind::Forward2xx, branch, status, false};
  }
  if (pending_ > 0) return {};
  decided_ = true;
  return choose_best();
}

// §16.7 step 6: a 6xx wins; otherwise the lowest class, among 4xx preferring responses that
// let the client resubmit (401, 407, 415, 420, 484); a lone 503 becomes 500 (a 503 would tell
// the client that the proxy itself is overloaded). 3xx never occurs for a pager relay to
// registered contacts but is ranked by class like the rest.
ForkDecision ForkContext::choose_best() const {
  std::optional<std::size_t> best;
  auto rank = [](int s) {
    if (s >= 600) return 0;
    int r = (s / 100) * 10;
    switch (s) {
      case 401: case 407: case 415: case 420: case 484: return r - 5;
      default: return r;
    }
  };
  bool all_retry = true;
  for (std::size_t i = 0; i < finals_.size(); ++i) {
    const int s = finals_[i];
    all_retry = all_retry && reachability_failure(s);
    if (!best || rank(s) < rank(finals_[*best])) best = i;
  }
  ForkDecision d{ForkDecision::Kind::Final, best, best ? finals_[*best] : 480, all_retry};
  if (d.status == 503) {
    d.status = 500;
    d.branch.reset();
  } else if (d.status == 408) {
    d.branch.reset();  // a timeout has no response to relay; the proxy generates 408
  }
  return d;
}

}  // namespace ims::sw::proxy
