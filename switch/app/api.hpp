#pragma once
// Api: the switch's HTTP/JSON API (PRODUCT §6) on a thread of its own, so that an HTTP client,
// slow or fast, never holds up a SIP core, and a busy SIP core never holds up /health. Owns the
// router (the endpoints, api.cpp and api_*.cpp) and the server (switch/http).
//
// Owner: Application, which creates it while starting (binding errors stop the start), runs
// it with run() and ends it with stop() before the store closes. Handlers run on the API's
// thread and read the switch's live state through SharedState's thread-safe parts.
//
// Endpoints: api.cpp (health, with a check of the store), api_directory.cpp (the Team Communicator), api_transcripts.cpp
// (transcript search), api_agents.cpp (an agent and its state, the queues), api_sessions.cpp
// (IM sessions and their transcripts), api_contacts.cpp (contacts and their history),
// api_metrics.cpp (/metrics). Everything under /api/ needs a caller (api_auth.hpp); /health and
// /metrics do not. api_json.hpp has what the endpoints share.

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/util/result.hpp"
#include "switch/app/api_auth.hpp"
#include "switch/app/heap_trim.hpp"
#include "switch/app/metrics.hpp"
#include "switch/config/config.hpp"
#include "switch/directory/search.hpp"
#include "switch/store/sqlite_store.hpp"
#include "switch/store/store.hpp"
#include "switch/http/router.hpp"
#include "switch/http/server.hpp"

namespace ims::sw::app {

struct SharedState;

// How long GET /health waits for the store's check before it answers 503.
inline constexpr std::chrono::seconds kStoreCheckBound{2};

class Api {
 public:
  // Binds config.listen (which must be set). `shared` and `store` outlive the Api; the store's
  // answers come on whichever thread it posts them to, and are replied from there.
  // With `tls`, the API speaks HTTPS only (http.tls).
  static Result<std::unique_ptr<Api>> create(
      const config::Http& config, SharedState& shared, store::Store& store,
      std::shared_ptr<const directory::Directory> dir,
      std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  const transport::Endpoint& endpoint() const { return endpoint_; }
  // Starts the API's thread.
  void run();
  // Closes the server and its connections, and joins the thread. Idempotent; any thread.
  void stop();
  // A reloaded directory: its search index is built on the API's thread, then used.
  void set_directory(std::shared_ptr<const directory::Directory> dir);
  // How /metrics reads the SIP cores' counters: each on its own thread, then `done` with all
  // of them (on whichever thread read the last). Set before run().
  using CoreSampler = std::function<void(std::function<void(std::vector<CoreMetrics>)> done)>;
  void set_core_sampler(CoreSampler sampler) { sample_cores_ = std::move(sampler); }
  // Where /metrics reads the store's counters (thread-safe). Set before run().
  void set_store_stats(const store::SqliteStore& store) { store_stats_ = &store; }
  // Its counters go into /metrics; it outlives the API.
  void set_heap_trimmer(const HeapTrimmer& heap) { heap_ = &heap; }

 private:
  Api(SharedState& shared, store::Store& store) : shared_(&shared), store_(&store) {}
  void add_routes();
  // `handler` behind authentication: it runs with the caller, or the request is answered 401.
  using CallerHandler = std::function<void(const Caller&, http::Request&&, http::Reply)>;
  http::Handler authed(CallerHandler handler);
  void directory_search(const Caller& caller, http::Request&& request, http::Reply reply) const;
  void transcript_search(const Caller& caller, http::Request&& request, http::Reply reply) const;
  void agent_details(const Caller& caller, http::Request&& request, http::Reply reply) const;
  void agent_set_state(const Caller& caller, http::Request&& request, http::Reply reply);
  void session_list(const Caller& caller, http::Request&& request, http::Reply reply);
  void session_details(const Caller& caller, http::Request&& request, http::Reply reply);
  void contact_upsert(const Caller& caller, http::Request&& request, http::Reply reply);
  void contact_history_add(const Caller& caller, http::Request&& request, http::Reply reply);
  void contact_search(const Caller& caller, http::Request&& request, http::Reply reply);
  void contact_details(const Caller& caller, http::Request&& request, http::Reply reply);
  void contact_history_list(const Caller& caller, http::Request&& request, http::Reply reply);
  // The page of history q asks for, answered (api_contacts.cpp).
  void contact_history_page(store::ContactHistoryQuery q, http::Reply reply);
  void queue_list(const Caller& caller, http::Request&& request, http::Reply reply) const;
  void queue_details(const Caller& caller, http::Request&& request, http::Reply reply) const;
  void metrics(http::Reply reply) const;
  void health(http::Reply reply);
  // A store completion moved to the API's thread, so that the answer is built there and not on
  // the SIP core the store completes on; dropped when the Api is gone (alive_).
  template <class T>
  std::function<void(Result<T>)> on_api(std::function<void(Result<T>)> fn) {
    return [this, alive = std::weak_ptr<int>(alive_), fn = std::move(fn)](Result<T> r) {
      if (alive.expired()) return;
      boost::asio::post(io_, [fn, r = std::move(r)]() mutable { fn(std::move(r)); });
    };
  }

  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  transport::Endpoint endpoint_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::thread thread_;
  SharedState* shared_;
  store::Store* store_;
  std::string admin_token_;
  CoreSampler sample_cores_;
  const store::SqliteStore* store_stats_ = nullptr;
  const HeapTrimmer* heap_ = nullptr;
  std::shared_ptr<const directory::SearchIndex> index_;  // the API thread's
  // Expires with the Api: a store completion that comes after it checks this first. Store
  // completions run on core 0's thread, which is also the one that destroys the Api.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace ims::sw::app
