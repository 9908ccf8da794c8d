#pragma once
// PagerProxy: the stateful proxy for pager-mode MESSAGE (RFC 3428, RFC 3261 §16). Given a request
// the application has already authenticated and checked (a local sender, a local target), it
// forks the MESSAGE to every registered contact of the target in parallel, relays the first
// 2xx, and when no contact takes it keeps it in the store and answers 202 Accepted once the
// store has committed it. It also sends a copy to the sender's other devices, and delivers
// stored messages, in order, when their recipient registers again.
//
// Contacts are reached over the flow they registered from (RFC 3581 / RFC 5626 §5.2 style: the
// transport, source address and TCP connection of the REGISTER), not by resolving the Contact.
//
// Owner: the application. Strand: the stack's; the store's completions are posted there too.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/sip/message.hpp"
#include "common/stack/stack.hpp"
#include "common/transport/types.hpp"
#include "common/txn/key.hpp"
#include "switch/proxy/fork.hpp"
#include "switch/store/records.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::proxy {

struct PagerSettings {
  // RFC 3428 §4 / RFC 3261 §18.1.1: a request larger than this is not sent over UDP.
  std::size_t udp_size_limit = 1300;
  // How long the fork waits for a contact's final response before it gives up on it and the
  // message is kept for later. Shorter than the sender's own Timer F (64*T1), so the sender
  // hears 202 before it times out.
  std::chrono::milliseconds branch_timeout{8000};
  // Stored messages live this long (RFC 3428 leaves the policy to the server).
  std::chrono::seconds message_expiry{7 * 24 * 3600};
  // Stored messages fetched per delivery round.
  std::size_t delivery_batch = 50;
  // Messages kept for one agent; past it the sender gets 480 instead of 202 (0: no bound).
  std::size_t queue_limit = 1000;
};

struct PagerCounters {
  std::uint64_t relayed = 0;          // a contact answered 2xx
  std::uint64_t stored = 0;           // kept and answered 202
  std::uint64_t delivered = 0;        // stored messages a contact took later
  std::uint64_t failed = 0;           // answered with a failure
  std::uint64_t copies = 0;           // copies sent to a sender's other devices
  std::uint64_t store_errors = 0;
};

class PagerProxy {
 public:
  // The registered contacts of a login, best first.
  using Locator = std::function<std::vector<store::Binding>(std::string_view login)>;
  // The sent-by ("host:port") of this switch's Via for a request leaving over `protocol` to
  // `to`.
  using SentBy = std::function<std::string(transport::Protocol protocol,
                                           const transport::Endpoint& to)>;

  PagerProxy(boost::asio::any_io_executor strand, stack::Stack& stack, store::Store& store,
             Locator locator, SentBy sent_by, PagerSettings settings);
  ~PagerProxy();
  PagerProxy(const PagerProxy&) = delete;
  PagerProxy& operator=(const PagerProxy&) = delete;

  // Relays `request` (server transaction `server`, from `origin`) from `sender` to `target`.
  void relay(const txn::Key& server, sip::Message request, const transport::Origin& origin,
             std::string sender, std::string target);

  // Keeps `request` for queue `queue` (stored with the queue's number as its recipient) because
  // no member of the queue is free. Once it is on disk, `admit(id)` puts it in the queue's line:
  // true, and the sender gets 202; false (the line is full), and the message is deleted and the
  // sender gets 486.
  void keep_for_queue(const txn::Key& server, sip::Message request,
                      const transport::Origin& origin, std::string sender, std::string queue,
                      std::function<bool(std::int64_t id)> admit);
  // The same for a message whose sender was answered already (a stock client's line that an IM
  // session could not place, PRODUCT §4b), kept for `recipient` (a queue's number or a login):
  // once stored, `stored(id)` puts it in a queue's line or starts a delivery (false: the line
  // is full, it stays stored for the next start). Nobody to answer, no copies.
  void keep_taken(sip::Message request, std::string sender, std::string recipient,
                  std::function<bool(std::int64_t id)> stored);

  // Sends the messages stored for `login` to its contacts, in order, each deleted after a 2xx.
  // A round already running for the login is not started twice: another follows it.
  void deliver_stored(const std::string& login);

  // Client transaction events from the stack; false when the key is not one of ours.
  // A final response of ours is moved from.
  bool on_response(const txn::Key& client, sip::Message&& response);
  bool on_client_failure(const txn::Key& client, txn::Failure failure);

  void set_settings(const PagerSettings& settings) { settings_ = settings; }
  const PagerCounters& counters() const { return counters_; }
  std::size_t forks_in_progress() const { return forks_.size(); }

