#include "switch/app/application.hpp"

#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <ctime>
#include <future>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "switch/config/reload.hpp"
#include "switch/app/secure.hpp"
#include "switch/store/core_store.hpp"
#include "switch/store/sqlite_store.hpp"

namespace ims::sw::app {

namespace asio = boost::asio;

stack::Options stack_options(const config::Config& config) {
  stack::Options o;
  o.transport.limits = config.sip.limits;
  o.transport.tcp_idle_timeout = config.sip.tcp.idle_timeout;
  o.transport.tcp_connect_timeout = config.sip.tcp.handshake_timeout;
  o.transport.max_connections = config.sip.tcp.max_connections;
  o.transport.max_connections_per_address = config.sip.tcp.max_connections_per_address;
  o.transport.max_write_queue_bytes = config.sip.tcp.max_write_queue_bytes;
  o.txn.timers.t1 = config.sip.timers.t1;
  o.txn.timers.t2 = config.sip.timers.t2;
  o.txn.timers.t4 = config.sip.timers.t4;
  o.txn.timers.completed_linger = config.sip.timers.completed_linger;
  o.txn.max_transactions = config.sip.max_transactions;
  o.overload.max_queue_delay = config.sip.overload.max_queue_delay;
  o.overload.trusted_queue_delay = config.sip.overload.trusted_queue_delay;
  o.overload.retry_after = config.sip.overload.retry_after;
  o.overload.max_rejections_per_s = static_cast<double>(config.sip.overload.max_rejections_per_s);
  return o;
}

std::string ports_file_text(const std::vector<transport::ListenerInfo>& listeners,
                            const std::optional<transport::Endpoint>& http) {
  std::string out;
  for (const auto& l : listeners) {
    out += fmt::format("{} {} {}\n", transport::protocol_name(l.protocol),
                       l.local.address.to_string(), l.local.port);
  }
  if (http) out += fmt::format("http {} {}\n", http->address.to_string(), http->port);
  return out;
}

Result<void> write_ports_file(const std::string& path,
                              const std::vector<transport::ListenerInfo>& listeners,
                              const std::optional<transport::Endpoint>& http) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << ports_file_text(listeners, http);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Error{std::make_error_code(std::errc::io_error), "cannot write " + tmp};
    }
  }
  // rename() replaces the target in one step (POSIX), so readers see all of it or nothing.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::error_code ec(errno, std::generic_category());
    std::remove(tmp.c_str());
    return Error{ec, fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message())};
  }
  return {};
}

namespace {

// Several cores bind each listener with SO_REUSEPORT, which would just as well let them share
// the port with another process doing the same (a second imswitch started by mistake, which
// would then get part of the traffic). A plain socket bound first tells a taken port.
Result<void> check_port_free(transport::Protocol protocol, const transport::Endpoint& where) {
  if (where.port == 0) return {};
  asio::io_context io;
  boost::system::error_code ec;
  const bool v6 = where.address.is_v6();
  auto taken = [&](const boost::system::error_code& e) {
    return Error{e, fmt::format("cannot bind {} {}: {}", transport::protocol_name(protocol),
                                transport::to_string(where), e.message())};
  };
  if (protocol == transport::Protocol::Udp) {
    asio::ip::udp::socket probe(io);
    probe.open(v6 ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec && v6) probe.set_option(asio::ip::v6_only(true), ec);
    if (!ec) probe.bind({where.address, where.port}, ec);
    if (ec) return taken(ec);
  } else {
    asio::ip::tcp::socket probe(io);
    probe.open(v6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec);
    if (!ec && v6) probe.set_option(asio::ip::v6_only(true), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);  // as the listener
    if (!ec) probe.bind({where.address, where.port}, ec);
    if (ec) return taken(ec);
  }
  return {};
}

// im.default_state and the publication bounds (PRODUCT §2, RFC 3903 §6 step 5); a PUBLISH
// without Expires gets the presence package's hour (RFC 3856 §6.4), or the maximum if shorter.
agents::PublishSettings publish_settings(const config::Im& im) {
  agents::PublishSettings s;
  s.default_presence = im.default_state == config::DefaultState::Ready
                           ? agents::Presence::Ready
                           : agents::Presence::NotReady;
  s.min_expires_s = static_cast<std::uint32_t>(im.publish_min_expires.count());
  s.max_expires_s = static_cast<std::uint32_t>(im.publish_max_expires.count());
  s.default_expires_s = std::min<std::uint32_t>(3600, s.max_expires_s);
  return s;
}

// The bounds of presence subscriptions (RFC 6665 §4.2.1.1); a SUBSCRIBE without Expires gets
// the presence package's hour (RFC 3856 §6.4), or the maximum if shorter.
agents::SubscribeSettings subscribe_settings(const config::Im& im) {
  agents::SubscribeSettings s;
  s.min_expires_s = static_cast<std::uint32_t>(im.subscribe_min_expires.count());
  s.max_expires_s = static_cast<std::uint32_t>(im.subscribe_max_expires.count());
  s.default_expires_s = std::min<std::uint32_t>(3600, s.max_expires_s);
  s.max_per_watcher = im.max_subscriptions_per_agent;
  s.max_total = im.max_subscriptions;
  return s;
}

}  // namespace

