#include "tools/imtool/oneshot.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "client/errors.hpp"

namespace ims::tool {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

Exit exit_for_error(const Error& e) {
  if (e.code == make_error_code(client::ClientErrc::LoginRefused)) return Exit::LoginFailed;
  if (e.code == make_error_code(client::ClientErrc::NoAnswer) ||
      e.code == make_error_code(client::ClientErrc::TransportFailed))
    return Exit::NoSwitch;
  if (e.status != 0) return exit_for_status(e.status);
  return Exit::Failure;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms.count() % 1000));
  return out;
}

// Common frame of a one-shot command: an io_context, the agent, a deadline, Ctrl-C.
class Runner : public client::AgentEvents {
 public:
  Runner(client::AgentOptions options, bool as_json, std::chrono::seconds timeout)
      : options_(std::move(options)),
        json_(as_json),
        deadline_(io_),
        signals_(io_, SIGINT, SIGTERM) {
    deadline_.expires_after(timeout);
    deadline_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) on_deadline();
    });
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) fail(Exit::Failure, "interrupted");
    });
  }

  Exit run() {
    auto agent = client::Agent::create(io_.get_executor(), options_, *this);
    if (!agent) {
      fail(Exit::Usage, agent.error().message);
      return exit_;
    }
    agent_ = std::move(*agent);
    agent_->login([this](Result<std::chrono::seconds> r) {
      if (!r) return fail(exit_for_error(r.error()), "login failed: " + r.error().message);
      logged_in();
    });
    io_.run();
    return exit_;
  }

 protected:
  virtual void logged_in() = 0;
  virtual void on_deadline() = 0;

  // Prints the result and ends the run (logging out first when logged in).
  void finish(Exit code, json result, const std::string& text) {
    if (done_) return;
    done_ = true;
    exit_ = code;
    result["exit"] = static_cast<int>(code);
    if (json_) {
      std::cout << result.dump() << std::endl;
    } else if (!text.empty()) {
      (code == Exit::Ok ? std::cout : std::cerr) << text << std::endl;
    }
    deadline_.cancel();
    signals_.cancel();
    if (agent_ && agent_->logged_in()) {
      // Bounded: a logout that gets no answer ends with the transaction's time-out.
      agent_->logout([this](Result<void>) { stop(); });
      deadline_.expires_after(std::chrono::seconds{5});
      deadline_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) stop();
      });
    } else {
      stop();
    }
  }
  void fail(Exit code, const std::string& why) {
    finish(code, json{{"error", why}}, "imtool: " + why);
  }
  void stop() {
    if (agent_) agent_->close();
    io_.stop();
  }

  asio::io_context io_;
  client::AgentOptions options_;
  bool json_;
  std::unique_ptr<client::Agent> agent_;
  Exit exit_ = Exit::Failure;
  bool done_ = false;
  asio::steady_timer deadline_;
  asio::signal_set signals_;
};

class SendRunner final : public Runner {
 public:
  SendRunner(client::AgentOptions o, const SendArgs& a)
      : Runner(std::move(o), a.json, a.timeout), args_(a) {}

 private:
  void logged_in() override {
    agent_->send_pager(args_.target, args_.text, [this](Result<int> r) {
      if (!r)
        return fail(exit_for_error(r.error()),
                    "message to " + args_.target + " not delivered: " + r.error().message);
      const bool stored = *r == 202;
      finish(Exit::Ok,
             json{{"target", args_.target},
                  {"status", *r},
                  {"result", stored ? "stored" : "delivered"}},
             stored ? "stored: " + args_.target + " is offline and gets it at the next login"
                    : "delivered to " + args_.target);
    });
  }
  void on_deadline() override { fail(Exit::NoSwitch, "no answer within the time-out"); }

  SendArgs args_;
};

class ImRunner final : public Runner {
 public:
  ImRunner(client::AgentOptions o, const ImArgs& a)
      : Runner(std::move(o), a.json, a.timeout), args_(a) {}

 private:
  void logged_in() override {
    session_ = agent_->new_session();
    auto r = session_->start(args_.target, args_.text, args_.case_data);
    if (!r) return fail(Exit::Failure, r.error().message);
  }

