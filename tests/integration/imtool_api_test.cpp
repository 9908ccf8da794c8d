// imtool's commands on the switch's HTTP API, against the real binary with config/imswitch.yaml's
// directory: `imtool search` (JSON and text, states), exit statuses for a wrong password, an
// unreachable API and nothing found, `imtool transcripts` finding a session held by client-library
// agents, `imtool queues`, `imtool state`, `imtool contacts import`; and in `imtool agent`,
// /search then /im <n> reaching the right agent, /interaction from a file, and the consulted
// agent's /contact and /history.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "client/interaction.hpp"
#include "tests/integration/agent_client.hpp"
#include "tests/integration/api_client.hpp"
#include "tests/integration/client_harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/tool_process.hpp"

namespace ims::test {
namespace {

using nlohmann::json;
using client::SessionState;
using Session = std::shared_ptr<client::ImSession>;

constexpr std::string_view kToken = "imtool-api-admin-token";

std::string imtool_binary() { return IMTOOL_BIN; }

json last_json_line(const std::string& out) {
  auto start = out.rfind("\n{");
  start = start == std::string::npos ? out.find('{') : start + 1;
  if (start == std::string::npos) return {};
  return json::parse(out.substr(start), nullptr, false);
}

class ImtoolApiTest : public ClientFixture {
 protected:
  void SetUp() override {
    const std::string yaml =
        sample_config_with({{"admin_token", "\"" + std::string(kToken) + "\""}});
    ASSERT_FALSE(yaml.empty());
    start_switch(yaml);
    ASSERT_TRUE(switch_->http());
  }

  std::string api_url() const {
    return "http://127.0.0.1:" + std::to_string(switch_->http()->port);
  }

  // imtool <words...> --api <the switch's> as `login` (password pw-<login>).
  std::vector<std::string> as(std::string_view login, std::vector<std::string> words) {
    std::vector<std::string> argv{imtool_binary()};
    argv.insert(argv.end(), words.begin(), words.end());
    argv.insert(argv.end(), {"--api", api_url(), "--login", std::string(login), "--password",
                             "pw-" + std::string(login)});
    return argv;
  }
  std::vector<std::string> as_admin(std::vector<std::string> words) {
    std::vector<std::string> argv{imtool_binary()};
    argv.insert(argv.end(), words.begin(), words.end());
    argv.insert(argv.end(), {"--api", api_url(), "--token", std::string(kToken)});
    return argv;
  }

  // Runs a one-shot command to its end: its exit status and output.
  std::pair<ExitStatus, std::string> run(const std::vector<std::string>& argv,
                                         const std::vector<std::string>& env = {}) {
    ToolProcess p(argv, ToolProcess::Mode::Pipe, env);
    EXPECT_TRUE(p.started());
    p.close_input();
    auto st = p.wait_exit(60s);
    return {st, p.output()};
  }

  // `imtool agent` as login (SIP over UDP, the API at the switch's), a script on stdin.
  std::unique_ptr<ToolProcess> scripted_agent(std::string_view login) {
    const Listener udp = switch_->udp();
    std::vector<std::string> argv{imtool_binary(), "agent",      "--server",
                                  udp.hostport(),  "--login",    std::string(login),
                                  "--password",    "pw-" + std::string(login),
                                  "--api",         api_url()};
    return std::make_unique<ToolProcess>(argv, ToolProcess::Mode::Pipe);
  }

  json get_as_admin(const std::string& target) {
    HttpClient c(*switch_->http());
    auto r = admin_request(c, "GET", target, kToken);
    EXPECT_TRUE(r);
    if (!r) return {};
    return json{{"status", r->status}, {"body", json::parse(r->body, nullptr, false)}};
  }