 private:
  // A message kept in the store because no branch answered in time, while a branch's client
  // transaction still runs: a 2xx arriving on it afterwards means the device took the message
  // after all, so the stored copy is withdrawn instead of being delivered a second time.
  struct Withdrawal {
    std::string recipient;
    std::optional<std::int64_t> id;  // the stored copy, once its write has committed
    bool taken = false;              // a late 2xx arrived
  };

  // One forked request and what to do when it is decided.
  struct Fork {
    using Done = std::function<void(Fork&, const ForkDecision&)>;
    std::uint64_t id = 0;
    sip::Message request;                                  // as sent, before per-branch changes
    std::vector<txn::Key> branches;
    std::vector<std::optional<sip::Message>> responses;    // final responses by branch
    std::optional<txn::Key> upstream;  // the sender's server transaction, for a relayed MESSAGE
    ForkContext context;
    Done done;
    // Set when a decision without a 2xx keeps the message stored: branches still running then
    // are watched for a late 2xx (late_).
    std::shared_ptr<Withdrawal> withdrawal;
    std::unique_ptr<boost::asio::steady_timer> timer;
    explicit Fork(std::size_t n) : responses(n), context(n) {}
  };

  // Sends `request` to each binding; returns nullopt when no branch could be started (after
  // calling nothing). upstream is the sender's server transaction when there is one to relay
  // provisional responses to. too_large counts bindings skipped by the UDP size rule. A started
  // fork keeps the request (moved from `request`); on nullopt `request` is as it was.
  std::optional<std::uint64_t> start_fork(sip::Message& request,
                                          const std::vector<store::Binding>& bindings,
                                          Fork::Done done, std::optional<txn::Key> upstream,
                                          std::size_t* too_large = nullptr);
  // A response given is moved from.
  void on_branch_final(std::uint64_t fork, std::size_t branch, int status,
                       sip::Message* response);
  // §16.7 step 5: a provisional response other than 100 goes to the sender at once.
  void relay_provisional(std::uint64_t fork, sip::Message&& response);
  void on_fork_timeout(std::uint64_t fork);
  void finish(std::uint64_t fork, const ForkDecision& decision);
  // Makes a started fork's message withdrawable (see Withdrawal) should it end up stored.
  void watch_late(std::uint64_t fork, Withdrawal w);
  // A late final response on a branch its fork had given up on.
  void on_late_final(const txn::Key& client, int status);
  // Deletes w's stored copy once both the copy is committed and a device took the message.
  void withdraw_if_taken(Withdrawal& w);

  void answer(const txn::Key& server, const sip::Message& request, int status,
              std::string_view reason = {});
  // server: the sender's transaction to answer (202 or the failure); none for a message its
  // sender was answered for already.
  void keep_for_later(std::optional<txn::Key> server, sip::Message request,
                      const transport::Origin& origin, const std::string& sender,
                      const std::string& target,
                      std::function<bool(std::int64_t id)> admit = nullptr,
                      std::shared_ptr<Withdrawal> withdrawal = nullptr);
  void send_copies(const sip::Message& request, const transport::Origin& origin,
                   const std::string& sender);
  // Ends login's round; starts the next one when it was asked for meanwhile.
  void round_done(const std::string& login);
  // progress: a message of this batch was delivered (or skipped as expired).
  void deliver_next(const std::string& login, std::vector<store::StoredMessage> batch,
                    std::size_t index, bool progress);

  sip::Message branch_request(const sip::Message& request, const store::Binding& binding,
                              transport::Protocol protocol, const transport::Endpoint& to) const;

  boost::asio::any_io_executor strand_;
  stack::Stack* stack_;
  store::Store* store_;
  Locator locator_;
  SentBy sent_by_;
  PagerSettings settings_;
  PagerCounters counters_;
  std::uint64_t next_fork_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Fork>> forks_;
  struct BranchRef {
    std::uint64_t fork;
    std::size_t branch;
  };
  std::unordered_map<txn::Key, BranchRef, txn::KeyHash> branches_;
  // Branches of finished forks whose transaction still runs (until its final response or its
  // Timer F), for messages that stay stored.
  std::unordered_map<txn::Key, std::shared_ptr<Withdrawal>, txn::KeyHash> late_;
  std::unordered_set<std::string> delivering_;  // logins with a delivery round running
  std::unordered_set<std::string> again_;       // ... and asked for another meanwhile
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards timer and store callbacks
};

}  // namespace ims::sw::proxy
