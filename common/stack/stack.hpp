#pragma once
// Stack: one SIP core. Ties the transport layer (sockets, §18) to the transaction layer (§17,
// common/txn, sans-I/O) and to a TransactionUser above:
// - messages from the transport are validated (parser faults: a request is answered
//   statelessly with the fault's status when its top Via is usable; anything else is dropped
//   and counted) and fed to the TransactionTable;
// - the table's actions are carried out: SendToTransport through the transport (responses per
//   §18.2.2 from the request's Origin, requests to the transaction's Destination), StartTimer/
//   CancelTimer on a timing wheel driven by one asio timer (timer_wheel.hpp), PassToTu/
//   ReportToTu as TransactionUser callbacks;
// - a CANCEL that matches an INVITE server transaction is answered 200 here (§9.2).
//
// Owner: the application (unique_ptr). Strand: the executor given to the constructor; every
// public call is made on it, and the transport, the timers and the TU callbacks run there
// (STYLE rule 6). To scale out, run one Stack per thread, each with its own io_context, its
// listeners bound with transport::Options::reuse_port and its transport joined to one
// transport::Cores, which shards the work by Call-ID.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/sip/message.hpp"
#include "common/stack/timer_wheel.hpp"
#include "common/stack/transaction_user.hpp"
#include "common/transport/options.hpp"
#include "common/transport/transport_layer.hpp"
#include "common/transport/types.hpp"
#include "common/txn/key.hpp"
#include "common/txn/transaction_table.hpp"
#include "common/util/result.hpp"

namespace ims::stack {

// How a core sheds load it cannot carry (RFC 3261 §21.5.4; RFC 7339 §1: an overloaded server
// that keeps accepting work it answers late does no useful work at all). New work is refused
// early and cheaply, work in progress goes on: responses, ACK, CANCEL, requests within a dialog
// and retransmissions of live transactions are never shed.
struct OverloadOptions {
  // A new request (no To tag, not ACK or CANCEL, matching no live transaction) that waited
  // longer than this in the UDP socket's receive queue (the kernel's stamp against the clock
  // when the core reaches it) is answered 503 statelessly: by then its client has retransmitted
  // it, or soon will, and the core is behind. 0: never (the default, for user agents; the
  // switch sets sip.overload.max_queue_delay_ms).
  std::chrono::milliseconds max_queue_delay{0};
  // A new request from a source the TU vouches for (TransactionUser::vouches_for: an agent that
  // authenticated lately) is shed only once it waited longer than this: a flood from other
  // sources makes every request late, and the agents' requests are what the core is for. At
  // or below max_queue_delay it changes nothing.
  std::chrono::milliseconds trusted_queue_delay{0};
  // Every 503 the core sends for overload (queue delay, full transaction table) carries
  // Retry-After, drawn in [retry_after, 2 * retry_after] so that clients refused together do
  // not come back together.
  std::chrono::seconds retry_after{2};
  // Far behind, answering every late request would itself take the core: at most this many a
  // second are answered 503, the rest dropped before they are parsed (transport/overload.hpp).
  double max_rejections_per_s = 100;
};

struct Options {
  transport::Options transport;
  txn::TableConfig txn;
  OverloadOptions overload;
  // Responses counted by method and status (MethodCounts, 70 KB): a switch core's /metrics. An
  // agent's stack, one of thousands in a load generator, goes without.
  bool count_by_method = true;
  // Slots of the timer wheel, a power of two: a switch core's timers spread over 1,024 (5 s);
  // an agent's few are checked faster on a small wheel.
  std::size_t timer_slots = 1024;
};

// Where a client transaction's requests go.
struct Destination {
  transport::Protocol protocol = transport::Protocol::Udp;
  transport::Endpoint endpoint;
  std::optional<transport::FlowId> flow;  // reuse this flow when it is still open
};

// Requests received by method and responses sent by the request's method and status, for
// /metrics. A flat table (a few dozen KB per core, made by enable()): counting is an index and an
// increment.
class MethodCounts {
 public:
  static constexpr std::size_t kMethods = static_cast<std::size_t>(sip::Method::Unknown) + 1;
  static constexpr int kLowestStatus = 100;
  static constexpr int kHighestStatus = 699;

  void enable() { responses_.assign(kMethods * kStatuses, 0); }

  void add_request(sip::Method m) { ++requests_[index(m)]; }
  // A status outside 100..699 is not counted (the parser and make_response never make one), nor
  // any before enable().
  void add_response(sip::Method m, int status) {
    if (status < kLowestStatus || status > kHighestStatus || responses_.empty()) return;
    ++responses_[index(m) * kStatuses + static_cast<std::size_t>(status - kLowestStatus)];
  }
  std::uint64_t requests(sip::Method m) const { return requests_[index(m)]; }
  std::uint64_t responses(sip::Method m, int status) const {
    if (status < kLowestStatus || status > kHighestStatus || responses_.empty()) return 0;
    return responses_[index(m) * kStatuses + static_cast<std::size_t>(status - kLowestStatus)];
  }

