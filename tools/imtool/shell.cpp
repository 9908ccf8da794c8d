#include "tools/imtool/shell.hpp"

#include <boost/asio/post.hpp>
#include <charconv>

#include "client/errors.hpp"

namespace ims::tool {

namespace {

constexpr std::chrono::seconds kQuitDeadline{3};
constexpr std::chrono::seconds kDefaultWait{10};
constexpr std::chrono::seconds kMaxWait{600};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<int> to_int(std::string_view s) {
  if (!s.empty() && s.front() == '#') s.remove_prefix(1);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_open_invitation(const client::ImSession& s) {
  return s.role() == client::Role::Recipient && (s.state() == client::SessionState::Establishing ||
                                                 s.state() == client::SessionState::Queued);
}

constexpr std::string_view kHelp =
    "Commands (the slash may be left out of the first six while no session is connected):\n"
    "  /im <agent> <text>       open an IM session; <text> is the first message. <agent>\n"
    "                           may be a login, a queue's number, or n (#n): hit n of /search\n"
    "  /accept [n]              accept invitation n (default: the oldest open one)\n"
    "  /reject [n]              decline invitation n\n"
    "  /sessions                list the sessions (* marks the current one)\n"
    "  /help                    this text\n"
    "  /quit                    end every session, log out and leave (also Ctrl-C, Ctrl-D)\n"
    "  <text>                   send <text> in the current session\n"
    "  /switch <n>              make session n the current one\n"
    "  /end [n]                 end session n (cancels an invitation still ringing)\n"
    "  /done [n]                close an ended session\n"
    "  /transcript [n]          show the whole transcript of session n\n"
    "  /send <agent> <text>     a pager message (no session)\n"
    "  /ready                   set your state for IM to Ready\n"
    "  /notready [reason]       set it to Not Ready, e.g. /notready lunch\n"
    "  /search <text>           the Team Communicator: agents, queues and routing points by\n"
    "                           name, login, email or phone, ranked and numbered, with their\n"
    "                           state; then /im <n> <text> or /consult <n> <text>\n"
    "  /transcripts <words>     search the saved transcripts of your sessions\n"
    "  /interaction <kind> <id> [key=value ...]\n"
    "                           set the active interaction (voice, email, chat, workitem)\n"
    "                           and its case data (contact_id=<id> names its contact);\n"
    "                           /interaction alone shows it\n"
    "  /interaction <file.json> the same from a file: {\"interaction\":{\"kind\":\"voice\",\n"
    "                           \"id\":\"call-7\"},\"contact_id\":\"c-42\",...}; or\n"
    "                           /interaction <kind> <id> <file.json>, the case data alone\n"
    "  /consult <agent> <text>  an IM about the active interaction: the target sees its case\n"
    "                           data, read-only\n"
    "  /contact [id]            the contact named by the current session's case data\n"
    "                           (contact_id), or contact <id>\n"
    "  /history [words]         that contact's history: past interactions and sessions, those\n"
    "                           with the words only when given\n"
    "  /wait <event> [seconds]  for scripts: hold the next lines until loggedin, invitation,\n"
    "                           connected, ended or message (default 10 s; a time-out makes\n"
    "                           the exit status 1)";

// "consultation about voice 4711 (read-only): customer=ACME, order=17", or the JSON as sent.
std::string case_data_text(const std::string& json) {
  auto in = client::Interaction::from_json(json);
  if (!in) return "case data (read-only): " + json;
  std::string out = "consultation about " + std::string(client::to_string(in->kind())) + " " +
                    in->id() + " (read-only)";
  const auto& data = in->case_data();
  std::string fields;
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (!fields.empty()) fields += ", ";
    fields += it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  if (!fields.empty()) out += ": " + fields;
  return out;
}

}  // namespace

std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
  line = trim(line);
  const auto sp = line.find_first_of(" \t");
  if (sp == std::string_view::npos) return {line, {}};
  return {line.substr(0, sp), trim(line.substr(sp + 1))};
}

AgentShell::AgentShell(boost::asio::any_io_executor executor, ShellIo io)
    : executor_(executor),
      io_(std::move(io)),
      paint_{io_.colours},
      wait_timer_(executor),
      quit_timer_(executor) {}

AgentShell::~AgentShell() { alive_.reset(); }

void AgentShell::attach(client::Agent& agent) { agent_ = &agent; }
void AgentShell::attach_api(client::ApiClient& api) { api_ = &api; }

void AgentShell::start() {
  update_prompt();
  say("logging in as " + agent_->aor() + " ...");
  agent_->login();
}

// ---- input -----------------------------------------------------------------------------------

void AgentShell::on_line(std::string line) {
  if (finished_) return;
  input_.push_back(std::move(line));
  pump();
}

void AgentShell::on_end_of_input() {
  end_of_input_ = true;
  pump();
}

void AgentShell::pump() {
  while (!wait_ && !input_.empty() && !quitting_) {
    std::string line = std::move(input_.front());
    input_.pop_front();
    run(line);
  }
  if (!wait_ && input_.empty() && end_of_input_ && !quitting_) quit();
}

bool AgentShell::is_bare_command(std::string_view word) const {
  static constexpr std::string_view kBare[] = {"im",       "accept", "reject",
                                               "sessions", "help",   "quit"};
  for (auto w : kBare)
    if (w == word) return true;
  return false;
}

void AgentShell::run(std::string_view raw) {
  const std::string_view line = trim(raw);
  if (line.empty()) return;
  auto [word, rest] = split_word(line);
  bool command = word.front() == '/';
  if (command) {
    word.remove_prefix(1);
  } else if (is_bare_command(word)) {
    auto* cur = current();
    command = !cur || cur->session->state() != client::SessionState::Connected;
  }
  if (!command) return send_text(std::string(line));
  if (word == "help" || word == "?") return cmd_help();
  if (word == "im") return cmd_im(rest);
  if (word == "accept") return cmd_accept(rest, true);
  if (word == "reject") return cmd_accept(rest, false);
  if (word == "end") return cmd_end(rest);
  if (word == "done") return cmd_done(rest);
  if (word == "sessions" || word == "list") return cmd_sessions();
  if (word == "switch" || word == "s") return cmd_switch(rest);
  if (word == "transcript") return cmd_transcript(rest);
  if (word == "send") return cmd_send(rest);
  if (word == "wait") return cmd_wait(rest);
  if (word == "interaction") return cmd_interaction(rest);
  if (word == "consult") return cmd_consult(rest);
  if (word == "search") return cmd_search(rest);
  if (word == "transcripts") return cmd_transcripts(rest);
  if (word == "contact") return cmd_contact(rest);
  if (word == "history") return cmd_history(rest);
  if (word == "ready") return cmd_state(true, rest);
  if (word == "notready" || word == "not-ready") return cmd_state(false, rest);
  if (word == "quit" || word == "exit") return quit();
  error("unknown command /" + std::string(word) + " (try /help)");
}

// ---- commands --------------------------------------------------------------------------------

void AgentShell::cmd_help() { io_.print(kHelp); }

void AgentShell::cmd_im(std::string_view args) {
  auto [word, text] = split_word(args);
  if (word.empty() || text.empty()) return error("usage: /im <agent> <first message>");
  const auto target = resolve_target(word);
  if (!target) return;
  auto session = agent_->new_session();
  Tracked* t = track(session);
  auto started = session->start(*target, std::string(text));
  if (!started) return error("cannot start the IM: " + started.error().message);
  current_ = t->number;
  update_prompt();
}

void AgentShell::cmd_accept(std::string_view args, bool accept) {
  Tracked* t = args.empty() ? oldest_invitation() : pick(args, accept ? "accept" : "reject");
  if (!t) {
    if (args.empty()) error("no open invitation");
    return;
  }
  auto r = accept ? t->session->accept() : t->session->reject();
  if (!r) return error(r.error().message);
  if (accept) {
    current_ = t->number;
    update_prompt();
  }
}

void AgentShell::cmd_end(std::string_view args) {
  Tracked* t = pick(args, "end");
  if (!t) return;
  auto r = t->session->end();
  if (!r) error(r.error().message);
}

void AgentShell::cmd_done(std::string_view args) {
  Tracked* t = pick(args, "done");
  if (!t) return;
  const int number = t->number;
  auto r = t->session->done();
  if (!r) return error(r.error().message);
  std::erase_if(sessions_, [&](const Tracked& x) { return x.number == number; });
  if (current_ == number) current_ = sessions_.empty() ? 0 : sessions_.back().number;
  say("#" + std::to_string(number) + " closed");
  update_prompt();
}

void AgentShell::cmd_sessions() {
  if (sessions_.empty()) return say("no sessions");
  std::string out;
  for (const auto& t : sessions_) {
    const auto& s = *t.session;
    out += (t.number == current_ ? "* #" : "  #") + std::to_string(t.number) + " " + s.peer() +
           "  " + status_text(s.status()) + "  " + std::to_string(s.transcript().size()) +
           " message(s)" +
           (s.role() == client::Role::Initiator ? "  (you invited)" : "  (invited you)") + "\n";
  }
  out.pop_back();
  io_.print(out);
}

void AgentShell::cmd_switch(std::string_view args) {
  if (args.empty()) return error("usage: /switch <n>");
  Tracked* t = pick(args, "switch");
  if (!t) return;
  current_ = t->number;
  update_prompt();
  cmd_transcript({});
}

void AgentShell::cmd_transcript(std::string_view args) {
  Tracked* t = pick(args, "transcript");
  if (!t) return;
  const auto& entries = t->session->transcript().entries();
  std::string out = "--- #" + std::to_string(t->number) + " with " + t->session->peer() + ": " +
                    status_text(t->session->status()) + ", " + std::to_string(entries.size()) +
                    " message(s)";
  if (t->session->case_data()) out += "\n    " + case_data_text(*t->session->case_data());
  const std::string me = agent_->options().login;
  for (const auto& e : entries) out += "\n" + entry_line(e, me, paint_);
  io_.print(out);
}

void AgentShell::cmd_send(std::string_view args) {
  auto [target, text] = split_word(args);
  if (target.empty() || text.empty()) return error("usage: /send <agent> <text>");
  std::weak_ptr<int> alive = alive_;
  std::string to(target);
  agent_->send_pager(target, std::string(text), [this, alive, to](Result<int> r) {
    if (alive.expired()) return;
    if (!r) return error("pager message to " + to + " not delivered: " + r.error().message);
    say(*r == 202 ? "pager message to " + to + " stored: " + to + " is offline"
                  : "pager message to " + to + " delivered");
  });
}

void AgentShell::cmd_wait(std::string_view args) {
  auto [what, secs] = split_word(args);
  std::optional<WaitFor> kind;
  if (what == "loggedin") kind = WaitFor::LoggedIn;
  if (what == "invitation") kind = WaitFor::Invitation;
  if (what == "connected") kind = WaitFor::Connected;
  if (what == "ended") kind = WaitFor::Ended;
  if (what == "message") kind = WaitFor::Message;
  if (!kind) return error("usage: /wait loggedin|invitation|connected|ended|message [seconds]");
  auto timeout = kDefaultWait;
  if (!secs.empty()) {
    auto n = to_int(secs);
    if (!n || *n <= 0) return error("/wait: seconds must be a positive number");
    timeout = std::min(std::chrono::seconds{*n}, kMaxWait);
  }
  wait_ = Wait{*kind, messages_received_};
  if (wait_satisfied()) return finish_wait(true);
  wait_timer_.expires_after(timeout);
  std::weak_ptr<int> alive = alive_;
  wait_timer_.async_wait([this, alive, w = std::string(what)](const boost::system::error_code& ec) {
    if (ec || alive.expired() || !wait_) return;
    error("/wait " + w + ": timed out");
    finish_wait(false);
  });
}

void AgentShell::cmd_interaction(std::string_view args) {
  if (args.empty()) {
    if (!interaction_) return say("no active interaction");
    return say("active interaction: " + interaction_->to_json());
  }
  auto [kind_word, rest] = split_word(args);
  auto [id, pairs] = split_word(rest);
  const auto kind = client::interaction_kind_from(kind_word);
  if (!kind && rest.empty()) return interaction_from_file({}, {}, kind_word);
  if (!kind || id.empty())
    return error(
        "usage: /interaction voice|email|chat|workitem <id> [key=value ...], or "
        "/interaction <file.json>");
  if (!pairs.empty() && pairs.find('=') == std::string_view::npos &&
      split_word(pairs).second.empty())
    return interaction_from_file(kind_word, id, pairs);
  client::Interaction in(*kind, std::string(id));
  while (!pairs.empty()) {
    auto [pair, more] = split_word(pairs);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return error("/interaction: expected key=value, got " + std::string(pair));
    in.set(pair.substr(0, eq), std::string(pair.substr(eq + 1)));
    pairs = more;
  }
  interaction_ = std::move(in);
  say("active interaction: " + interaction_->to_json());
}

void AgentShell::cmd_consult(std::string_view args) {
  if (!interaction_) return error("/consult: no active interaction (set one with /interaction)");
  auto [word, text] = split_word(args);
  if (word.empty() || text.empty()) return error("usage: /consult <agent> <first message>");
  const auto target = resolve_target(word);
  if (!target) return;
  auto started = agent_->consult(*interaction_, *target, std::string(text));
  if (!started) return error("cannot start the consultation: " + started.error().message);
  current_ = track(*started)->number;
  update_prompt();
}

// The state goes to the switch by PUBLISH; the next line waits for its answer (bounded), so a
// script's following lines see the new state.
void AgentShell::cmd_state(bool ready, std::string_view reason) {
  std::weak_ptr<int> alive = alive_;
  auto done = [this, alive](Result<client::AgentState> r) {
    if (alive.expired()) return;
    if (r) {
      say("state: " + client::describe(*r));
    } else {
      error("state not changed: " + r.error().message);
    }
    update_prompt();
    if (wait_ && wait_->what == WaitFor::StateSet) finish_wait(r.ok());
  };
  wait_ = Wait{WaitFor::StateSet, messages_received_};
  wait_timer_.expires_after(kDefaultWait);
  wait_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired() || !wait_ || wait_->what != WaitFor::StateSet) return;
    error("no answer about the state yet; going on");
    finish_wait(false);
  });
  if (ready) return agent_->set_ready(done);
  agent_->set_not_ready(std::string(reason), done);
}

