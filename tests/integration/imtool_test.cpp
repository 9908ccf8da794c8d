// imtool against the real switch: the one-shot commands (exit status, text and JSON), the
// scripted agent on a pipe, and the interactive agent in a pseudo-terminal as a person sees it.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/tool_process.hpp"

namespace ims::test {
namespace {

std::string imtool_binary() { return IMTOOL_BIN; }

class ImtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    sw_ = SwitchProcess::start(im_switch_options(), &error);
    ASSERT_TRUE(sw_) << error;
  }
  void TearDown() override {
    if (sw_) {
      auto st = sw_->stop();
      EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << sw_->log_tail();
    }
  }

  std::vector<std::string> command(std::string_view sub, std::string_view login,
                                   std::string transport = "udp") {
    const Listener l = transport == "tcp" ? sw_->tcp() : sw_->udp();
    return {imtool_binary(), std::string(sub),   "--server",    "127.0.0.1:" + std::to_string(l.port),
            "--transport",   transport,          "--login",     std::string(login),
            "--password",    "pw-" + std::string(login)};
  }

  // Runs a one-shot command to its end; returns the exit status and the output.
  std::pair<ExitStatus, std::string> run(std::vector<std::string> argv) {
    ToolProcess p(argv, ToolProcess::Mode::Pipe);
    EXPECT_TRUE(p.started());
    p.close_input();
    auto st = p.wait_exit(60s);
    return {st, p.output()};
  }

  // A scripted `imtool agent` (stdin a pipe), logged in.
  std::unique_ptr<ToolProcess> scripted_agent(std::string_view login, std::string transport = "udp") {
    auto p = std::make_unique<ToolProcess>(command("agent", login, transport), ToolProcess::Mode::Pipe);
    EXPECT_TRUE(p->wait_for("logged in as", 10s)) << p->output();
    return p;
  }

  std::unique_ptr<SwitchProcess> sw_;
};

nlohmann::json last_json_line(const std::string& out) {
  auto start = out.rfind("\n{");
  start = start == std::string::npos ? out.find('{') : start + 1;
  if (start == std::string::npos) return {};
  return nlohmann::json::parse(out.substr(start), nullptr, false);
}

TEST_F(ImtoolTest, SendToAnOfflineAgentIsStoredAndSaysSoInJson) {
  auto argv = command("send", "alice");
  argv.insert(argv.end(), {"bob", "hello bob", "--json"});
  auto [st, out] = run(argv);
  EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  auto j = last_json_line(out);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["status"], 202);
  EXPECT_EQ(j["result"], "stored");
  EXPECT_EQ(j["target"], "bob");
  EXPECT_EQ(j["exit"], 0);
}

TEST_F(ImtoolTest, SendToALoggedInAgentIsDeliveredAndShownThere) {
  auto bob = scripted_agent("bob", "tcp");
  auto argv = command("send", "alice");
  argv.insert(argv.end(), {"bob", "are you there?"});
  auto [st, out] = run(argv);
  EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  EXPECT_NE(out.find("delivered to bob"), std::string::npos) << out;
  EXPECT_TRUE(bob->wait_for("(pager) alice: are you there?", 10s)) << bob->output();
  bob->close_input();  // end of the script: the agent logs out and leaves
  auto bst = bob->wait_exit(10s);
  EXPECT_TRUE(bst.exited && bst.code == 0) << bst.describe() << "\n" << bob->output();
  EXPECT_NE(bob->output().find("logged out"), std::string::npos) << bob->output();
}

