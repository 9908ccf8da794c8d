#pragma once
// TransactionUser: what the stack hands up (RFC 3261 §17: the "TU" above the transaction
// layer), implemented by a UA core, a proxy core or the switch's application. Called on the
// stack's strand. A TU answers requests and sends requests through the Stack it is given; it
// may do so from inside these callbacks or later.

#include "common/sip/message.hpp"
#include "common/transport/types.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/key.hpp"

namespace ims::stack {

class TransactionUser {
 public:
  // A new request in a new server transaction `server` (never an ACK). Answer it with
  // Stack::respond(server, ...). Retransmissions are absorbed below and never arrive here.
  // A CANCEL arrives here only when it matches no INVITE transaction (§9.2: 481; a proxy
  // forwards it statelessly, §16.10).
  virtual void on_request(const txn::Key& server, sip::Message request,
                          const transport::Origin& origin) = 0;

  // An ACK for a 2xx (it has no transaction, §17.1.1.3), or one that matched nothing.
  virtual void on_ack(sip::Message /*ack*/, const transport::Origin& /*origin*/) {}

  // A CANCEL matched the INVITE server transaction `invite`; the stack has already answered
  // the CANCEL with 200 (§9.2). The TU answers the INVITE with 487 if it is still pending.
  virtual void on_cancel(const txn::Key& /*invite*/, const sip::Message& /*cancel*/) {}

  // A response to the client transaction `client` (§17.1.1.2, §17.1.2.2).
  virtual void on_response(const txn::Key& /*client*/, sip::Message /*response*/) {}

  // A response that matched no client transaction (a 2xx retransmission after the INVITE
  // transaction ended, RFC 6026 §7.4, or a stray).
  virtual void on_stray_response(sip::Message /*response*/, const transport::Origin& /*o*/) {}

  // A client transaction ended without a final response: act as on 408 (Timeout) or 503
  // (transport error), §8.1.3.1.
  virtual void on_client_failure(const txn::Key& /*client*/, txn::Failure /*failure*/) {}

  // A server transaction's final response was never acknowledged (Timer H) or could not be
  // sent (§17.2.4).
  virtual void on_server_failure(const txn::Key& /*server*/, txn::Failure /*failure*/) {}

  // A connection closed (either end, an error, the idle timeout): requests sent over `flow`
  // from now on would open a new connection to its remote address instead. Client
  // transactions that were waiting on it have already failed (on_client_failure).
  virtual void on_flow_closed(transport::FlowId /*flow*/) {}

  // Whether the source of `origin` is one this TU knows (it authenticated lately). Under
  // overload, a new request from such a source is shed only past
  // OverloadOptions::trusted_queue_delay instead of max_queue_delay. Asked only of a request
  // that is already late.
  virtual bool vouches_for(const transport::Origin& /*origin*/) { return false; }

 protected:
  ~TransactionUser() = default;
};

}  // namespace ims::stack