  void on_session_state(const std::shared_ptr<client::ImSession>& s,
                        const client::SessionStatus& status) override {
    if (s != session_) return;
    if (status.state == client::SessionState::Queued && status.queue_position != position_) {
      position_ = status.queue_position;
      if (!json_) std::cout << "[Queued " << position_ << "]" << std::endl;
    }
    if (status.state == client::SessionState::Connected && !accepted_) {
      accepted_ = true;
      // peer() is the agent who took it, also when a queue was invited.
      if (!json_) std::cout << "accepted by " << session_->peer() << std::endl;
      send_next();
    }
    if (status.state == client::SessionState::Ended) report();
  }

  void on_transcript_entry(const std::shared_ptr<client::ImSession>& s,
                           const client::TranscriptEntry& e) override {
    if (s != session_ || json_) return;
    std::cout << "[" << iso_time(e.time) << "] #" << e.seq << " " << e.login << ": " << e.text
              << std::endl;
  }

  void send_next() {
    if (next_ >= args_.messages.size()) {
      if (!args_.wait) (void)session_->end();
      return;
    }
    auto r = session_->send(args_.messages[next_++], [this](Result<client::TranscriptEntry> e) {
      if (!e) {
        failed_send_ = e.error().message;
        (void)session_->end();
        return;
      }
      send_next();
    });
    if (!r) {
      failed_send_ = r.error().message;
      (void)session_->end();
    }
  }

  void report() {
    const auto reason = session_->end_reason();
    std::string outcome =
        accepted_ ? "accepted" : std::string(reason ? client::to_string(*reason) : "failed");
    Exit code = accepted_ ? Exit::Ok : (reason ? exit_for(*reason) : Exit::Failure);
    if (!failed_send_.empty()) code = Exit::Failure;
    json transcript = json::array();
    for (const auto& e : session_->transcript().entries()) {
      transcript.push_back(
          {{"login", e.login},
           {"time", iso_time(e.time)},
           {"seq", e.seq},
           {"direction", e.direction == client::Direction::Sent ? "sent" : "received"},
           {"text", e.text}});
    }
    json result{{"target", args_.target},
                {"outcome", outcome},
                {"call_id", session_->call_id()},
                {"transcript", transcript}};
    if (reason) result["end_reason"] = std::string(client::to_string(*reason));
    if (accepted_) result["answered_by"] = session_->peer();
    if (!session_->queue().empty()) result["queue"] = session_->queue();
    if (!failed_send_.empty()) result["error"] = failed_send_;
    // With a queue or routing point invited, the agent who took it and that number.
    const std::string with = session_->queue().empty()
                                 ? args_.target
                                 : session_->peer() + " (" + session_->queue() + ")";
    std::string text = accepted_
                           ? "session with " + with + " " +
                                 std::string(reason ? client::to_string(*reason) : "ended") + ", " +
                                 std::to_string(session_->transcript().size()) + " message(s)"
                           : "IM to " + args_.target + ": " + outcome;
    if (!failed_send_.empty()) text += "; a message failed: " + failed_send_;
    finish(code, result, text);
  }

  void on_deadline() override {
    if (!session_) return fail(Exit::NoSwitch, "no answer within the time-out");
    const auto st = session_->state();
    if (st == client::SessionState::Establishing || st == client::SessionState::Queued) {
      timed_out_ = true;
      (void)session_->end();  // CANCEL: the outcome arrives as Ended(Cancelled)
      finish(Exit::TimedOut, json{{"target", args_.target}, {"outcome", "no answer"}},
             "IM to " + args_.target + ": no answer within " +
                 std::to_string(args_.timeout.count()) + " s");
      return;
    }
    if (st == client::SessionState::Connected) {
      (void)session_->end();
      return;
    }
    fail(Exit::Failure, "the session did not end within the time-out");
  }

  ImArgs args_;
  std::shared_ptr<client::ImSession> session_;
  std::size_t next_ = 0;
  bool accepted_ = false;
  bool timed_out_ = false;
  int position_ = 0;  // the last place in line shown
  std::string failed_send_;
};

}  // namespace

Exit run_send(client::AgentOptions options, const SendArgs& args) {
  SendRunner r(std::move(options), args);
  return r.run();
}

Exit run_im(client::AgentOptions options, const ImArgs& args) {
  ImRunner r(std::move(options), args);
  return r.run();
}

}  // namespace ims::tool