TEST_F(ImtoolTest, ExitStatusSaysWhatWentWrong) {
  {
    auto argv = command("send", "alice");
    argv[argv.size() - 1] = "wrong-password";
    argv.insert(argv.end(), {"bob", "x"});
    auto [st, out] = run(argv);
    EXPECT_TRUE(st.exited && st.code == 3) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("login failed"), std::string::npos) << out;
  }
  {
    auto argv = command("send", "alice");
    argv.insert(argv.end(), {"nobody", "x", "--json"});
    auto [st, out] = run(argv);
    EXPECT_TRUE(st.exited && st.code == 5) << st.describe() << "\n" << out;
    EXPECT_EQ(last_json_line(out)["exit"], 5) << out;
  }
  {
    auto argv = command("send", "alice");
    argv[3] = "127.0.0.1:99999";
    argv.insert(argv.end(), {"bob", "x"});
    auto [st, out] = run(argv);
    EXPECT_TRUE(st.exited && st.code == 2) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("--server"), std::string::npos) << out;
  }
  {
    auto [st, out] = run({imtool_binary(), "send", "--login", "alice"});
    EXPECT_TRUE(st.exited && st.code == 2) << st.describe() << "\n" << out;
  }
}

TEST_F(ImtoolTest, ImAcceptedByAScriptedAgentPrintsTheSharedTranscript) {
  auto bob = scripted_agent("bob");
  bob->write("/wait invitation 20\n/accept\nfine, thanks\n/end\n/wait ended 20\n");
  auto argv = command("im", "alice", "tcp");
  argv.insert(argv.end(), {"bob", "hello bob", "--wait", "--json", "--timeout", "30"});
  auto [st, out] = run(argv);
  EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out << "\n" << bob->output();
  auto j = last_json_line(out);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["outcome"], "accepted");
  EXPECT_EQ(j["end_reason"], "ended by the other side");
  ASSERT_EQ(j["transcript"].size(), 2u) << out;
  EXPECT_EQ(j["transcript"][0]["login"], "alice");
  EXPECT_EQ(j["transcript"][0]["text"], "hello bob");
  EXPECT_EQ(j["transcript"][1]["login"], "bob");
  EXPECT_EQ(j["transcript"][1]["text"], "fine, thanks");
  EXPECT_LT(j["transcript"][0]["seq"].get<int>(), j["transcript"][1]["seq"].get<int>());
  EXPECT_TRUE(bob->wait_for("IM invitation from alice: \"hello bob\"", 5s)) << bob->output();
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// The transcript outlives the switch: after a restart, `imswitch --transcripts` shows it.
TEST_F(ImtoolTest, TranscriptIsStillThereAfterARestart) {
  ScratchDir dir("imtool-restart");
  const std::string store = dir.path() + "/imswitch.db";
  sw_->stop();
  SwitchOptions o = im_switch_options();
  o.store = store;
  std::string error;
  sw_ = SwitchProcess::start(o, &error);
  ASSERT_TRUE(sw_) << error;
  auto bob = scripted_agent("bob");
  bob->write("/wait invitation 20\n/accept\nsee you\n/end\n/wait ended 20\n");
  auto argv = command("im", "alice");
  argv.insert(argv.end(), {"bob", "before the restart", "--wait", "--timeout", "30"});
  auto [st, out] = run(argv);
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();

  auto stopped = sw_->stop();
  EXPECT_TRUE(stopped.exited && stopped.code == 0) << stopped.describe();
  sw_ = SwitchProcess::start(o, &error);
  ASSERT_TRUE(sw_) << error;
  auto [pst, printed] = run({imswitch_binary(), "--config", o.config, "--store", store,
                             "--transcripts", "5"});
  EXPECT_TRUE(pst.exited && pst.code == 0) << pst.describe() << "\n" << printed;
  EXPECT_NE(printed.find("alice -> bob"), std::string::npos) << printed;
  EXPECT_NE(printed.find(": bye by bob  (2 messages)"), std::string::npos) << printed;
  const auto first = printed.find("#1 alice: before the restart");
  const auto second = printed.find("#2 bob: see you");
  EXPECT_TRUE(first != std::string::npos && second != std::string::npos && first < second)
      << printed;
}