TuSettings tu_settings(const config::Config& config) {
  TuSettings t;
  t.registrar.min_expires_s = static_cast<std::uint32_t>(config.registrar.min_expires.count());
  t.registrar.max_expires_s = static_cast<std::uint32_t>(config.registrar.max_expires.count());
  t.registrar.default_expires_s =
      static_cast<std::uint32_t>(config.registrar.default_expires.count());
  t.registrar.max_contacts_per_agent = config.registrar.max_contacts_per_agent;
  t.pager.udp_size_limit = config.proxy.udp_size_limit;
  t.pager.branch_timeout = config.proxy.fork_timeout;
  t.pager.message_expiry = config.store.message_expiry;
  t.pager.queue_limit = config.store.queue_limit;
  t.im.invite_timeout = config.im.invite_timeout;
  t.im.max_sessions = config.im.max_sessions;
  t.bridge = bridge_settings(config.im);
  t.im.udp_size_limit = config.proxy.udp_size_limit;
  t.md5_only_user_agents = config.auth.md5_only_user_agents;
  const auto& o = config.sip.overload;
  t.source_limit.per_second = static_cast<double>(o.unauthenticated_per_source_per_s);
  t.source_limit.burst = static_cast<double>(o.unauthenticated_burst);
  t.source_limit.max_sources = o.max_limited_sources;
  t.source_limit.trust = o.trusted_source;
  t.subscribe = subscribe_settings(config.im);
  // An ended session's dialogs are kept as long as a transaction may still bring news of it:
  // as long as completed transactions are kept (sip.timers.completed_linger_ms), 64*T1 unless
  // that is shortened.
  const auto completed = config.sip.timers.completed_linger;
  t.im.linger = completed.count() > 0 ? completed : 64 * config.sip.timers.t1;
  return t;
}

Application::Application(const config::Config& config, Key) : config_path_(config.path) {}

// Everything that holds a core's executor (stacks, TUs, the store's completions, the fabric,
// the signal sets) goes before the io_contexts themselves.
Application::~Application() {
  for (auto& core : cores_)
    if (core->thread.joinable()) core->thread.join();
  for (auto& core : cores_) {
    core->stack.reset();
    core->tu.reset();
    core->store.reset();
  }
  heap_.reset();  // its timer is on core 0's io_context, cleared below
  signals_.reset();
  hangup_.reset();
  keep_.clear();
  fabric_.reset();
  store_.reset();
  cores_.clear();
}

