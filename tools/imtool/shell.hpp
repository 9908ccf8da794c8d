#pragma once
// AgentShell: the interactive agent of `imtool agent`, on the client library. It reads lines (a
// person at a terminal or a script on stdin), runs commands, and prints what happens: logins,
// invitations with their first message and case data, session states, transcript lines with
// each party's login, time and colour, pager messages.
//
// A line starting with '/' is a command; "im", "accept", "reject", "sessions", "help" and
// "quit" also work without the slash while no session is connected. Any other line is sent to
// the current session. /wait lets a script wait for an event (bounded) before its next line;
// /ready and /notready, and the commands on the switch's HTTP API (/search, /transcripts,
// /contact, /history: shell_api.cpp), hold the next line until the switch has answered.
//
// Owner: the agent front end (main). Strand: the executor given to the constructor, shared
// with the Agent and the Console; every call is made there.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include "client/agent.hpp"
#include "client/api_client.hpp"
#include "client/interaction.hpp"
#include "tools/imtool/render.hpp"

namespace ims::tool {

// Where the shell writes: print() one or more lines, set_prompt() the status prompt (its text
// and its width in columns, without colour sequences).
struct ShellIo {
  std::function<void(std::string_view)> print;
  std::function<void(std::string prompt, std::size_t width)> set_prompt;
  bool colours = false;
};

class AgentShell final : public client::AgentEvents {
 public:
  AgentShell(boost::asio::any_io_executor executor, ShellIo io);
  ~AgentShell() override;

  // The agent the shell drives; set before start(). The shell is its AgentEvents.
  void attach(client::Agent& agent);
  // The switch's HTTP API, as the same agent; set before start(). Without it the API commands
  // say so.
  void attach_api(client::ApiClient& api);
  // Logs in. A failed first login ends the shell with Exit::LoginFailed.
  void start();
  // Input. Lines run in order; a /wait holds the ones after it.
  void on_line(std::string line);
  // No more input: quit once the queued lines have run.
  void on_end_of_input();
  // Ends every session, logs out and then calls on_exit (bounded by a deadline).
  void quit();
  // Called once, when the shell is finished, with the exit status.
  std::function<void(Exit)> on_exit;

  // client::AgentEvents
  void on_logged_in(std::chrono::seconds expires) override;
  void on_login_failed(const Error& reason) override;
  void on_logged_out() override;
  void on_pager_message(const client::PagerMessage& message) override;
  void on_invitation(const std::shared_ptr<client::ImSession>& session) override;
  void on_session_state(const std::shared_ptr<client::ImSession>& session,
                        const client::SessionStatus& status) override;
  void on_transcript_entry(const std::shared_ptr<client::ImSession>& session,
                           const client::TranscriptEntry& entry) override;
  void on_agent_state(const std::optional<client::AgentState>& state) override;

 private:
  struct Tracked {
    int number = 0;
    std::shared_ptr<client::ImSession> session;
  };
  enum class WaitFor { LoggedIn, Invitation, Connected, Ended, Message, StateSet, Api };
  struct Wait {
    WaitFor what;
    std::uint64_t messages_at_start = 0;
  };

  void pump();
  void run(std::string_view line);
  bool is_bare_command(std::string_view word) const;
  void cmd_help();
  void cmd_im(std::string_view args);
  void cmd_accept(std::string_view args, bool accept);
  void cmd_end(std::string_view args);
  void cmd_done(std::string_view args);
  void cmd_sessions();
  void cmd_switch(std::string_view args);
  void cmd_transcript(std::string_view args);
  void cmd_send(std::string_view args);
  void cmd_wait(std::string_view args);
  void cmd_interaction(std::string_view args);
  void cmd_consult(std::string_view args);
  void cmd_state(bool ready, std::string_view reason);
  void send_text(std::string text);
  // shell_api.cpp: the commands on the HTTP API.
  void cmd_search(std::string_view args);
  void cmd_transcripts(std::string_view args);
  void cmd_contact(std::string_view args);
  void cmd_history(std::string_view args);
  // /interaction <file> and /interaction <kind> <id> <file>: case data from a JSON file.
  void interaction_from_file(std::string_view kind_word, std::string_view id,
                             std::string_view path);
  // What /im and /consult address: hit n of the last /search for "n" or "#n", else the word.
  std::optional<std::string> resolve_target(std::string_view word);
  // The contact of the current session's case data; "" (and an error printed) when none.
  std::string current_contact(std::string_view command);
  // Holds the next lines until done_api() (bounded by the client's time-out); false (and an
  // error printed) without an API client.
  bool begin_api(std::string_view command);
  void done_api(bool ok);

  Tracked* track(const std::shared_ptr<client::ImSession>& session);
  Tracked* by_number(int number);
  // "" -> the current session; "3" or "#3" -> session 3; else an error is printed.
  Tracked* pick(std::string_view args, std::string_view command);
  Tracked* current();
  Tracked* oldest_invitation();
  bool wait_satisfied() const;
  void finish_wait(bool satisfied);
  void update_prompt();
  void say(std::string_view text);  // a "* ..." notice line
  void error(std::string_view text);
  void finish(Exit code);

  boost::asio::any_io_executor executor_;
  ShellIo io_;
  Paint paint_;
  client::Agent* agent_ = nullptr;
  client::ApiClient* api_ = nullptr;
  std::optional<nlohmann::json> last_search_;  // the last /search's answer, for /im <n>
  std::vector<Tracked> sessions_;
  std::optional<client::Interaction> interaction_;  // the active one, for /consult
  int next_number_ = 1;
  int current_ = 0;  // number of the current session, 0: none
  std::deque<std::string> input_;
  std::optional<Wait> wait_;
  boost::asio::steady_timer wait_timer_;
  boost::asio::steady_timer quit_timer_;
  std::uint64_t messages_received_ = 0;
  bool logged_in_once_ = false;
  bool end_of_input_ = false;
  bool quitting_ = false;
  bool finished_ = false;
  bool wait_failed_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// Splits "word rest of line" into the first word and the rest (leading spaces removed).
std::pair<std::string_view, std::string_view> split_word(std::string_view line);

}  // namespace ims::tool