TEST_F(ImtoolTest, ImOutcomesHaveTheirExitStatus) {
  auto bob = scripted_agent("bob");
  bob->write("/wait invitation 20\n/reject\n");
  auto argv = command("im", "alice");
  argv.insert(argv.end(), {"bob", "quick question"});
  auto [st, out] = run(argv);
  EXPECT_TRUE(st.exited && st.code == 7) << st.describe() << "\n" << out;
  EXPECT_NE(out.find("rejected"), std::string::npos) << out;

  argv = command("im", "alice");
  argv.insert(argv.end(), {"nobody", "hi"});
  auto [st404, out404] = run(argv);
  EXPECT_TRUE(st404.exited && st404.code == 5) << st404.describe() << "\n" << out404;

  // leo lacks the im task (config/imswitch.yaml): 403.
  argv = command("im", "alice");
  argv.insert(argv.end(), {"leo", "hi"});
  auto [st403, out403] = run(argv);
  EXPECT_TRUE(st403.exited && st403.code == 6) << st403.describe() << "\n" << out403;
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// A queue is invited like an agent: the member who takes it is named, also in the JSON.
TEST_F(ImtoolTest, ImToAQueueSaysWhoTookIt) {
  auto bob = scripted_agent("bob");
  bob->write("/wait invitation 20\n/accept\n/wait ended 20\n");
  // Queue 2001 (config/imswitch.yaml): alice, bob, carol, dave, kim, round robin; alice asks
  // it, and of the others only bob is logged in.
  auto argv = command("im", "alice");
  argv.insert(argv.end(), {"2001", "who can take a refund?", "-m", "thanks", "--json"});
  auto [st, out] = run(argv);
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  auto j = last_json_line(out);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j.value("outcome", ""), "accepted");
  EXPECT_EQ(j.value("answered_by", ""), "bob");
  EXPECT_EQ(j.value("queue", ""), "2001");
  ASSERT_TRUE(j["transcript"].is_array());
  ASSERT_EQ(j["transcript"].size(), 2u);
  EXPECT_EQ(j["transcript"][0].value("login", ""), "alice");
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// A consultation from the active interaction: the target sees its case data, read-only.
TEST_F(ImtoolTest, ConsultationCarriesTheInteractionsCaseData) {
  auto bob = scripted_agent("bob", "tcp");
  bob->write("/wait invitation 20\n/accept\n/wait ended 20\n");
  auto alice = scripted_agent("alice");
  alice->write("/interaction voice 4711 customer=ACME order=17\n"
               "/consult bob can you check this order?\n/wait connected 20\n/end\n"
               "/wait ended 20\n");
  ASSERT_TRUE(bob->wait_for("IM invitation from alice: \"can you check this order?\"", 10s))
      << bob->output();
  EXPECT_TRUE(bob->wait_for("consultation about voice 4711 (read-only): customer=ACME, order=17",
                            5s))
      << bob->output();
  EXPECT_TRUE(bob->wait_for("alice: Ended: ended by the other side", 10s)) << bob->output();
  alice->close_input();
  bob->close_input();
  EXPECT_EQ(alice->wait_exit(10s).code, 0) << alice->output();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// The interactive agent in a terminal: what alice sees while she chats with bob.
TEST_F(ImtoolTest, InteractiveAgentInATerminalShowsStatesAndTranscript) {
  auto bob = scripted_agent("bob");
  ToolProcess alice(command("agent", "alice"), ToolProcess::Mode::Pty, {"TZ=UTC"});
  ASSERT_TRUE(alice.wait_for("logged in as sip:alice@", 10s)) << alice.screen().text();
  ASSERT_TRUE(alice.wait_for("alice >", 5s)) << alice.screen().text();

  // Typing with line editing: a typo fixed with Backspace before Enter.
  alice.write("/im bob hello bpb\x7f\x7f" "ob\r");
  ASSERT_TRUE(bob->wait_for("IM invitation from alice: \"hello bob\"", 10s)) << bob->output();
  ASSERT_TRUE(alice.wait_for("bob: Establishing", 5s)) << alice.screen().text();
  bob->write("/accept\nhi alice\n");
  ASSERT_TRUE(alice.wait_for("bob: Connected", 10s)) << alice.screen().text();
  ASSERT_TRUE(alice.wait_for("] bob: hi alice", 10s)) << alice.screen().text();
  EXPECT_NE(alice.screen().text().find("] alice: hello bob"), std::string::npos)
      << alice.screen().text();

  // A message arrives while alice is typing: her half-typed line stays intact below it.
  alice.write("how are");
  ASSERT_TRUE(alice.wait_for("how are", 5s));
  bob->write("still there?\n");
  ASSERT_TRUE(alice.wait_for("] bob: still there?\nalice -> bob [Connected] > how are\n", 10s))
      << alice.screen().text();
  EXPECT_EQ(alice.screen().cursor_line(), "alice -> bob [Connected] > how are")
      << alice.screen().text();
  alice.write(" you\r");
  ASSERT_TRUE(bob->wait_for("alice: how are you", 10s)) << bob->output();

  // bob ends the session; alice sees why, closes it, and leaves.
  bob->write("/end\n");
  ASSERT_TRUE(alice.wait_for("bob: Ended: ended by the other side", 10s)) << alice.screen().text();
  alice.write("/done\r/quit\r");
  auto st = alice.wait_exit(10s);
  EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << alice.screen().text();
  // In order, as both saw them: the transcript lines on alice's screen.
  const std::string screen = alice.screen().text();
  const auto a = screen.find("] alice: hello bob");
  const auto b = screen.find("] bob: hi alice");
  const auto c = screen.find("] bob: still there?");
  const auto d = screen.find("] alice: how are you");
  EXPECT_TRUE(a < b && b < c && c < d) << screen;
  // Each party in a colour of its own: alice (herself) green, bob another one.
  EXPECT_NE(alice.output().find("\x1b[32m\x1b[1malice\x1b[0m: hello bob"), std::string::npos);
  const auto bob_line = alice.output().find("\x1b[1mbob\x1b[0m: hi alice");
  ASSERT_NE(bob_line, std::string::npos);
  EXPECT_NE(alice.output().substr(bob_line - 5, 5), "\x1b[32m");
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// /notready and /ready set the agent's state on the switch (PUBLISH, PRODUCT §2); the prompt
// shows it, and a script's next line waits for the switch's answer.
TEST_F(ImtoolTest, ReadyAndNotReadySetTheStateThePromptShows) {
  ToolProcess alice(command("agent", "alice"), ToolProcess::Mode::Pty, {"TZ=UTC"});
  ASSERT_TRUE(alice.wait_for("alice >", 10s)) << alice.screen().text();
  alice.write("/notready lunch\r");
  ASSERT_TRUE(alice.wait_for("state: Not Ready: lunch", 10s)) << alice.screen().text();
  ASSERT_TRUE(alice.wait_for("alice [Not Ready: lunch] >", 5s)) << alice.screen().text();
  EXPECT_TRUE(sw_->wait_for_log("agent alice: Not Ready (lunch), by PUBLISH", 1, 5s));
  alice.write("/ready\r");
  ASSERT_TRUE(alice.wait_for("alice [Ready] >", 10s)) << alice.screen().text();
  EXPECT_TRUE(sw_->wait_for_log("agent alice: Ready, by PUBLISH", 1, 5s));
  alice.write("/help\r");
  ASSERT_TRUE(alice.wait_for("/notready [reason]", 5s)) << alice.screen().text();
  alice.write("/quit\r");
  auto st = alice.wait_exit(10s);
  EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << alice.screen().text();

  auto bob = scripted_agent("bob");
  bob->write("/notready in a meeting\n/ready\n");
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
  const std::string out = bob->output();
  const auto not_ready = out.find("state: Not Ready: in a meeting");
  const auto ready = out.find("state: Ready");
  EXPECT_TRUE(not_ready != std::string::npos && ready != std::string::npos && not_ready < ready)
      << out;
}

}  // namespace
}  // namespace ims::test