Result<std::unique_ptr<Application>> Application::create(const config::Config& config) {
  auto app = std::make_unique<Application>(config, Key{});
  const std::size_t n = std::clamp<std::size_t>(config.sip.threads, 1, transport::kMaxCores);

  auth::VerifierConfig vc;
  vc.nonce.lifetime_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.auth.nonce_lifetime).count();
  vc.nonce.max_tracked = config.auth.max_tracked_nonces;
  vc.offered = config.auth.algorithms;
  vc.check_digest_uri = config.auth.check_digest_uri;
  auto verifier = auth::Verifier::create(vc);
  if (!verifier) return Error{verifier.error().code, "digest: " + verifier.error().message};
  app->shared_ = std::make_unique<SharedState>(std::move(*verifier));
  app->shared_->cores = n;
  // The queues hand their decisions to the core that owns the session (posted there).
  app->shared_->queues = std::make_unique<QueueDesk>(
      n,
      [raw = app.get()](std::size_t k, std::function<void(SwitchTu&)> fn) {
        Core& core = *raw->cores_.at(k);
        asio::post(core.strand, [tu = core.tu.get(), fn = std::move(fn)] { fn(*tu); });
      },
      [] { return unix_now_ms(); });
  const routing::Presence default_presence = config.im.default_state == config::DefaultState::Ready
                                                 ? routing::Presence::Ready
                                                 : routing::Presence::NotReady;
  app->default_presence_ = default_presence;
  app->shared_->queues->set_directory(config.directory, default_presence);
  app->shared_->queues->set_max_misses(config.im.max_misses);
  // An agent's published state (PUBLISH, its expiry, the restore below) decides whether queue
  // work is offered to it, and its watchers hear of it (after the desk knows: they read it there).
  app->shared_->on_presence = [desk = app->shared_->queues.get(), shared = app->shared_.get()](
                                  const std::string& login, agents::Presence presence,
                                  const std::string& reason) {
    desk->set_presence(login, presence, reason);
    if (shared->on_watched) shared->on_watched(login);
  };
  // An agent the queues set Not Ready themselves (im.max_misses) is a change its watchers see.
  app->shared_->queues->on_not_ready([shared = app->shared_.get()](const std::string& login) {
    if (shared->on_watched) shared->on_watched(login);
  });
  // Every core may hold subscriptions to the agent: each hears of the change on its own strand.
  app->shared_->on_watched = [raw = app.get()](const std::string& login) {
    const auto held = raw->shared_->subscriptions.with(
        [](const agents::SubscriptionQuota& q) { return q.total(); });
    if (held == 0) return;
    for (auto& core : raw->cores_)
      asio::post(core->strand, [tu = core->tu.get(), login] { tu->on_watched_change(login); });
  };

  for (std::size_t k = 0; k < n; ++k) app->cores_.push_back(std::make_unique<Core>());
  Core& first = *app->cores_.front();
  app->signals_ = std::make_unique<asio::signal_set>(first.io, SIGINT, SIGTERM);
  app->hangup_ = std::make_unique<asio::signal_set>(first.io, SIGHUP);
  app->heap_ = std::make_unique<HeapTrimmer>(first.strand, kHeapTrimInterval, kHeapTrimThreshold);

  // The store posts its completions to core 0.
  store::SqliteStore::Options so;
  so.path = config.store.path;
  so.synchronous = config.store.synchronous == config::Synchronous::Normal
                       ? store::SqliteStore::Synchronous::Normal
                       : store::SqliteStore::Synchronous::Full;
  so.commit_window = config.store.commit_window;
  auto opened = store::SqliteStore::open(so, first.strand);
  if (!opened) return opened.error();
  app->store_ = std::move(*opened);

  stack::Options options = stack_options(config);
  if (auto secured = secure_transports(config, options.transport); !secured)
    return secured.error();
  if (n > 1) {
    options.transport.reuse_port = true;  // every core binds every listener
    app->fabric_ = std::make_unique<transport::Cores>(n);
  }
  for (std::size_t k = 0; k < n; ++k) {
    Core& core = *app->cores_[k];
    store::Store* store = app->store_.get();
    if (k > 0) {
      core.store = std::make_unique<store::CoreStore>(*app->store_, core.strand);
      store = core.store.get();
    }
    core.tu = std::make_unique<SwitchTu>(core.strand, *store, config.directory, *app->shared_,
                                         tu_settings(config), k);
    core.stack = std::make_unique<stack::Stack>(core.strand, options, *core.tu);
    core.tu->attach(*core.stack);
    if (app->fabric_) {
      core.stack->transport().join(*app->fabric_, k);
      app->fabric_->attach(k, core.strand, core.stack->transport());
    }
  }
  // With one core too: the HTTP API sets agents' states on core 0 (publish.cpp).
  app->shared_->on_core = [raw = app.get()](std::size_t k, std::function<void(SwitchTu&)> fn) {
    Core& core = *raw->cores_.at(k);
    asio::post(core.strand, [tu = core.tu.get(), fn = std::move(fn)] { fn(*tu); });
  };

  auto bindings = first.tu->load_bindings();
  if (!bindings) return bindings.error();
  auto publications = first.tu->load_publications(publish_settings(config.im));
  if (!publications) return publications.error();
  if (*publications > 0) spdlog::info("{} presence publications restored", *publications);
  const auto& dir = *config.directory;
  spdlog::info("directory: {} agents, {} queues, {} routing points; domain {}; {} registrations "
               "restored",
               dir.size(), dir.queues().size(), dir.routing_points().size(), dir.realm(),
               *bindings);

  for (const auto& l : config.sip.listen) {
    // Not running yet: nothing else is on the strands, so binding from here is safe.
    const auto free = n > 1 ? check_port_free(l.protocol, l.endpoint) : Result<void>{};
    auto bound = free ? first.stack->listen(l.protocol, l.endpoint)
                      : Result<transport::ListenerInfo>(free.error());
    if (bound) {
      // The other cores bind the same address and port (port 0 resolved by the first).
      for (std::size_t k = 1; k < n; ++k) {
        auto same = app->cores_[k]->stack->listen(l.protocol, bound->local);
        if (!same) return same.error();
      }
      spdlog::info("listening on {} {}", transport::protocol_name(bound->protocol),
                   transport::to_string(bound->local));
      continue;
    }
    const int err = bound.error().code.value();
    if (l.endpoint.address.is_v6() &&
        (err == EAFNOSUPPORT || err == EADDRNOTAVAIL || err == EPROTONOSUPPORT)) {
      spdlog::warn("IPv6 unavailable, not listening on {} {}: {}",
                   transport::protocol_name(l.protocol), transport::to_string(l.endpoint),
                   bound.error().message);
      continue;
    }
    return bound.error();
  }
  if (app->listeners().empty()) {
    return Error{std::make_error_code(std::errc::address_not_available), "no listener bound"};
  }
  if (n > 1) spdlog::info("{} SIP cores, work divided by Call-ID", n);
  if (config.http.listen) {
    std::shared_ptr<asio::ssl::context> api_tls;
    if (config.http.tls) {
      auto made = api_tls_context(config);
      if (!made) return made.error();
      api_tls = std::move(*made);
    }
    auto api = Api::create(config.http, *app->shared_, *app->store_, config.directory,
                           std::move(api_tls));
    if (!api) return api.error();
    app->api_ = std::move(*api);
    app->api_->set_core_sampler(
        [raw = app.get()](std::function<void(std::vector<CoreMetrics>)> done) {
          auto m = std::make_shared<std::vector<CoreMetrics>>(raw->cores_.size());
          raw->sample_core(0, std::move(m), std::move(done));
        });
    app->api_->set_store_stats(*app->store_);
    app->api_->set_heap_trimmer(*app->heap_);
  }
  // Reading a large directory and sorting its search index's suffixes leave hundreds of MB
  // free inside the heap, under the few blocks kept: hand those pages back to the system
  // (100,000 agents: some 30 MB less resident).
  malloc_trim(0);
  return app;
}