void AgentShell::send_text(std::string text) {
  Tracked* t = current();
  if (!t || t->session->state() != client::SessionState::Connected)
    return error(
        "no connected session to send to: /im <agent> <text> starts one, /help lists "
        "the commands");
  auto r = t->session->send(std::move(text));
  if (!r) error(r.error().message);
}

// ---- waiting ---------------------------------------------------------------------------------

bool AgentShell::wait_satisfied() const {
  if (!wait_) return false;
  auto* self = const_cast<AgentShell*>(this);
  const Tracked* cur = self->current();
  switch (wait_->what) {
    case WaitFor::LoggedIn: return agent_ && agent_->logged_in();
    case WaitFor::Invitation: return self->oldest_invitation() != nullptr;
    case WaitFor::Connected: return cur && cur->session->state() == client::SessionState::Connected;
    case WaitFor::Ended:
      return !cur || cur->session->state() == client::SessionState::Ended ||
             cur->session->state() == client::SessionState::Done;
    case WaitFor::Message: return messages_received_ > wait_->messages_at_start;
    case WaitFor::StateSet: return false;  // finished by the PUBLISH's answer
    case WaitFor::Api: return false;       // finished by the API's answer
  }
  return false;
}

void AgentShell::finish_wait(bool satisfied) {
  if (!satisfied) wait_failed_ = true;
  wait_.reset();
  wait_timer_.cancel();
  // Run the held lines as a fresh event: this may be called from inside a client callback.
  std::weak_ptr<int> alive = alive_;
  boost::asio::post(executor_, [this, alive] {
    if (!alive.expired()) pump();
  });
}

