#include "switch/app/api.hpp"

#include <malloc.h>
#include <pthread.h>

#include <future>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "switch/app/switch_tu.hpp"
#include <spdlog/spdlog.h>

namespace ims::sw::app {

namespace asio = boost::asio;

Result<std::unique_ptr<Api>> Api::create(const config::Http& config, SharedState& shared,
                                         store::Store& store,
                                         std::shared_ptr<const directory::Directory> dir,
                                         std::shared_ptr<asio::ssl::context> tls) {
  std::unique_ptr<Api> api(new Api(shared, store));
  api->admin_token_ = config.admin_token;
  api->index_ = std::make_shared<const directory::SearchIndex>(
      directory::SearchIndex::build(std::move(dir)));
  api->add_routes();
  http::ServerOptions o;
  o.max_body_bytes = config.max_body_bytes;
  o.request_timeout = config.request_timeout;
  o.max_connections = config.max_connections;
  o.tls = std::move(tls);
  api->server_ = std::make_unique<http::Server>(api->io_.get_executor(), o, api->router_);
  auto bound = api->server_->listen(*config.listen);
  if (!bound) return bound.error();
  api->endpoint_ = *bound;
  spdlog::info("HTTP API on {}://{}/", o.tls ? "https" : "http", transport::to_string(*bound));
  return api;
}

Api::~Api() { stop(); }

void Api::run() {
  thread_ = std::thread([this] {
    // Named for top -H, perf and the benchmarks, which read its CPU time from /proc.
    pthread_setname_np(pthread_self(), "imswitch-api");
    for (;;) {
      try {
        io_.run();
        break;
      } catch (const std::exception& e) {
        spdlog::error("http: a handler threw, continuing: {}", e.what());
      }
    }
  });
}

void Api::stop() {
  if (thread_.joinable()) {
    std::promise<void> closed;
    asio::post(io_, [this, &closed] {
      server_->close();
      closed.set_value();
    });
    closed.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  } else if (server_) {
    server_->close();  // never ran: nothing else is on its executor
  }
  server_.reset();
}

void Api::set_directory(std::shared_ptr<const directory::Directory> dir) {
  asio::post(io_, [this, dir = std::move(dir)]() mutable {
    index_ = std::make_shared<const directory::SearchIndex>(
        directory::SearchIndex::build(std::move(dir)));
    malloc_trim(0);  // what building left free, as at start (application.cpp)
  });
}

void Api::health(http::Reply reply) {
  // Liveness of the API itself, and of the store's writer: a check queued behind the writes
  // (Store::check), whose answer comes on core 0 and is brought back to this thread.
  struct Probe {
    asio::steady_timer bound;
    http::Reply reply;
    std::chrono::steady_clock::time_point asked = std::chrono::steady_clock::now();
    bool answered = false;
  };
  auto probe = std::make_shared<Probe>(Probe{asio::steady_timer(io_, kStoreCheckBound),
                                             std::move(reply)});
  auto answer = [this, probe](std::optional<std::string> failure) {
    if (probe->answered) return;
    probe->answered = true;
    probe->bound.cancel();
    const auto now = std::chrono::steady_clock::now();
    nlohmann::json store{{"status", failure ? "failing" : "ok"}};
    if (failure) {
      store["error"] = *failure;
    } else {
      store["check_ms"] =
          std::chrono::duration<double, std::milli>(now - probe->asked).count();
    }
    if (store_stats_) store["queued_writes"] = store_stats_->queue_depth();
    const nlohmann::json j{
        {"status", failure ? "failing" : "ok"},
        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(now - started_).count()},
        {"store", std::move(store)}};
    if (failure) spdlog::warn("GET /health answered 503: store: {}", *failure);
    probe->reply(http::json_response(failure ? 503 : 200, j));
  };
  probe->bound.async_wait([answer](const boost::system::error_code& ec) {
    if (!ec)
      answer(fmt::format("no answer within {} s", std::chrono::duration_cast<std::chrono::seconds>(
                                                      kStoreCheckBound)
                                                      .count()));
  });
  store_->check(on_api<void>([answer](Result<void> r) {
    answer(r ? std::nullopt : std::optional<std::string>(r.error().message));
  }));
}

http::Handler Api::authed(CallerHandler handler) {
  return [this, handler = std::move(handler)](http::Request&& request, http::Reply reply) {
    const ApiAuthSettings settings{admin_token_, index_->directory().get(),
                                   shared_->verifier.get(), unix_now_ms()};
    auto who = authenticate(request, settings);
    if (auto* refused = std::get_if<http::Response>(&who)) return reply(std::move(*refused));
    handler(std::get<Caller>(who), std::move(request), std::move(reply));
  };
}

void Api::add_routes() {
  // Liveness: answered by the API's own thread, whatever the SIP cores are doing.
  router_.add(http::Method::Get, "/health",
              [this](http::Request&&, http::Reply reply) { health(std::move(reply)); });
  // Prometheus scrapes it without credentials, like /health: counts, no personal data.
  router_.add(http::Method::Get, "/metrics",
              [this](http::Request&&, http::Reply reply) { metrics(std::move(reply)); });
  router_.add(http::Method::Get, "/api/v1/directory",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                directory_search(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/agents/{login}",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                agent_details(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Put, "/api/v1/agents/{login}/state",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                agent_set_state(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/sessions",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                session_list(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/sessions/{id}",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                session_details(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Post, "/api/v1/contacts",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                contact_upsert(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/contacts",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                contact_search(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/contacts/{id}",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                contact_details(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Post, "/api/v1/contacts/{id}/history",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                contact_history_add(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/contacts/{id}/history",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                contact_history_list(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/queues",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                queue_list(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/queues/{number}",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                queue_details(c, std::move(r), std::move(reply));
              }));
  router_.add(http::Method::Get, "/api/v1/transcripts",
              authed([this](const Caller& c, http::Request&& r, http::Reply reply) {
                transcript_search(c, std::move(r), std::move(reply));
              }));
}

}  // namespace ims::sw::app
