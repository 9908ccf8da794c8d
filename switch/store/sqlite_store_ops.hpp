#pragma once
// SqliteStore's queued operation, shared by sqlite_store.cpp (the worker) and sqlite_search.cpp
// (the reader): private to switch/store.

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "common/util/result.hpp"
#include "switch/store/sqlite_connection.hpp"
#include "switch/store/sqlite_store.hpp"

namespace ims::sw::store {

// One queued operation: its statements, then (after the transaction is settled) its result.
class SqliteStore::Op {
 public:
  virtual ~Op() = default;
  // Runs the statements inside the open transaction; false when they failed.
  virtual bool execute(Connection& db) = 0;
  // Replaces the outcome with `e`: the transaction that held it is gone, or it never ran.
  virtual void fail(const Error& e) = 0;
  virtual bool ok() const = 0;
  virtual const Error& error() const = 0;
  // Hands the outcome to its handler, on the thread that calls it. Called once.
  virtual void deliver() = 0;
  // False for a blocking caller's operation (load_bindings), delivered on the worker itself.
  bool posted = true;
};

template <class T>
class SqliteStore::TypedOp final : public SqliteStore::Op {
 public:
  using Body = std::function<Result<T>(Connection&)>;
  using Sink = std::function<void(Result<T>)>;
  TypedOp(Body body, Sink sink) : body_(std::move(body)), sink_(std::move(sink)) {}

  bool execute(Connection& db) override {
    result_.emplace(body_(db));
    return result_->ok();
  }
  void fail(const Error& e) override { result_.emplace(e); }
  bool ok() const override { return result_.has_value() && result_->ok(); }
  const Error& error() const override { return result_->error(); }
  void deliver() override { sink_(std::move(*result_)); }

 private:
  Body body_;
  Sink sink_;
  std::optional<Result<T>> result_;
};

template <class T>
void SqliteStore::submit(std::function<Result<T>(Connection&)> body,
                         std::function<void(Result<T>)> handler) {
  enqueue(std::make_unique<TypedOp<T>>(std::move(body), std::move(handler)));
}

}  // namespace ims::sw::store