// ---- quitting --------------------------------------------------------------------------------

void AgentShell::quit() {
  if (quitting_) return;
  quitting_ = true;
  wait_.reset();
  wait_timer_.cancel();
  for (auto& t : sessions_) {
    const auto st = t.session->state();
    if (st != client::SessionState::Ended && st != client::SessionState::Done &&
        st != client::SessionState::NotConnected)
      (void)t.session->end();
  }
  std::weak_ptr<int> alive = alive_;
  quit_timer_.expires_after(kQuitDeadline);
  quit_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    finish(wait_failed_ ? Exit::Failure : Exit::Ok);
  });
  if (agent_ && agent_->logged_in()) {
    agent_->logout([this, alive](Result<void>) {
      if (!alive.expired()) finish(wait_failed_ ? Exit::Failure : Exit::Ok);
    });
  } else {
    finish(wait_failed_ ? Exit::Failure : Exit::Ok);
  }
}

void AgentShell::finish(Exit code) {
  if (finished_) return;
  finished_ = true;
  quit_timer_.cancel();
  wait_timer_.cancel();
  if (on_exit) on_exit(code);
}

// ---- events from the agent -------------------------------------------------------------------

void AgentShell::on_logged_in(std::chrono::seconds expires) {
  if (!logged_in_once_) {
    logged_in_once_ = true;
    say("logged in as " + agent_->aor() + " for " + std::to_string(expires.count()) +
        " s (refreshed automatically); /help lists the commands");
  }
  update_prompt();
  if (wait_ && wait_satisfied()) finish_wait(true);
}

