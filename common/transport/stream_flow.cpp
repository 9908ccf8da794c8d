#include "common/transport/stream_flow.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace ims::transport {

namespace asio = boost::asio;

StreamFlow::StreamFlow(const asio::any_io_executor& ex, Protocol protocol, FlowId id,
                       bool inbound, const Options& options, Events& events, Counters& counters)
    : timer_(ex),
      protocol_(protocol),
      id_(id),
      inbound_(inbound),
      idle_timeout_(options.tcp_idle_timeout),
      connect_timeout_(options.tcp_connect_timeout),
      max_outbox_bytes_(options.max_write_queue_bytes),
      events_(&events),
      counters_(&counters) {
  touch();
}

void StreamFlow::opened() {
  if (state_ != State::Connecting) return;
  state_ = State::Open;
  was_open_ = true;
  touch();
  arm_timer(ping_interval_.count() > 0 ? std::min<std::chrono::steady_clock::duration>(
                                            idle_timeout_, ping_interval_ / 2)
                                      : idle_timeout_);
  if (!outbox_.empty()) write_front();
}

bool StreamFlow::send(std::string bytes) {
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

bool StreamFlow::pause_reading() {
  if (outbox_bytes_ < max_outbox_bytes_ / 2) return false;
  if (!read_paused_) ++counters_->reads_paused;
  read_paused_ = true;
  return true;
}

void StreamFlow::on_written(const boost::system::error_code& ec) {
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
    asio::post(timer_.get_executor(), [self = shared_from_this()] {
      if (self->state_ != State::Closed) self->resume_reading();
    });
  }
}

bool StreamFlow::drain(sip::StreamParser& parser) {
  for (;;) {
    if (pause_reading()) return false;
    switch (parser.next()) {
      case sip::StreamParser::Event::NeedMore:
        return true;
      case sip::StreamParser::Event::Message:
        deliver(parser.take_message());
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
        stream_error(parser.error());
        close("stream error: " + parser.error().message);
        return false;
    }
  }
}

void StreamFlow::deliver(sip::Message message) {
  if (events_) events_->on_stream_message(*this, std::move(message));
}

void StreamFlow::stream_error(const Error& error) {
  if (events_) events_->on_stream_error(*this, error);
}

void StreamFlow::arm_timer(std::chrono::steady_clock::duration after) {
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_timer(ec);
  });
}

// One timer per flow, re-armed lazily: reads and writes only move last_activity_, and the
// timer, when it fires, either closes the flow or waits for the rest of the idle period.
void StreamFlow::on_timer(const boost::system::error_code& ec) {
  if (ec || state_ == State::Closed) return;
  if (state_ == State::Connecting) {
    if (inbound_) return close("handshake timed out");
    ++counters_->send_errors;
    return close("connect timed out");
  }
  const auto deadline = std::max(last_activity_ + idle_timeout_, held_until_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_activity_ >= std::min<std::chrono::steady_clock::duration>(
                                 idle_timeout_, ping_interval_.count() > 0 ? ping_interval_ / 2
                                                                           : idle_timeout_))
    on_quiet();
  if (ping_interval_.count() > 0) {
    // Silent for half the interval: pinged; silent for the whole of it, the ping unanswered:
    // gone. Anything from the peer, a pong included, moves last_activity_.
    const auto half = ping_interval_ / 2;
    const bool pinged = pinged_at_ > last_activity_;
    if (pinged && now >= last_activity_ + ping_interval_) {
      ++counters_->idle_timeouts;
      return close("no answer to a ping within " + std::to_string(ping_interval_.count()) + "s");
    }
    if (!pinged && now >= last_activity_ + half) {
      pinged_at_ = now;
      send_ping();
    }
    const auto next = pinged_at_ > last_activity_ ? last_activity_ + ping_interval_
                                                  : last_activity_ + half;
    if (now < deadline) return arm_timer(std::min(deadline, std::max(next, now)) - now);
  }
  if (now < deadline) return arm_timer(deadline - now);
  ++counters_->idle_timeouts;
  close("idle for " + std::to_string(idle_timeout_.count()) + "s");
}

// The idle timer, armed for the idle deadline, finds the later one when it fires.
void StreamFlow::hold_open_until(std::chrono::steady_clock::time_point until) {
  held_until_ = std::max(held_until_, until);
}

void StreamFlow::close(std::string_view why) {
  if (state_ == State::Closed) return;
  auto self = shared_from_this();  // the owner may drop its reference in the callback
  state_ = State::Closed;
  timer_.cancel();
  close_stream();
  // The outbox stays: an aborted write still owns its buffer until its handler has run.
  if (events_) {
    ++counters_->connections_closed;
    auto* events = events_;
    events_ = nullptr;
    events->on_connection_closed(*this, why);
  }
}

void StreamFlow::detach() {
  events_ = nullptr;
  close("shutting down");
}

}  // namespace ims::transport