  // alice and bob (client library) hold a session with these two messages; it has ended when
  // this returns and its transcript is in the store.
  void hold_session(const std::string& first, const std::string& reply) {
    ClientAgent& alice = logged_in_agent("alice");
    ClientAgent& bob = logged_in_agent("bob");
    Session out = loop_.on_strand([&] {
      Session s = alice.agent->new_session();
      EXPECT_TRUE(s->start("bob", first).ok());
      return s;
    });
    Session in = bob.events.wait_invitation();
    ASSERT_TRUE(in) << switch_->log_tail();
    ASSERT_TRUE(loop_.on_strand([&] { return in->accept(); }).ok());
    ASSERT_TRUE(alice.events.wait_state(out, SessionState::Connected));
    ASSERT_TRUE(loop_.on_strand([&] { return in->send(reply); }).ok());
    ASSERT_TRUE(alice.events.wait_entries(out, 2));
    ASSERT_TRUE(loop_.on_strand([&] { return out->end(); }).ok());
    ASSERT_TRUE(bob.events.wait_state(in, SessionState::Ended));
    ASSERT_TRUE(switch_->wait_for_log("ended: bye by alice", 1, 5s)) << switch_->log_tail(10);
    // A REGISTER's 200 waits for its binding's commit, after every write queued before it: the
    // session's records are in the store once carol is logged in.
    logged_in_agent("carol");
  }
};

TEST_F(ImtoolApiTest, SearchFindsAliceMartinWithHerState) {
  logged_in_agent("alice");
  auto [st, out] = run(as("bob", {"search", "mar", "--json"}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  const json j = last_json_line(out);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["exit"], 0);
  ASSERT_FALSE(j["hits"].empty()) << out;
  const json& alice = j["hits"][0];
  EXPECT_EQ(alice["login"], "alice");
  EXPECT_EQ(alice["display_name"], "Alice Martin");
  EXPECT_EQ(alice["state"], "ready");

  // Not Ready with a reason, as she published it; the text form shows it on her line.
  auto& a = agents_.front();
  auto published = std::make_shared<std::promise<Result<client::AgentState>>>();
  auto done = published->get_future();
  loop_.on_strand([&] {
    a->agent->set_not_ready("lunch", [published](Result<client::AgentState> r) {
      published->set_value(std::move(r));
    });
  });
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  ASSERT_TRUE(done.get().ok());
  auto [tst, text] = run(as("bob", {"search", "mar"}));
  ASSERT_TRUE(tst.exited && tst.code == 0) << tst.describe() << "\n" << text;
  EXPECT_NE(text.find("Alice Martin  alice  agent  not ready (lunch)  alice@example.com  1001"),
            std::string::npos)
      << text;
}

TEST_F(ImtoolApiTest, ExitStatusSaysWhatWentWrong) {
  {
    auto argv = as("bob", {"search", "mar"});
    argv.back() = "wrong-password";
    auto [st, out] = run(argv);
    EXPECT_TRUE(st.exited && st.code == 3) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("imtool: 401: wrong login or password"), std::string::npos) << out;
  }
  {
    auto argv = as_admin({"queues", "--json"});
    argv.back() = "not-the-admin-token";
    auto [st, out] = run(argv);
    EXPECT_TRUE(st.exited && st.code == 3) << st.describe() << "\n" << out;
    EXPECT_EQ(last_json_line(out)["status"], 401) << out;
  }
  {
    auto [st, out] = run(as("bob", {"search", "zzqqxx", "--json"}));
    EXPECT_TRUE(st.exited && st.code == 5) << st.describe() << "\n" << out;
    EXPECT_EQ(last_json_line(out)["count"], 0) << out;
  }
  {
    auto [st, out] = run(as("bob", {"queues", "9999"}));
    EXPECT_TRUE(st.exited && st.code == 5) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("404: no such queue"), std::string::npos) << out;
  }
  {
    // Nobody listens on the port the switch's HTTP API had once it is gone.
    auto argv = as("bob", {"search", "mar"});
    const ExitStatus stopped = switch_->stop();
    EXPECT_TRUE(stopped.exited && stopped.code == 0) << stopped.describe();
    auto [st, out] = run(argv);
    EXPECT_TRUE(st.exited && st.code == 4) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("cannot reach 127.0.0.1:"), std::string::npos) << out;
    switch_.reset();
  }
  {
    auto [st, out] = run({imtool_binary(), "search", "mar", "--api", "https://127.0.0.1:1",
                          "--login", "bob", "--password", "x"});
    EXPECT_TRUE(st.exited && st.code == 2) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("--api"), std::string::npos) << out;
  }
  {
    auto [st, out] = run({imtool_binary(), "search", "mar", "--api", "http://127.0.0.1:1"},
                         {"IMTOOL_ADMIN_TOKEN="});
    EXPECT_TRUE(st.exited && st.code == 2) << st.describe() << "\n" << out;
    EXPECT_NE(out.find("--login"), std::string::npos) << out;
  }
}

