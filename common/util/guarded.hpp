#pragma once
// Guarded<T>: a value that several threads share, reachable only under its lock:
//   table.with([&](Table& t) { return t.lookup(key); });
// Keep the work inside with() short; never call out to code that may take another lock.

#include <mutex>
#include <utility>

namespace ims::util {

template <class T>
class Guarded {
 public:
  template <class... Args>
  explicit Guarded(Args&&... args) : value_(std::forward<Args>(args)...) {}

  template <class F>
  decltype(auto) with(F&& f) {
    std::lock_guard hold(lock_);
    return std::forward<F>(f)(value_);
  }
  template <class F>
  decltype(auto) with(F&& f) const {
    std::lock_guard hold(lock_);
    return std::forward<F>(f)(value_);
  }

 private:
  mutable std::mutex lock_;
  T value_;
};

}  // namespace ims::util
