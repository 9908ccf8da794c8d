// The HTTP/JSON API on the real binary (PRODUCT §6): it listens where --http says and reports
// that address in the ports file, answers /health from its own thread, speaks JSON errors, and
// is absent with --http off.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

class Api : public ::testing::Test {
 protected:
  void start(SwitchOptions o = {}) {
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(Api, HealthSaysOkWithTheUptime) {
  start();
  ASSERT_TRUE(sw_->http()) << "no http line in the ports file";
  EXPECT_NE(sw_->http()->port, 0);
  HttpClient c(*sw_->http());
  ASSERT_TRUE(c.connected());
  auto r = c.get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->header("content-type"), "application/json");
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j.value("status", ""), "ok");
  EXPECT_TRUE(j.contains("uptime_s"));
  EXPECT_TRUE(sw_->wait_for_log("HTTP API on http://127.0.0.1:", 1, std::chrono::seconds(1)));
}

// Another process holds the store's write lock: the switch's writer cannot get in, so /health
// says 503 with what is wrong once its bounded wait is over; when the lock goes, 200 again.
TEST_F(Api, HealthFailsWhileTheStoreCannotBeWrittenAndRecovers) {
  start();
  ASSERT_TRUE(sw_->http());
  const std::string db_path = sw_->dir() + "/imswitch.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  // The switch may be committing (start-up writes, a checkpoint): wait for its lock, bounded.
  sqlite3_busy_timeout(db, 10000);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);

  HttpClient c(*sw_->http());
  auto r = c.get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503u) << r->body;
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j.value("status", ""), "failing");
  EXPECT_EQ(j["store"].value("status", ""), "failing");
  EXPECT_FALSE(j["store"].value("error", "").empty()) << r->body;
  EXPECT_TRUE(sw_->wait_for_log("GET /health answered 503: store:", 1, std::chrono::seconds(5)));

  ASSERT_EQ(sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  // The writer finishes its wait (the store's busy timeout) and gets on with the queue.
  bool ok = false;
  for (int i = 0; i < 20 && !ok; ++i) {
    r = c.get("/health");
    ASSERT_TRUE(r);
    ok = r->status == 200u;
  }
  ASSERT_TRUE(ok) << r->body;
  j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["store"].value("status", ""), "ok");
  EXPECT_TRUE(j["store"].contains("check_ms"));
}

TEST_F(Api, UnknownPathsAndMethodsAreJsonErrorsAndTheSipSideGoesOn) {
  start();
  ASSERT_TRUE(sw_->http());
  HttpClient c(*sw_->http());
  auto r = c.get("/api/v1/nothing-here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404u);
  EXPECT_TRUE(nlohmann::json::parse(r->body).contains("error")) << r->body;
  r = c.request("POST", "/health", {}, "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405u);
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
  r = c.raw("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400u);
  EXPECT_TRUE(still_serving(*sw_));
}

TEST_F(Api, OffMeansNoListener) {
  SwitchOptions o;
  o.http = "off";
  start(o);
  EXPECT_FALSE(sw_->http());
  EXPECT_TRUE(still_serving(*sw_));
}

TEST_F(Api, AnAddressInUseStopsTheStartWithAClearError) {
  start();
  ASSERT_TRUE(sw_->http());
  SwitchOptions o;
  o.http = sw_->http()->hostport();
  o.startup_timeout = std::chrono::seconds(5);
  std::string error;
  auto second = SwitchProcess::start(o, &error);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find("http: cannot listen on " + sw_->http()->hostport()), std::string::npos)
      << error;
}

}  // namespace
}  // namespace ims::test
