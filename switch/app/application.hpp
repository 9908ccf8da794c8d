#pragma once
// Application: the running imswitch. Owns the io_context, the store, the SIP stack and the TU;
// binds the configured listeners, runs until SIGINT or SIGTERM (or stop()), then closes
// everything. SIGHUP reloads the directory from the configuration file.
//
// Threading: one thread runs the io_context; the stack's strand is the SIP core's only home
// (STYLE rule 6). The store commits on its own worker thread and posts its completions to the
// strand, so the event loop never waits for a disk. stop() may be called from any thread.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>

#include "common/stack/stack.hpp"
#include "common/transport/transport_layer.hpp"
#include "common/util/result.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/config/config.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::app {

// The stack settings a configuration asks for.
stack::Options stack_options(const config::Config& config);

// The ports file: one line per listener, "<transport> <address> <port>", the address without
// brackets ("udp 127.0.0.1 40312", "tcp ::1 40313").
std::string ports_file_text(const std::vector<transport::ListenerInfo>& listeners);
// Writes it atomically (a temporary file renamed over the target), so that a reader polling for
// the file never sees half of it.
Result<void> write_ports_file(const std::string& path,
                              const std::vector<transport::ListenerInfo>& listeners);

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

  const std::vector<transport::ListenerInfo>& listeners() const { return stack_->listeners(); }
  const SwitchTu& tu() const { return *tu_; }

  // Runs until SIGINT/SIGTERM or stop(); handlers that throw are logged and the loop resumes
  // (STYLE rule 8). Logs "imswitch stopped" at the end.
  void run();
  void stop();

  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

 private:
  void shutdown();
  void wait_for_signal();
  void wait_for_hangup();
  void reload();

  std::string config_path_;
  boost::asio::io_context io_{1};
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::signal_set signals_;
  boost::asio::signal_set hangup_;
  std::unique_ptr<store::Store> store_;  // before the TU and the stack: they use it
  std::unique_ptr<SwitchTu> tu_;
  std::unique_ptr<stack::Stack> stack_;
  bool stopped_ = false;
};

}  // namespace ims::sw::app