 private:
  static constexpr std::size_t kStatuses = kHighestStatus - kLowestStatus + 1;
  static constexpr std::size_t index(sip::Method m) {
    return std::min(static_cast<std::size_t>(m), kMethods - 1);
  }
  std::array<std::uint64_t, kMethods> requests_{};
  std::vector<std::uint64_t> responses_;  // kMethods * kStatuses once enabled
};

// What the stack dropped or answered on its own. Read on the strand.
struct Counters {
  std::uint64_t requests_received = 0;
  std::uint64_t responses_received = 0;
  std::uint64_t bad_requests_answered = 0;  // parser fault: stateless 4xx/5xx
  std::uint64_t bad_requests_dropped = 0;   // parser fault and no usable Via, or an ACK
  std::uint64_t bad_responses_dropped = 0;  // parser fault in a response
  std::uint64_t unmatchable_dropped = 0;    // the table could not key the message
  std::uint64_t overload_rejected = 0;      // table full: stateless 503
  std::uint64_t overload_shed = 0;          // waited past max_queue_delay: stateless 503
  std::uint64_t send_failures = 0;          // the transport refused a send
  // Requests and responses sent again on a timer (Timers A, E, G, and a 2xx to INVITE until its
  // ACK); not the answers to a retransmitted request.
  std::uint64_t retransmissions_sent = 0;
  // Requests that reached the transaction layer by method; responses the TU or the stack sent
  // (not retransmissions) by method and status.
  MethodCounts by_method;
};

class Stack final : private transport::MessageSink {
 public:
  Stack(boost::asio::any_io_executor strand, Options options, TransactionUser& tu);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  Result<transport::ListenerInfo> listen(transport::Protocol protocol,
                                         const transport::Endpoint& where);
  const std::vector<transport::ListenerInfo>& listeners() const;

  // The TU answers server transaction `server` (provisional or final). A 2xx to an INVITE waits
  // for its ACK (§13.3.1.4): over an unreliable transport it is retransmitted here (T1 doubling
  // up to T2) until the ACK arrives (on_ack still follows); on any transport, no ACK within
  // 64*T1 is reported as on_server_failure(server, Timeout), upon which a UAS ends the dialog
  // with BYE.
  Result<void> respond(const txn::Key& server, sip::Message response);
  // Sends a final response and drops the server transaction at once (RFC 3261 §16.11
  // stateless answer): a retransmission of the request is answered afresh. For answers that
  // are cheap to recompute and need no memory, such as a digest challenge.
  Result<void> respond_statelessly(const txn::Key& server, sip::Message response);
  // The TU sheds a new request for overload: a stateless 503 with Retry-After (as the stack's
  // own, OverloadOptions::retry_after), and the transaction is dropped.
  Result<void> reject_overloaded(const txn::Key& server, const sip::Message& request,
                                 std::string_view reason);
  // The TU sheds a new request without an answer (a UDP flood: an answer would only feed it, or
  // reach a forged source); the transaction is dropped, a retransmission is a new request.
  Result<void> discard(const txn::Key& server);
  // The TU sends a request (not an ACK) in a new client transaction. The request carries its
  // final top Via with a z9hG4bK branch.
  Result<txn::Key> send_request(sip::Message request, const Destination& to);
  // Sends a request outside any transaction: the ACK for a 2xx (§13.2.2.4), which the TU sends
  // again for each retransmission of the 2xx (on_stray_response). Returns the flow it used.
  Result<transport::FlowId> send_stateless(const sip::Message& request, const Destination& to);
  // Where client transaction `client` sends its requests, with the flow it has used so far: a
  // CANCEL goes the same way as its INVITE (§9.1). nullopt once the transaction is gone.
  std::optional<Destination> destination_of(const txn::Key& client) const;

  // A fresh Call-ID ("<random>@<host>") for a request the TU starts: one that this stack's core
  // owns when several cores share the listeners (transport/cores.hpp), so that the responses
  // and the dialog come back here.
  std::string new_call_id(std::string_view host) const { return transport_->new_call_id(host); }

  // Stops listening, closes connections and cancels timers; no callback follows.
  void close();

  const Counters& counters() const { return counters_; }
  const transport::Counters& transport_counters() const { return transport_->counters(); }
  const txn::TableStats& txn_stats() const { return table_.stats(); }
  std::size_t live_transactions() const { return table_.size(); }
  transport::TransportLayer& transport() { return *transport_; }

