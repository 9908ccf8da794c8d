#include "common/transport/tcp_connection.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace ims::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Endpoint endpoint_of(const tcp::endpoint& e) { return Endpoint::make(e.address(), e.port()); }

}  // namespace

TcpConnection::TcpConnection(tcp::socket socket, FlowId id, bool inbound, const Options& options,
                             ReadBuffer read_buffer, Events& events, Counters& counters)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      id_(id),
      inbound_(inbound),
      state_(inbound ? State::Open : State::Connecting),
      idle_timeout_(options.tcp_idle_timeout),
      connect_timeout_(options.tcp_connect_timeout),
      max_outbox_bytes_(options.max_write_queue_bytes),
      events_(&events),
      counters_(&counters),
      parser_(options.limits),
      read_buf_(std::move(read_buffer)) {
  boost::system::error_code ec;
  if (inbound) {
    auto r = socket_.remote_endpoint(ec);
    if (!ec) remote_ = endpoint_of(r);
    auto l = socket_.local_endpoint(ec);
    if (!ec) local_ = endpoint_of(l);
  }
  touch();
}

void TcpConnection::start() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);  // read_some after wait_read must never block the strand
  arm_timer(idle_timeout_);
  do_read();
}

void TcpConnection::connect(const Endpoint& to) {
  remote_ = to;
  arm_timer(connect_timeout_);
  socket_.async_connect(tcp::endpoint(to.address, to.port),
                        [self = shared_from_this()](const boost::system::error_code& ec) {
                          self->on_connected(ec);
                        });
}

void TcpConnection::on_connected(const boost::system::error_code& ec) {
  if (state_ == State::Closed) return;
  if (ec) {
    ++counters_->send_errors;
    return close("connect: " + ec.message());
  }
  state_ = State::Open;
  boost::system::error_code e2;
  auto l = socket_.local_endpoint(e2);
  if (!e2) local_ = endpoint_of(l);
  socket_.set_option(tcp::no_delay(true), e2);
  socket_.non_blocking(true, e2);
  touch();
  arm_timer(idle_timeout_);
  do_read();
  if (!outbox_.empty()) write_front();
}

void TcpConnection::do_read() {
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->on_readable(ec);
                     });
}

// The reactor reports readiness by edges, so the socket is read until it would block before
// waiting again. A peer that keeps it busy gets a bounded share per turn: past the budget the
// rest is read in a posted continuation, after other handlers had their turn.
void TcpConnection::on_readable(const boost::system::error_code& ec) {
  if (state_ == State::Closed) return;
  if (ec) return close("read: " + ec.message());
  if (!drain_parser()) return;  // requests left over from a pause go first
  std::size_t budget = 4 * read_buf_->size();
  for (;;) {
    if (pause_reading()) return;
    boost::system::error_code rec;
    const std::size_t n = socket_.read_some(asio::buffer(*read_buf_), rec);
    if (rec == asio::error::would_block || rec == asio::error::try_again) return do_read();
    if (rec == asio::error::eof) return close("closed by peer");
    if (rec) return close("read: " + rec.message());
    touch();
    parser_.feed(std::string_view(read_buf_->data(), n));
    if (!drain_parser()) return;
    if (n >= budget) {
      asio::post(socket_.get_executor(),
                 [self = shared_from_this()] { self->on_readable(boost::system::error_code{}); });
      return;
    }
    budget -= n;
  }
}

// Hands every complete item to the owner. False when the connection closed meanwhile or
// reading paused (the rest stays in the parser until on_written resumes).
bool TcpConnection::drain_parser() {
  for (;;) {
    if (pause_reading()) return false;
    switch (parser_.next()) {
      case sip::StreamParser::Event::NeedMore:
        return true;
      case sip::StreamParser::Event::Message:
        events_->on_stream_message(*this, parser_.take_message());
        if (state_ == State::Closed) return false;
        break;
      case sip::StreamParser::Event::Ping:
        // RFC 5626 §3.5.1: a CRLFCRLF ping is answered with a single CRLF pong.
        ++counters_->keepalives_received;
        if (!send("\r\n")) return false;
        break;
      case sip::StreamParser::Event::Pong:
        break;
      case sip::StreamParser::Event::Error:
        // The stream cannot be resynchronised after a framing error (RFC 3261 §18.3).
        events_->on_stream_error(*this, parser_.error());
        close("stream error: " + parser_.error().message);
        return false;
    }
  }
}

