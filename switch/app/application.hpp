#pragma once
// Application: the running imswitch. Owns the io_context, the store, the SIP stack and the TU;
// binds the configured listeners, runs until SIGINT or SIGTERM (or stop()), then closes
// everything. SIGHUP reloads the directory from the configuration file.
//
// Threading: sip.threads SIP cores, each an io_context run by one thread (core 0 by the thread that
// calls run()) with its own stack and TU; that one thread is the core's implicit strand and its
// stack's only home (STYLE rule 6). With more than one core every core binds every listener
// (SO_REUSEPORT) and the transports pass each message to the core that owns its Call-ID
// (transport/cores.hpp); the TUs share the registrar, the nonces and the IM session count
// (SharedState). The store commits on its own worker thread and posts its completions to core 0,
// which passes another core's on to it (CoreStore), so no event loop waits for a disk. stop() may
// be called from any thread.

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include "common/stack/stack.hpp"
#include "common/transport/cores.hpp"
#include "common/transport/transport_layer.hpp"
#include "common/util/result.hpp"
#include "switch/app/api.hpp"
#include "switch/app/heap_trim.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/config/config.hpp"
#include "switch/routing/types.hpp"
#include "switch/store/sqlite_store.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::app {

// The stack settings a configuration asks for.
stack::Options stack_options(const config::Config& config);

// The ports file: one line per listener, "<transport> <address> <port>", the address without
// brackets ("udp 127.0.0.1 40312", "tcp ::1 40313"), then the HTTP API's when it listens
// ("http 127.0.0.1 8080").
std::string ports_file_text(const std::vector<transport::ListenerInfo>& listeners,
                            const std::optional<transport::Endpoint>& http = std::nullopt);
// Writes it atomically (a temporary file renamed over the target), so that a reader polling for
// the file never sees half of it.
Result<void> write_ports_file(const std::string& path,
                              const std::vector<transport::ListenerInfo>& listeners,
                              const std::optional<transport::Endpoint>& http = std::nullopt);

class Application {
 public:
  // Opens the store and loads the registrations it kept, then binds every listener of
  // config.sip.listen. An IPv6 listener that cannot be bound because the host has no IPv6 is
  // skipped with a warning; any other bind failure is an error, and so is ending up with no
  // listener at all.
  static Result<std::unique_ptr<Application>> create(const config::Config& config);

  // Only create() can make the key, so only create() constructs (STYLE rule 12).
  class Key {
    friend class Application;
    Key() = default;
  };
  Application(const config::Config& config, Key);
  ~Application();

  const std::vector<transport::ListenerInfo>& listeners() const {
    return cores_.front()->stack->listeners();
  }
  const SwitchTu& tu() const { return *cores_.front()->tu; }
  // Where the HTTP API listens; nullopt when it is off.
  std::optional<transport::Endpoint> http_endpoint() const;

  // Runs until SIGINT/SIGTERM or stop(); handlers that throw are logged and the loop resumes
  // (STYLE rule 8). Logs "imswitch stopped" at the end.
  void run();
  void stop();

  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

 private:
  // One SIP core: its event loop, its stack and its TU.
  struct Core {
    boost::asio::io_context io{1};
    // One thread runs io, so its executor is an implicit strand: an explicit strand would add
    // a lock and a second queue hop to every completion (Asio, "Strands").
    boost::asio::io_context::executor_type strand{io.get_executor()};
    std::unique_ptr<store::Store> store;  // cores 1..n-1: the shared store, completing here
    std::unique_ptr<SwitchTu> tu;
    std::unique_ptr<stack::Stack> stack;
    std::thread thread;  // cores 1..n-1; core 0 runs on run()'s thread
  };

  static void run_loop(boost::asio::io_context& io);
  void shutdown();
  // On core k's thread: closes its stack and TU.
  void close_core(Core& core);
  // Reads core k's counters on its thread into m, then the next core's; the last calls done.
  void sample_core(std::size_t k, std::shared_ptr<std::vector<CoreMetrics>> m,
                   std::function<void(std::vector<CoreMetrics>)> done);
  void wait_for_signal();
  void wait_for_hangup();
  void reload();

  std::string config_path_;
  routing::Presence default_presence_ = routing::Presence::Ready;  // im.default_state
  std::unique_ptr<store::SqliteStore> store_;  // before the cores: they use it
  std::unique_ptr<SharedState> shared_;        // likewise
  std::unique_ptr<transport::Cores> fabric_;   // several cores only
  std::vector<std::unique_ptr<Core>> cores_;   // at least one
  std::unique_ptr<boost::asio::signal_set> signals_;  // on core 0
  std::unique_ptr<boost::asio::signal_set> hangup_;
  std::unique_ptr<HeapTrimmer> heap_;  // on core 0
  std::unique_ptr<Api> api_;  // http.listen set
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keep_;
  bool stopped_ = false;
};

}  // namespace ims::sw::app