void Application::wait_for_signal() {
  signals_->async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signo);
    asio::post(cores_.front()->strand, [this] { shutdown(); });
  });
}

void Application::wait_for_hangup() {
  hangup_->async_wait([this](const boost::system::error_code& ec, int) {
    if (ec || stopped_) return;
    reload();
    wait_for_hangup();
  });
}

// SIGHUP: the directory is read again from the configuration file; a file with errors is
// reported and the directory in force stays. Listeners and limits need a restart.
void Application::reload() {
  spdlog::info("SIGHUP: reloading the directory from {}", config_path_);
  auto loaded = config::load_directory(config_path_);
  if (!loaded) {
    spdlog::error("reload failed, the previous directory stays in force:\n{}",
                  loaded.error().message);
    return;
  }
  auto directory = *loaded;
  shared_->queues->set_directory(directory, default_presence_);
  if (api_) api_->set_directory(directory);
  for (auto& core : cores_) {
    asio::post(core->strand, [tu = core->tu.get(), directory] { tu->set_directory(directory); });
  }
  spdlog::info("directory reloaded: {} agents, {} queues, {} routing points", directory->size(),
               directory->queues().size(), directory->routing_points().size());
}

void Application::run_loop(asio::io_context& io) {
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      spdlog::error("a handler threw, continuing: {}", e.what());
    }
  }
}