void AgentShell::on_login_failed(const Error& reason) {
  error("login failed: " + reason.message);
  if (!logged_in_once_) finish(Exit::LoginFailed);
}

void AgentShell::on_logged_out() {
  say("logged out");
  update_prompt();
}

void AgentShell::on_pager_message(const client::PagerMessage& m) {
  ++messages_received_;
  const std::string me = agent_->options().login;
  std::string line = paint_.dim() + "[" + clock_text(std::chrono::system_clock::now()) + "]" +
                     paint_.reset() + " (pager) ";
  if (m.copy) {
    line += "you to " + m.to + ", sent from another device: " + m.text;
  } else {
    line += paint_.colour(m.from, me) + paint_.bold() + m.from + paint_.reset() + ": " + m.text;
  }
  io_.print(line);
  if (wait_ && wait_satisfied()) finish_wait(true);
}

void AgentShell::on_invitation(const std::shared_ptr<client::ImSession>& session) {
  Tracked* t = track(session);
  const std::string n = std::to_string(t->number);
  std::string text = paint_.bold() + "* #" + n + " IM invitation from " + session->peer() +
                     paint_.reset() + ": \"" + session->first_text() + "\"";
  if (session->case_data()) text += "\n    " + case_data_text(*session->case_data());
  text += "\n    /accept " + n + " or /reject " + n;
  io_.print(text);
  update_prompt();
  if (wait_ && wait_satisfied()) finish_wait(true);
}

