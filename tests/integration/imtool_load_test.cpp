// `imtool load` against the real binary: a counted run whose JSON report counts exactly what
// happened and agrees with the switch's /metrics; sessions to agents and to a queue with
// declines asked for; failures counted by cause and setting the exit status; a second process
// answering with --answer and stopped by Ctrl-C; command lines and profiles refused with a
// clear reason.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/tool_process.hpp"

namespace ims::test {
namespace {

using json = nlohmann::json;

std::string imtool_binary() { return IMTOOL_BIN; }

// 40 agents load001..load040 (password pw-<login>), each taking 20 IM sessions at once, all of
// them members of queue 3100.
constexpr const char* kConfig = R"(
sip:
  domains: [127.0.0.1]
directory:
  generate:
    - { prefix: load, from: 1, to: 40, digits: 3, password: "pw-{login}", im_capacity: 20,
        skills: { load: 1 } }
  queues:
    - { number: "3100", name: Load, skills: load, distribution: longest_idle }
)";

class ImtoolLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SwitchOptions options;
    options.config = dir_.write("imswitch.yaml", kConfig);
    std::string error;
    sw_ = SwitchProcess::start(options, &error);
    ASSERT_TRUE(sw_) << error;
  }

  // `imtool load` at the switch; no progress lines unless the words ask for them.
  std::vector<std::string> load(std::vector<std::string> words) {
    std::vector<std::string> argv{imtool_binary(), "load", "--server", sw_->udp().hostport()};
    if (std::find(words.begin(), words.end(), "--progress") == words.end())
      words.insert(words.end(), {"--progress", "0"});
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
  }
  std::string api_url() const { return "http://" + sw_->http()->hostport(); }

  std::pair<ExitStatus, std::string> run(const std::vector<std::string>& argv) {
    ToolProcess p(argv, ToolProcess::Mode::Pipe);
    EXPECT_TRUE(p.started());
    p.close_input();
    auto st = p.wait_exit(120s);
    return {st, p.output()};
  }

  json read_json(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str(), nullptr, false);
  }

  // The switch's own count of responses sent for a method and status, over its cores.
  double responses_sent(const std::string& method, int code) {
    HttpClient c(*sw_->http());
    auto r = c.get("/metrics");
    EXPECT_TRUE(r);
    if (!r) return -1;
    const std::string labels =
        "method=\"" + method + "\",code=\"" + std::to_string(code) + "\"} ";
    double sum = 0;
    std::istringstream lines(r->body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("imswitch_sip_responses_sent_total{", 0) != 0) continue;
      const auto at = line.find(labels);
      if (at != std::string::npos) sum += std::stod(line.substr(at + labels.size()));
    }
    return sum;
  }

  static const json& op(const json& report, const std::string& key) {
    for (const auto& o : report["operations"])
      if (o["operation"] == key) return o;
    static const json none;
    return none;
  }

  ScratchDir dir_{"imtool-load"};
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(ImtoolLoadTest, ACountedRunReportsExactlyWhatHappenedAndAgreesWithTheSwitch) {
  const std::string report = dir_.path() + "/report.json";
  auto [st, out] = run(load({"--agents", "load{001..020}", "--count", "200", "--rate", "400",
                             "--api", api_url(), "--json", report}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out << sw_->log_tail();
  const json r = read_json(report);
  ASSERT_FALSE(r.is_discarded()) << out;
  EXPECT_EQ(r["schema"], "imtool-load/1");
  EXPECT_EQ(r["logged_in"], 20);
  EXPECT_EQ(r["scenarios"]["message"]["started"], 200);
  EXPECT_EQ(r["scenarios"]["message"]["completed"], 200);
  EXPECT_EQ(r["scenarios"]["session"]["started"], 0);
  EXPECT_EQ(op(r, "message")["ok"], 200);
  EXPECT_EQ(op(r, "message")["failed"], 0);
  EXPECT_EQ(op(r, "register_login")["ok"], 20);
  const auto& latency = op(r, "message")["latency_us"];
  EXPECT_GT(latency["p50"].get<double>(), 0);
  EXPECT_LE(latency["p50"].get<double>(), latency["p99"].get<double>());
  EXPECT_LE(latency["p99"].get<double>(), latency["max"].get<double>());
  EXPECT_EQ(r["delivery"]["lost"], 0);
  EXPECT_EQ(r["delivery"]["duplicated"], 0);
  EXPECT_EQ(r["answering"]["pager_received"], 200);
  EXPECT_EQ(r["unfinished"], 0);
  EXPECT_EQ(r["passed"], true);
  // The tool's comparison with /metrics, and the switch's counters read here.
  ASSERT_EQ(r["switch_metrics"]["error"], nullptr) << r["switch_metrics"].dump();
  for (const auto& row : r["switch_metrics"]["rows"])
    EXPECT_EQ(row["ours"], row["switch"]) << row.dump();
  EXPECT_EQ(responses_sent("MESSAGE", 200) + responses_sent("MESSAGE", 202), 200);
  // 20 logins and 20 logouts.
  EXPECT_EQ(responses_sent("REGISTER", 200), 40);
  EXPECT_NE(out.find("switch /metrics: agrees"), std::string::npos) << out;
}

TEST_F(ImtoolLoadTest, SessionsToAgentsAndToAQueueWithDeclinesAskedFor) {
  const std::string report = dir_.path() + "/sessions.json";
  auto [st, out] = run(load({"--agents", "load{001..030}", "--mix", "session=2,queue=1",
                             "--queue", "3100", "--decline", "0.25", "--count", "60", "--rate",
                             "100", "--session-messages", "2", "--api", api_url(), "--json",
                             report}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out << sw_->log_tail();
  const json r = read_json(report);
  ASSERT_FALSE(r.is_discarded()) << out;
  const auto& s = r["scenarios"]["session"];
  const auto& q = r["scenarios"]["queue"];
  EXPECT_EQ(s["started"].get<int>() + q["started"].get<int>(), 60);
  EXPECT_EQ(s["failed"], 0) << out;
  EXPECT_EQ(q["failed"], 0) << out;
  // Every session either went through or was declined, and about a quarter were declined.
  const int completed = s["completed"].get<int>() + q["completed"].get<int>();
  const int declined = s["declined"].get<int>() + q["declined"].get<int>();
  EXPECT_EQ(completed + declined, 60);
  EXPECT_GT(declined, 0);
  EXPECT_GT(completed, 0);
  // A queue offers a declined session to the next member, so the answering side may have
  // declined more than the initiators saw declined; it accepted exactly what went through.
  EXPECT_GE(r["answering"]["declined"].get<int>(), declined);
  EXPECT_EQ(r["answering"]["invitations"].get<int>(),
            r["answering"]["accepted"].get<int>() + r["answering"]["declined"].get<int>());
  EXPECT_EQ(r["answering"]["accepted"], completed);
  EXPECT_EQ(op(r, "invite_200")["ok"], s["completed"]);
  EXPECT_EQ(op(r, "queue_invite_200")["ok"], q["completed"]);
  EXPECT_EQ(op(r, "session_message")["ok"], 2 * completed);
  EXPECT_EQ(op(r, "bye")["ok"], completed);
  EXPECT_GE(op(r, "invite_180")["ok"].get<int>(), s["completed"].get<int>());
  for (const auto& row : r["switch_metrics"]["rows"])
    EXPECT_EQ(row["ours"], row["switch"]) << row.dump();
  EXPECT_EQ(responses_sent("INVITE", 200), completed);
  EXPECT_EQ(responses_sent("BYE", 200), completed);
}

TEST_F(ImtoolLoadTest, FailuresAreCountedByCauseAndSetTheExitStatus) {
  const std::string report = dir_.path() + "/ghosts.json";
  auto [st, out] = run(load({"--agents", "load{001..005}", "--targets", "ghost{1..3}",
                             "--count", "30", "--rate", "200", "--json", report}));
  ASSERT_TRUE(st.exited) << st.describe();
  EXPECT_EQ(st.code, 1) << out;  // 100 % failed, above the default 1 %
  const json r = read_json(report);
  ASSERT_FALSE(r.is_discarded()) << out;
  EXPECT_EQ(op(r, "message")["failures"]["404"], 30) << out;
  EXPECT_EQ(r["scenarios"]["message"]["failed"], 30);
  EXPECT_EQ(r["passed"], false);
  EXPECT_NE(out.find("MESSAGE 200/202: 404 x30"), std::string::npos) << out;
  // With a bound above it, the same run passes.
  auto [st2, out2] = run(load({"--agents", "load{001..005}", "--targets", "ghost{1..3}",
                               "--count", "5", "--rate", "200", "--max-failure-rate", "1"}));
  EXPECT_TRUE(st2.exited && st2.code == 0) << out2;
}

TEST_F(ImtoolLoadTest, ASecondProcessAnswersAndStopsCleanlyAtCtrlC) {
  ToolProcess answering(load({"--answer", "--agents", "load{011..020}", "--progress", "1"}),
                        ToolProcess::Mode::Pipe);
  ASSERT_TRUE(answering.started());
  answering.close_input();
  // Its first progress line comes once every agent is logged in.
  ASSERT_TRUE(answering.wait_for("running", 20s)) << answering.output();
  const std::string report = dir_.path() + "/sender.json";
  auto [st, out] = run(load({"--agents", "load{001..010}", "--targets", "load{011..020}",
                             "--mix", "session=1", "--count", "20", "--rate", "50",
                             "--session-messages", "1", "--json", report}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  const json r = read_json(report);
  EXPECT_EQ(r["scenarios"]["session"]["completed"], 20) << out;
  EXPECT_EQ(r["answering"]["invitations"], 0);  // the other process answered

  ::kill(answering.pid(), SIGINT);
  auto ast = answering.wait_exit(30s);
  ASSERT_TRUE(ast.exited) << ast.describe() << answering.output();
  EXPECT_EQ(ast.code, 0) << answering.output();
  const std::string& a = answering.output();
  EXPECT_NE(a.find("stopping"), std::string::npos) << a;
  EXPECT_NE(a.find("(interrupted)"), std::string::npos) << a;
  EXPECT_NE(a.find("answering: 20 invitations (20 accepted"), std::string::npos) << a;
}

TEST_F(ImtoolLoadTest, BadCommandLinesAndProfilesAreRefusedWithTheirReason) {
  auto usage = [&](std::vector<std::string> words, const std::string& says) {
    auto [st, out] = run(load(std::move(words)));
    EXPECT_TRUE(st.exited && st.code == 2) << st.describe() << out;
    EXPECT_NE(out.find(says), std::string::npos) << out;
  };
  usage({"--count", "5"}, "no agents");
  usage({"--agents", "load{001..005}"}, "give --duration or --count");
  usage({"--agents", "load{005..001}", "--count", "5"}, "a range is two numbers");
  usage({"--agents", "load{001..005}", "--count", "5", "--mix", "calls=1"},
        "'calls' is not message, session, queue or register");
  usage({"--agents", "load{001..005}", "--count", "5", "--mix", "queue=1"}, "needs --queue");
  usage({"--agents", "load{001..005}", "--duration", "soon"}, "--duration");
  const std::string profile = dir_.write("profile.yaml", "rate: 10\nduratoin: 5s\n");
  usage({"--agents", "load{001..005}", "--profile", profile}, "profile.yaml:2: duratoin: unknown key");
  // A profile's settings apply, and the command line wins over them.
  const std::string good = dir_.write(
      "good.yaml", "agents: 'load{001..004}'\ncount: 8\nrate: 1000\nmix: { message: 1 }\n");
  const std::string report = dir_.path() + "/profile.json";
  auto [st, out] = run(load({"--profile", good, "--count", "12", "--json", report}));
  ASSERT_TRUE(st.exited && st.code == 0) << out;
  const json r = read_json(report);
  EXPECT_EQ(r["logged_in"], 4);
  EXPECT_EQ(r["scenarios"]["message"]["completed"], 12);
}

}  // namespace
}  // namespace ims::test
