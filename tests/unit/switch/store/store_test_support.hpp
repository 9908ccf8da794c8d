#pragma once
// Helpers for the store tests: a temporary directory removed afterwards, and a bounded way to
// run an io_context until a condition holds (no sleeps: the store's pending operations keep the
// context busy, so run_one_for returns as soon as a handler ran).

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "common/util/result.hpp"

namespace ims::sw::store::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ims-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline constexpr std::chrono::seconds kLimit{20};

// Runs `io` until done() is true or `limit` passes; false on timeout.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::milliseconds limit = kLimit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    io.restart();
    io.run_one_for(deadline - now);
  }
  return true;
}

// Starts one store operation with a handler that keeps its result, and runs `io` until it came.
template <class T, class Start>
Result<T> await(boost::asio::io_context& io, Start start) {
  std::optional<Result<T>> out;
  start([&out](Result<T> r) { out.emplace(std::move(r)); });
  if (!run_until(io, [&] { return out.has_value(); })) {
    return Error{std::make_error_code(std::errc::timed_out), "test: no completion in time"};
  }
  return std::move(*out);
}

}  // namespace ims::sw::store::test
