#pragma once
// An io_context with a strand, run by one background thread for the duration of a test; code
// under test lives on the strand, and the test thread reaches it with on_strand(), which waits
// for the result with a bound.

#include <chrono>
#include <functional>
#include <memory>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace ims::test {

class IoThread {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  IoThread() : strand_(boost::asio::make_strand(io_)), guard_(io_.get_executor()) {}
  ~IoThread() { stop(); }

  void start() {
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() {
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  boost::asio::strand<boost::asio::io_context::executor_type>& strand() { return strand_; }

  // Runs f on the strand and returns its result; throws if it takes longer than 5 s.
  template <class F>
  auto on_strand(F f) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    std::promise<R> p;
    auto fut = p.get_future();
    boost::asio::post(strand_, [&] {
      if constexpr (std::is_void_v<R>) {
        f();
        p.set_value();
      } else {
        p.set_value(f());
      }
    });
    if (fut.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
      throw std::runtime_error("strand did not answer within 5 s");
    return fut.get();
  }

  // Waits until pred holds or `timeout` passes. pred reads state only the strand may read, so
  // the strand checks it after each of its own events (a 1 ms timer between checks keeps the
  // shared CPU free) and fulfils a promise the test thread waits on with the bound.
  template <class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    struct Watch {
      explicit Watch(Strand& s) : timer(s) {}
      boost::asio::steady_timer timer;
      std::promise<void> held;
      bool stopped = false;
    };
    auto watch = std::make_shared<Watch>(strand_);
    auto fut = watch->held.get_future();
    std::function<void()> check = [watch, &pred, &check] {
      if (watch->stopped) return;
      if (pred()) {
        watch->stopped = true;
        watch->held.set_value();
        return;
      }
      watch->timer.expires_after(std::chrono::milliseconds(1));
      watch->timer.async_wait([watch, &check](const boost::system::error_code& ec) {
        if (!ec && !watch->stopped) check();
      });
    };
    boost::asio::post(strand_, [&check] { check(); });
    const bool held = fut.wait_for(timeout) == std::future_status::ready;
    // Stop on the strand before pred and check go out of scope here.
    on_strand([&] {
      watch->stopped = true;
      watch->timer.cancel();
    });
    return held;
  }

 private:
  boost::asio::io_context io_{1};
  Strand strand_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

}  // namespace ims::test
