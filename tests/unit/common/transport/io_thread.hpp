#pragma once
// An io_context with a strand, run by one background thread for the duration of a test; code
// under test lives on the strand, and the test thread reaches it with on_strand(), which waits
// for the result with a bound.

#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace ims::test {

class IoThread {
 public:
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

  // Polls pred on the strand until it holds or `timeout` passes (a bounded wait on state that
  // only the strand may read; the pause between polls keeps the shared CPU free).
  template <class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (on_strand(pred)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return on_strand(pred);
  }

 private:
  boost::asio::io_context io_{1};
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

}  // namespace ims::test