TEST_F(ImtoolApiTest, TranscriptsFindAWordOfASessionHeldThroughTheClientLibrary) {
  hold_session("Is the Zanzibar shipment late?", "It left the port yesterday.");
  auto [st, out] = run(as("alice", {"transcripts", "zanzibar"}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  EXPECT_NE(out.find("alice -> bob: Is the «Zanzibar» shipment late?"), std::string::npos) << out;

  auto [jst, jout] = run(as("bob", {"transcripts", "port", "yesterday", "--json", "--since", "1h"}));
  ASSERT_TRUE(jst.exited && jst.code == 0) << jst.describe() << "\n" << jout;
  const json j = last_json_line(jout);
  ASSERT_EQ(j["count"], 1) << jout;
  EXPECT_EQ(j["hits"][0]["sender"], "bob");
  EXPECT_EQ(j["hits"][0]["recipient"], "alice");

  auto [ust, uout] = run(as("bob", {"transcripts", "zanzibar", "--until", "2020-01-01"}));
  EXPECT_TRUE(ust.exited && ust.code == 5) << ust.describe() << "\n" << uout;
  auto [cst, cout] = run(as("carol", {"transcripts", "zanzibar"}));
  EXPECT_TRUE(cst.exited && cst.code == 5) << "not carol's session\n" << cout;
  auto [ast, aout] = run(as_admin({"transcripts", "zanzibar", "--party", "alice", "--all"}));
  EXPECT_TRUE(ast.exited && ast.code == 0) << ast.describe() << "\n" << aout;
  auto [bst, bout] = run(as("bob", {"transcripts", "zanzibar", "--since", "yesterday"}));
  EXPECT_TRUE(bst.exited && bst.code == 2) << bst.describe() << "\n" << bout;
}

TEST_F(ImtoolApiTest, QueuesShowEachQueueAndOneInDetail) {
  logged_in_agent("bob");
  auto [st, out] = run(as("alice", {"queues"}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  EXPECT_NE(out.find("2001  Sales  0 waiting"), std::string::npos) << out;
  EXPECT_NE(out.find("2002  Support"), std::string::npos) << out;

  auto [dst, detail] = run(as("alice", {"queues", "2001"}));
  ASSERT_TRUE(dst.exited && dst.code == 0) << dst.describe() << "\n" << detail;
  EXPECT_NE(detail.find("members:"), std::string::npos) << detail;
  EXPECT_NE(detail.find("Bob Durand    bob    ready"), std::string::npos) << detail;
  EXPECT_NE(detail.find("Alice Martin  alice  logged out"), std::string::npos) << detail;

  auto [jst, jout] = run(as("alice", {"queues", "2001", "--json"}));
  ASSERT_TRUE(jst.exited && jst.code == 0) << jout;
  EXPECT_EQ(last_json_line(jout)["number"], "2001");
}

TEST_F(ImtoolApiTest, TheShellsSearchNumbersHitsForIm) {
  ClientAgent& alice = logged_in_agent("alice");
  auto bob = scripted_agent("bob");
  bob->write("/wait loggedin 10\n/search martin\n/im 1 hello from the search\n");
  Session in = alice.events.wait_invitation(0, 10s);
  ASSERT_TRUE(in) << bob->output();
  EXPECT_EQ(loop_.on_strand([&] { return in->peer(); }), "bob");
  EXPECT_EQ(loop_.on_strand([&] { return in->first_text(); }), "hello from the search");
  EXPECT_TRUE(bob->wait_for("1.  Alice Martin  alice  agent  ready", 10s)) << bob->output();
  // A number past the hits, with #, is refused; a login still works as before.
  bob->write("/im #5 x\n/transcripts nothingsaidyet\n");
  EXPECT_TRUE(bob->wait_for("no hit #5 in the last /search", 10s)) << bob->output();
  EXPECT_TRUE(bob->wait_for("no transcript of yours has \"nothingsaidyet\"", 10s))
      << bob->output();
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// /interaction <file.json> loads the interaction a consultation carries; the invited agent gets
// its case data, contact_id included, as sent.
TEST_F(ImtoolApiTest, AConsultationFromAnInteractionFileCarriesItsCaseData) {
  ScratchDir dir("imtool-interaction");
  client::Interaction call(client::InteractionKind::Voice, "call-7");
  call.set("contact_id", std::string("c-42"));
  call.set("order", std::string("17"));
  const std::string file = dir.write("call.json", call.to_json());
  const std::string case_only = dir.write("case.json", R"({"contact_id":"c-43"})");
  ClientAgent& alice = logged_in_agent("alice");
  auto bob = scripted_agent("bob");
  bob->write("/wait loggedin 10\n/interaction " + file + "\n/consult alice about order 17\n");
  Session in = alice.events.wait_invitation(0, 10s);
  ASSERT_TRUE(in) << bob->output();
  const auto case_data = loop_.on_strand([&] { return in->case_data(); });
  ASSERT_TRUE(case_data);
  auto got = client::Interaction::from_json(*case_data);
  ASSERT_TRUE(got) << *case_data;
  EXPECT_EQ(got->id(), "call-7");
  EXPECT_EQ(got->get("contact_id").value_or(""), "c-42");
  EXPECT_EQ(got->get("order").value_or(""), "17");

  bob->write("/interaction chat chat-9 " + case_only + "\n/interaction\n/interaction " +
             case_only + "\n");
  EXPECT_TRUE(bob->wait_for(
      R"(active interaction: {"contact_id":"c-43","interaction":{"id":"chat-9","kind":"chat"}})",
      10s, 2))
      << bob->output();
  EXPECT_TRUE(bob->wait_for("for case data alone: /interaction <kind> <id>", 10s)) << bob->output();
  bob->close_input();
  EXPECT_EQ(bob->wait_exit(10s).code, 0) << bob->output();
}

// PUT /api/v1/agents/{login}/state through `imtool state`: the agent's own, another's with the
// admin token; GET agents/{login} shows what was set.
TEST_F(ImtoolApiTest, StateNotReadyWithAReasonShowsInTheAgentsApi) {
  logged_in_agent("alice");
  auto [st, out] = run(as("alice", {"state", "not-ready", "lunch"}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  EXPECT_NE(out.find("alice: not ready (lunch)"), std::string::npos) << out;
  HttpClient c(*switch_->http());
  auto got = authed_get(c, "/api/v1/agents/alice", "alice", "pw-alice");
  ASSERT_TRUE(got && got->status == 200u);
  json agent = json::parse(got->body, nullptr, false);
  EXPECT_EQ(agent["state"], "not_ready") << got->body;
  EXPECT_EQ(agent["reason"], "lunch") << got->body;

  auto [rst, rout] = run(as("alice", {"state", "ready", "--json"}));
  ASSERT_TRUE(rst.exited && rst.code == 0) << rst.describe() << "\n" << rout;
  EXPECT_EQ(last_json_line(rout)["state"], "ready") << rout;

  auto [fst, fout] = run(as("bob", {"state", "not-ready", "--agent", "alice"}));
  EXPECT_TRUE(fst.exited && fst.code == 6) << "bob may not set alice's state\n" << fout;

  auto [ast, aout] = run(as_admin({"state", "not-ready", "team", "meeting", "--agent", "alice"}));
  ASSERT_TRUE(ast.exited && ast.code == 0) << ast.describe() << "\n" << aout;
  EXPECT_NE(aout.find("alice: not ready (team meeting)"), std::string::npos) << aout;

  auto [ust, uout] = run(as("alice", {"state", "ready", "now"}));
  EXPECT_TRUE(ust.exited && ust.code == 2) << ust.describe() << "\n" << uout;
}

// `imtool contacts import`: a CSV file with quoting lands whole (GET /contacts/{id} shows it); a
// file with a bad row is refused with the row's line and nothing of it is imported; a large
// file goes in batches.
TEST_F(ImtoolApiTest, ContactsImportTakesQuotedCsvAndRefusesABadFileWhole) {
  ScratchDir dir("imtool-contacts");
  const std::string good = dir.write(
      "contacts.csv",
      "\xEF\xBB\xBFid,name,email,phone,company,notes,tier\r\n"
      "c-1,\"Smith, Ann\",ann@example.com,+33 1 23 45 67 89,ACME,\"Called twice,\r\nabout "
      "order 17\",gold\r\n"
      "c-2,\"Bob \"\"the builder\"\"\",,,,,\r\n");
  auto [st, out] = run(as_admin({"contacts", "import", good}));
  ASSERT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << out;
  EXPECT_NE(out.find("imported 2 contacts from " + good + " (1 request)"), std::string::npos)
      << out;
  json c1 = get_as_admin("/api/v1/contacts/c-1");
  ASSERT_EQ(c1["status"], 200) << c1.dump();
  EXPECT_EQ(c1["body"]["name"], "Smith, Ann");
  EXPECT_EQ(c1["body"]["company"], "ACME");
  EXPECT_EQ(c1["body"]["notes"], "Called twice,\r\nabout order 17");
  EXPECT_EQ(c1["body"]["attributes"]["tier"], "gold");
  EXPECT_EQ(get_as_admin("/api/v1/contacts/c-2")["body"]["name"], "Bob \"the builder\"");

  const std::string bad = dir.write("bad.csv",
                                    "id,name,notes\n"
                                    "c-3,Carl,fine\n"
                                    "c-4,\"Dora\",\"a note\nover two lines\"\n"
                                    "c-5,Emil\n");
  auto [bst, bout] = run(as_admin({"contacts", "import", bad, "--json"}));
  EXPECT_TRUE(bst.exited && bst.code == 10) << bst.describe() << "\n" << bout;
  const json refused = last_json_line(bout);
  EXPECT_NE(refused.value("error", "").find("line 5: 2 fields where the header has 3"),
            std::string::npos)
      << bout;
  EXPECT_NE(refused.value("error", "").find("nothing imported"), std::string::npos) << bout;
  EXPECT_EQ(get_as_admin("/api/v1/contacts/c-3")["status"], 404) << "nothing of it was sent";

  const std::string unknown = dir.write("bad.json", R"([{"id":"c-6","fax":"123"}])");
  auto [jst, jout] = run(as_admin({"contacts", "import", unknown}));
  EXPECT_TRUE(jst.exited && jst.code == 10) << jst.describe() << "\n" << jout;
  EXPECT_NE(jout.find("unknown field \"fax\""), std::string::npos) << jout;

  std::string many = "id,name\n";
  for (int k = 0; k < 2500; ++k) many += "m-" + std::to_string(k) + ",Contact " + std::to_string(k) + "\n";
  const std::string large = dir.write("many.csv", many);
  auto [mst, mout] = run(as_admin({"contacts", "import", large, "--json"}));
  ASSERT_TRUE(mst.exited && mst.code == 0) << mst.describe() << "\n" << mout;
  const json imported = last_json_line(mout);
  EXPECT_EQ(imported["imported"], 2500) << mout;
  EXPECT_EQ(imported["requests"], 3) << mout;
  EXPECT_EQ(get_as_admin("/api/v1/contacts/m-2499")["body"]["name"], "Contact 2499");

  auto [nst, nout] = run({imtool_binary(), "contacts", "import", good, "--api", api_url()},
                         {"IMTOOL_ADMIN_TOKEN="});
  EXPECT_TRUE(nst.exited && nst.code == 2) << nst.describe() << "\n" << nout;
  EXPECT_NE(nout.find("admin token"), std::string::npos) << nout;
  auto [wst, wout] = run({imtool_binary(), "contacts", "import", good, "--api", api_url()},
                         {"IMTOOL_ADMIN_TOKEN=not-the-token-at-all"});
  EXPECT_TRUE(wst.exited && wst.code == 3) << wst.describe() << "\n" << wout;
}

// PRODUCT §5: bob consults alice (imtool agent) from a call whose case data names contact c-42;
// alice sees the case data read-only, /contact shows the contact, /history finds the session by
// a word of it.
TEST_F(ImtoolApiTest, TheConsultedAgentReadsTheContactAndSearchesItsHistory) {
  HttpClient c(*switch_->http());
  auto posted = admin_request(c, "POST", "/api/v1/contacts", kToken,
                              R"({"id":"c-42","name":"Ann Smith","company":"ACME",)"
                              R"("email":"ann@example.com","attributes":{"tier":"gold"}})");
  ASSERT_TRUE(posted && posted->status == 200u) << (posted ? posted->body : "no answer");

  auto alice = scripted_agent("alice");
  alice->write("/wait loggedin 10\n/wait invitation 20\n/accept\n/wait message 20\n");
  ASSERT_TRUE(alice->wait_for("logged in as", 10s)) << alice->output();
  ClientAgent& bob = logged_in_agent("bob");
  client::Interaction call(client::InteractionKind::Voice, "call-7");
  call.set("contact_id", std::string("c-42"));
  auto started = loop_.on_strand(
      [&] { return bob.agent->consult(call, "alice", "Can you look at this customer?"); });
  ASSERT_TRUE(started) << started.error().message;
  Session out = *started;
  ASSERT_TRUE(bob.events.wait_state(out, SessionState::Connected, 20s)) << alice->output();
  ASSERT_TRUE(loop_.on_strand([&] { return out->send("the parcel never arrived"); }).ok());
  ASSERT_TRUE(alice->wait_for("the parcel never arrived", 10s)) << alice->output();
  EXPECT_TRUE(alice->wait_for("consultation about voice call-7 (read-only): contact_id=c-42", 1s))
      << alice->output();
  // The barrier: a REGISTER's 200 waits for every store write queued before it.
  logged_in_agent("carol");

  alice->write("/contact\n/history parcel\n/history zebra\n");
  EXPECT_TRUE(alice->wait_for("contact Ann Smith (c-42), ACME", 10s)) << alice->output();
  EXPECT_TRUE(alice->wait_for("  tier: gold", 10s)) << alice->output();
  EXPECT_TRUE(alice->wait_for("history of contact c-42 with \"parcel\":", 10s)) << alice->output();
  EXPECT_TRUE(alice->wait_for("bob -> alice", 10s)) << alice->output();
  EXPECT_TRUE(alice->wait_for("«parcel»", 10s)) << alice->output();
  EXPECT_TRUE(alice->wait_for("nothing in contact c-42's history has \"zebra\"", 10s))
      << alice->output();
  alice->close_input();
  EXPECT_EQ(alice->wait_exit(10s).code, 0) << alice->output();
}

}  // namespace
}  // namespace ims::test