 private:
  static constexpr std::size_t kTimerCount = static_cast<std::size_t>(txn::TimerId::Trying) + 1;
  // What the stack keeps per live transaction, next to the table's state machine.
  struct Context {
    transport::Origin origin;                // server: where the request came from
    std::optional<Destination> destination;  // client: where its requests go
    const txn::Key* key = nullptr;           // the map's own key (node-stable)
    // By txn::timer_place: a transaction's armed timers never share one.
    std::array<WheelPos, txn::kTimerPlaces> wheel{};          // armed timers' places on the wheel
    std::array<std::uint32_t, txn::kTimerPlaces> timer_gen{};  // bumped on each arm and cancel
    static std::size_t place(std::size_t timer) {
      return txn::timer_place(static_cast<txn::TimerId>(timer));
    }
    WheelPos& wheel_pos(std::size_t timer) { return wheel[place(timer)]; }
    std::uint32_t& gen(std::size_t timer) { return timer_gen[place(timer)]; }
  };
  // A 2xx to an INVITE over an unreliable transport, re-sent until its ACK (§13.3.1.4).
  struct PendingAck {
    txn::Key server;
    sip::Message response;
    txn::Duration interval;
    txn::Duration elapsed{0};
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  // A TU callback, delivered after all other actions of an outcome are carried out so that
  // the TU may re-enter the stack.
  struct Delivery {
    std::optional<txn::Key> key;
    std::optional<sip::Message> message;
    std::optional<txn::Failure> failure;
    transport::Origin origin;
  };

  // transport::MessageSink
  void on_message(sip::Message message, const transport::Origin& origin) override;
  void on_flow_closed(transport::FlowId flow) override;
  void on_flow_gone(transport::FlowId flow);

  void on_request(sip::Message request, const transport::Origin& origin);
  void on_response(sip::Message response, const transport::Origin& origin);
  void answer_statelessly(const sip::Message& request, int status, std::string_view reason,
                          const transport::Origin& origin);
  // A 503 with Retry-After for a request refused for overload; false when it could not be sent.
  bool answer_overloaded(const sip::Message& request, std::string_view reason,
                         const transport::Origin& origin);
  // Whether a new request that waited in the socket's queue past the bound is to be shed.
  bool late_new_work(const sip::Message& request, const transport::Origin& origin);
  // Logs at most every 10 s how many requests were refused for overload meanwhile.
  void note_overload(std::string_view why);
  void process(txn::Outcome outcome, const transport::Origin& arrival);
  void carry_out(const txn::Key* key, txn::Action& action, const transport::Origin& arrival,
                 std::vector<Delivery>& deliveries, std::vector<txn::Key>& failed_sends);
  void deliver(Delivery& d);
  void forget(const txn::Key& key);
  bool send(const txn::Key& key, Context& ctx, const sip::Message& message);
  void start_timer(const txn::Key& key, Context& ctx, txn::TimerId id, txn::Duration after);
  void cancel_timer(Context& ctx, txn::TimerId id);
  void on_tick();
  void keep_ticking();
  std::uint64_t tick_of(std::chrono::steady_clock::time_point t, bool round_up) const;
  Context& add_context(const txn::Key& key, Context ctx);
  void arm_2xx_retransmission(const txn::Key& server, const sip::Message& response,
                              bool retransmit);
  void on_2xx_timer(const std::string& ack_key);
  // Call-ID, CSeq number and To tag: what ties an ACK to the 2xx it acknowledges.
  static std::string ack_key_of(const sip::Message& m);

  boost::asio::any_io_executor strand_;
  TransactionUser* tu_;
  txn::TransactionTable table_;
  std::unordered_map<txn::Key, Context, txn::KeyHash> contexts_;
  // Client transactions per TCP flow, told of a transport error when their flow closes.
  std::unordered_map<std::uint64_t, std::vector<txn::Key>> clients_by_flow_;
  std::unordered_map<std::string, PendingAck> pending_acks_;
  Counters counters_;
  OverloadOptions overload_;
  // The overload warning is logged at most every 10 s, with the count refused meanwhile.
  std::chrono::steady_clock::time_point overload_logged_{};
  std::uint64_t overload_unlogged_ = 0;
  std::chrono::system_clock::duration worst_delay_{};  // the longest wait shed since the log
  std::minstd_rand rng_{std::random_device{}()};        // Retry-After's spread
  // Transaction timers: one wheel of kTick ticks, one asio timer running while any is armed,
  // set for the earliest due tick (wake_tick_).
  static constexpr std::chrono::milliseconds kTick{5};
  TimerWheel<Context> wheel_;
  boost::asio::steady_timer ticker_;
  bool ticking_ = false;
  std::uint64_t wake_tick_ = 0;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards timer callbacks
  std::unique_ptr<transport::TransportLayer> transport_;   // last: it calls back into us
};

}  // namespace ims::stack