void AgentShell::on_session_state(const std::shared_ptr<client::ImSession>& session,
                                  const client::SessionStatus& status) {
  Tracked* t = track(session);
  std::string text =
      "#" + std::to_string(t->number) + " " + session->peer() + ": " + status_text(status);
  if (status.state == client::SessionState::Ended && !session->end_detail().empty())
    text += " (" + session->end_detail() + ")";
  if (status.state == client::SessionState::Ended)
    text += "; /done " + std::to_string(t->number) + " closes it";
  say(text);
  update_prompt();
  if (wait_ && wait_satisfied()) finish_wait(true);
}

void AgentShell::on_transcript_entry(const std::shared_ptr<client::ImSession>& session,
                                     const client::TranscriptEntry& entry) {
  Tracked* t = track(session);
  if (entry.direction == client::Direction::Received) ++messages_received_;
  // The first message of an invitation still open is shown with the invitation itself.
  if (is_open_invitation(*session)) return;
  std::string line = entry_line(entry, agent_->options().login, paint_);
  if (t->number != current_) line = "#" + std::to_string(t->number) + " " + line;
  io_.print(line);
  if (wait_ && wait_satisfied()) finish_wait(true);
}

void AgentShell::on_agent_state(const std::optional<client::AgentState>& state) {
  if (!state) say("state: the switch no longer holds it; its default applies (/ready, /notready)");
  update_prompt();
}