bool TcpConnection::send(std::string bytes) {
  if (state_ == State::Closed) return false;
  if (outbox_bytes_ + bytes.size() > max_outbox_bytes_) {
    ++counters_->write_queue_overflows;
    close("write queue over " + std::to_string(max_outbox_bytes_) + " bytes");
    return false;
  }
  outbox_bytes_ += bytes.size();
  outbox_.push_back(std::move(bytes));
  // One write in flight (STYLE rule 3): only the push that makes the outbox non-empty starts
  // writing; on_written continues with the rest.
  if (state_ == State::Open && outbox_.size() == 1) write_front();
  return true;
}

bool TcpConnection::pause_reading() {
  if (outbox_bytes_ < max_outbox_bytes_ / 2) return false;
  if (!read_paused_) ++counters_->reads_paused;
  read_paused_ = true;
  return true;
}

void TcpConnection::write_front() {
  asio::async_write(socket_, asio::buffer(outbox_.front()),
                    [self = shared_from_this()](const boost::system::error_code& ec,
                                                std::size_t) { self->on_written(ec); });
}

void TcpConnection::on_written(const boost::system::error_code& ec) {
  if (state_ == State::Closed) return;
  if (ec) return close("write: " + ec.message());
  touch();
  if (outbox_.front() != "\r\n") ++counters_->messages_sent;
  outbox_bytes_ -= outbox_.front().size();
  outbox_.pop_front();
  if (!outbox_.empty()) write_front();
  if (read_paused_ && outbox_bytes_ <= max_outbox_bytes_ / 4) {
    // Data may wait in the socket since before the pause: read at once rather than wait for
    // a readiness edge that already passed.
    read_paused_ = false;
    asio::post(socket_.get_executor(),
               [self = shared_from_this()] { self->on_readable(boost::system::error_code{}); });
  }
}

void TcpConnection::arm_timer(std::chrono::steady_clock::duration after) {
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_timer(ec);
  });
}

// One timer per connection, re-armed lazily: reads and writes only move last_activity_, and the
// timer, when it fires, either closes the connection or waits for the rest of the idle period.
void TcpConnection::on_timer(const boost::system::error_code& ec) {
  if (ec || state_ == State::Closed) return;
  if (state_ == State::Connecting) {
    ++counters_->send_errors;
    return close("connect timed out");
  }
  const auto deadline = std::max(last_activity_ + idle_timeout_, held_until_);
  const auto now = std::chrono::steady_clock::now();
  if (now < deadline) return arm_timer(deadline - now);
  ++counters_->idle_timeouts;
  close("idle for " + std::to_string(idle_timeout_.count()) + "s");
}

// The idle timer, armed for the idle deadline, finds the later one when it fires.
void TcpConnection::hold_open_until(std::chrono::steady_clock::time_point until) {
  held_until_ = std::max(held_until_, until);
}

void TcpConnection::close(std::string_view why) {
  if (state_ == State::Closed) return;
  auto self = shared_from_this();  // the owner may drop its reference in the callback
  state_ = State::Closed;
  boost::system::error_code ignored;
  timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // The outbox stays: an aborted write still owns its buffer until its handler has run.
  if (events_) {
    ++counters_->connections_closed;
    auto* events = events_;
    events_ = nullptr;
    events->on_connection_closed(*this, why);
  }
}

void TcpConnection::detach() {
  events_ = nullptr;
  close("shutting down");
}

}  // namespace ims::transport