void Application::sample_core(std::size_t k, std::shared_ptr<std::vector<CoreMetrics>> m,
                              std::function<void(std::vector<CoreMetrics>)> done) {
  Core& core = *cores_[k];
  asio::post(core.strand, [this, k, m = std::move(m), done = std::move(done)]() mutable {
    CoreMetrics& c = (*m)[k];
    const Core& here = *cores_[k];
    c.transport = here.stack->transport_counters();
    c.stack = here.stack->counters();
    c.transactions = here.stack->live_transactions();
    c.tu = here.tu->counters();
    c.auth = here.tu->authenticator().counters();
    c.source_limit = here.tu->source_limiter().counters();
    c.txn_retransmissions = here.stack->txn_stats().retransmissions;
    c.limited_sources = here.tu->source_limiter().tracked();
    if (const auto* im = here.tu->im()) c.im = im->counters();
    if (const auto* n = here.tu->notifier()) {
      c.presence = n->counters();
      c.presence_subscriptions = n->active();
    }
    // On the core's own thread: its CPU clock is the core's.
    timespec cpu{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
      c.cpu_seconds = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
    if (k + 1 < cores_.size()) return sample_core(k + 1, std::move(m), std::move(done));
    done(std::move(*m));
  });
}

std::optional<transport::Endpoint> Application::http_endpoint() const {
  if (!api_) return std::nullopt;
  return api_->endpoint();
}

void Application::run() {
  if (api_) api_->run();
  wait_for_signal();
  wait_for_hangup();
  heap_->start();
  for (auto& core : cores_) asio::post(core->strand, [tu = core->tu.get()] { tu->start(); });
  for (std::size_t k = 1; k < cores_.size(); ++k) {
    Core& core = *cores_[k];
    keep_.push_back(asio::make_work_guard(core.io));
    core.thread = std::thread([&core, k] {
      const std::string name = fmt::format("imswitch-sip{}", k);  // core 0 is the main thread
      pthread_setname_np(pthread_self(), name.c_str());
      run_loop(core.io);
    });
  }
  run_loop(cores_.front()->io);
  for (auto& core : cores_)
    if (core->thread.joinable()) core->thread.join();
  spdlog::info("imswitch stopped");
}

void Application::stop() {
  asio::post(cores_.front()->strand, [this] { shutdown(); });
}

void Application::close_core(Core& core) {
  core.stack->close();
  core.tu->stop();
}

// On core 0. The other cores close first, each on its own thread (core 0 waits: nothing they
// do while closing needs it), then core 0; then the store finishes what it accepted.
void Application::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  heap_->stop();
  for (std::size_t k = 1; k < cores_.size(); ++k) {
    Core& core = *cores_[k];
    std::promise<void> closed;
    asio::post(core.strand, [this, &core, &closed] {
      close_core(core);
      closed.set_value();
    });
    closed.get_future().wait();
  }
  close_core(*cores_.front());
  transport::Counters t;
  stack::Counters c;
  for (const auto& core : cores_) {  // every core is closed: its counters stay still
    const auto& ct = core->stack->transport_counters();
    const auto& cc = core->stack->counters();
    t.datagrams_received += ct.datagrams_received;
    t.stream_messages_received += ct.stream_messages_received;
    t.messages_sent += ct.messages_sent;
    t.garbage_dropped += ct.garbage_dropped;
    t.connections_accepted += ct.connections_accepted;
    t.connections_refused += ct.connections_refused;
    t.idle_timeouts += ct.idle_timeouts;
    t.write_queue_overflows += ct.write_queue_overflows;
    t.reads_paused += ct.reads_paused;
    t.handshakes_failed += ct.handshakes_failed;
    t.passed_to_other_core += ct.passed_to_other_core;
    c.bad_requests_answered += cc.bad_requests_answered;
    c.bad_responses_dropped += cc.bad_responses_dropped;
  }
  spdlog::info(
      "totals: {} datagrams and {} stream messages in, {} messages out, {} garbage dropped, "
      "{} bad requests answered, {} bad responses dropped, {} connections accepted, {} refused, "
      "{} closed idle, {} write-queue overflows, {} reads paused for a slow reader, "
      "{} TLS/WebSocket handshakes failed or refused",
      t.datagrams_received, t.stream_messages_received, t.messages_sent, t.garbage_dropped,
      c.bad_requests_answered, c.bad_responses_dropped, t.connections_accepted,
      t.connections_refused, t.idle_timeouts, t.write_queue_overflows, t.reads_paused,
      t.handshakes_failed);
  if (cores_.size() > 1)
    spdlog::info("{} SIP cores; {} messages and sends passed to the core that owns them",
                 cores_.size(), t.passed_to_other_core);
  if (api_) api_->stop();  // before the store: no request waits on it any more
  store_->close();  // every accepted write is committed before this returns
  boost::system::error_code ignored;
  signals_->cancel(ignored);
  hangup_->cancel(ignored);
  keep_.clear();
  for (auto& core : cores_) core->io.stop();
}

}  // namespace ims::sw::app