// ---- bookkeeping -----------------------------------------------------------------------------

AgentShell::Tracked* AgentShell::track(const std::shared_ptr<client::ImSession>& session) {
  for (auto& t : sessions_)
    if (t.session == session) return &t;
  sessions_.push_back(Tracked{next_number_++, session});
  return &sessions_.back();
}

AgentShell::Tracked* AgentShell::by_number(int number) {
  for (auto& t : sessions_)
    if (t.number == number) return &t;
  return nullptr;
}

AgentShell::Tracked* AgentShell::pick(std::string_view args, std::string_view command) {
  if (trim(args).empty()) {
    if (Tracked* t = current()) return t;
    error("/" + std::string(command) + ": no current session");
    return nullptr;
  }
  auto n = to_int(trim(args));
  Tracked* t = n ? by_number(*n) : nullptr;
  if (!t) error("/" + std::string(command) + ": no session " + std::string(trim(args)));
  return t;
}

AgentShell::Tracked* AgentShell::current() { return current_ ? by_number(current_) : nullptr; }

AgentShell::Tracked* AgentShell::oldest_invitation() {
  for (auto& t : sessions_)
    if (is_open_invitation(*t.session)) return &t;
  return nullptr;
}

void AgentShell::update_prompt() {
  if (!io_.set_prompt || !agent_) return;
  std::string plain = agent_->options().login;
  std::string coloured = paint_.colour(plain, plain) + plain + paint_.reset();
  const std::string badge = state_badge(agent_->agent_state());
  if (!badge.empty() && agent_->logged_in()) {
    plain += " " + badge;
    coloured += " " + badge;
  }
  if (const Tracked* t = current()) {
    const std::string part =
        " -> " + t->session->peer() + " [" + status_text(t->session->status()) + "]";
    plain += part;
    coloured += part;
  } else if (!agent_->logged_in()) {
    plain += " [offline]";
    coloured += " [offline]";
  }
  int invitations = 0;
  for (const auto& t : sessions_)
    if (is_open_invitation(*t.session)) ++invitations;
  if (invitations > 0) {
    const std::string part =
        " (" + std::to_string(invitations) + " invitation" + (invitations > 1 ? "s" : "") + ")";
    plain += part;
    coloured += paint_.bold() + part + paint_.reset();
  }
  plain += " > ";
  coloured += " > ";
  io_.set_prompt(coloured, plain.size());
}

void AgentShell::say(std::string_view text) {
  io_.print(paint_.dim() + "* " + std::string(text) + paint_.reset());
}

void AgentShell::error(std::string_view text) {
  io_.print((paint_.on ? "\x1b[31m! " : "! ") + std::string(text) + paint_.reset());
}

}  // namespace ims::tool
