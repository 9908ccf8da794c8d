#pragma once
// ForkContext: the response context of a stateful proxy that forked one request to several
// targets in parallel (RFC 3261 §16.7). Sans-I/O: it is told how each branch ended and says what
// the proxy does next. The proxy keeps the branch responses; this keeps only the decision.
//
// Owner: the proxy's per-request state. No threads: used on the SIP strand.

#include <cstddef>
#include <optional>
#include <vector>

namespace ims::sw::proxy {

// What became of a forked request once every branch ended or one succeeded.
struct ForkDecision {
  enum class Kind {
    Wait,        // branches are still pending and none succeeded
    Forward2xx,  // branch `branch` answered 2xx: relay it now (§16.7 step 5)
    Final,       // every branch failed: answer with `status` (from branch, or generated)
  };
  Kind kind = Kind::Wait;
  std::optional<std::size_t> branch;  // whose response to relay; none for a generated answer
  int status = 0;                     // the final status to answer with
  // Every branch failed in a way a later delivery may cure (timeout, unreachable, busy): the
  // caller may keep the request for the target's next registration (RFC 3428 store-and-forward
  // policy of this switch) instead of relaying `status`.
  bool retry_later = false;
};

// Whether a branch's final status says "not reachable now" rather than "this request is wrong".
bool reachability_failure(int status);

class ForkContext {
 public:
  explicit ForkContext(std::size_t branches);

  // A branch's final response (status >= 200). Responses after the decision are ignored:
  // the returned decision is Wait then, except for the first 2xx.
  ForkDecision on_final(std::size_t branch, int status);
  // A branch ended without a response: timer F (408) or a transport error (503), §16.7 step 1
  // and §8.1.3.1.
  ForkDecision on_timeout(std::size_t branch) { return on_final(branch, 408); }
  ForkDecision on_transport_error(std::size_t branch) { return on_final(branch, 503); }

  bool decided() const { return decided_; }
  std::size_t pending() const { return pending_; }

 private:
  ForkDecision choose_best() const;

  std::vector<int> finals_;  // 0 while the branch is pending
  std::size_t pending_;
  bool decided_ = false;
};

}  // namespace ims::sw::proxy
