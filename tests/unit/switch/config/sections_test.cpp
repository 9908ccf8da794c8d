// store, registrar, auth and proxy: defaults, values and errors.

#include <gtest/gtest.h>

#include <string>

#include "switch/config/loader.hpp"

namespace ims::sw::config {
namespace {

std::string errors_of(std::string_view yaml) {
  auto r = load_text(yaml, "test.yaml");
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(Sections, DefaultsWhenLeftOut) {
  auto r = load_text("", "empty.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->store.path, "imswitch.db");
  EXPECT_EQ(r->store.synchronous, Synchronous::Full);
  EXPECT_EQ(r->store.message_expiry.count(), 604800);
  EXPECT_EQ(r->store.queue_limit, 1000u);
  EXPECT_EQ(r->registrar.min_expires.count(), 60);
  EXPECT_EQ(r->registrar.max_expires.count(), 3600);
  EXPECT_EQ(r->registrar.default_expires.count(), 3600);
  EXPECT_EQ(r->registrar.max_contacts_per_agent, 10u);
  EXPECT_EQ(r->auth.nonce_lifetime.count(), 300);
  EXPECT_EQ(r->auth.max_tracked_nonces, 100000u);
  EXPECT_EQ(r->auth.algorithms,
            (std::vector<auth::Algorithm>{auth::Algorithm::Sha256, auth::Algorithm::Md5}));
  EXPECT_EQ(r->auth.md5_only_user_agents,
            (std::vector<std::string>{"baresip v0.*", "baresip v1.*", "sipsak *", "JsSIP *", "SIP.js/*"}));
  EXPECT_EQ(r->proxy.udp_size_limit, 1300u);
  EXPECT_EQ(r->proxy.fork_timeout.count(), 10000);
}

TEST(Sections, ReadsEveryKey) {
  auto r = load_text(R"(store: { path: /var/lib/imswitch/x.db, synchronous: NORMAL,
         message_expiry_s: 3600, queue_limit: 50 }
registrar: { min_expires_s: 30, max_expires_s: 7200, default_expires_s: 600,
             max_contacts_per_agent: 3 }
auth: { nonce_lifetime_s: 60, max_tracked_nonces: 500 }
proxy: { udp_size_limit: 1400, fork_timeout_ms: 5000 }
)", "full.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->store.path, "/var/lib/imswitch/x.db");
  EXPECT_EQ(r->store.synchronous, Synchronous::Normal);
  EXPECT_EQ(r->store.message_expiry.count(), 3600);
  EXPECT_EQ(r->store.queue_limit, 50u);
  EXPECT_EQ(r->registrar.min_expires.count(), 30);
  EXPECT_EQ(r->registrar.max_expires.count(), 7200);
  EXPECT_EQ(r->registrar.default_expires.count(), 600);
  EXPECT_EQ(r->registrar.max_contacts_per_agent, 3u);
  EXPECT_EQ(r->auth.nonce_lifetime.count(), 60);
  EXPECT_EQ(r->auth.max_tracked_nonces, 500u);
  EXPECT_EQ(r->proxy.udp_size_limit, 1400u);
  EXPECT_EQ(r->proxy.fork_timeout.count(), 5000);
}

TEST(Sections, ReportsBadValuesAndUnknownKeys) {
  EXPECT_EQ(errors_of("store:\n  synchronous: off\n"),
            "test.yaml:2: store.synchronous: must be full or normal");
  EXPECT_EQ(errors_of("store:\n  file: x.db\n"),
            "test.yaml:2: store.file: unknown key (expected one of: path, synchronous, "
            "message_expiry_s, queue_limit, commit_window_ms)");
  EXPECT_EQ(errors_of("registrar:\n  min_expires_s: 600\n  max_expires_s: 300\n"),
            "test.yaml:2: registrar.max_expires_s: must not be smaller than min_expires_s\n"
            "test.yaml:2: registrar.default_expires_s: must lie between min_expires_s and "
            "max_expires_s");
  EXPECT_EQ(errors_of("auth:\n  nonce_lifetime_s: 1\n"),
            "test.yaml:2: auth.nonce_lifetime_s: must be a whole number from 10 to 86400");
}

TEST(Sections, ReadsTheDigestPolicy) {
  auto r = load_text("auth:\n  algorithms: [md5]\n  md5_only_user_agents: [\"Old Phone*\"]\n",
                     "auth.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->auth.algorithms, std::vector<auth::Algorithm>{auth::Algorithm::Md5});
  EXPECT_EQ(r->auth.md5_only_user_agents, std::vector<std::string>{"old phone*"});  // lowercase
  auto off = load_text("auth:\n  md5_only_user_agents: []\n", "off.yaml");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_TRUE(off->auth.md5_only_user_agents.empty());
  EXPECT_EQ(errors_of("auth:\n  algorithms: [SHA-256, SHA-256]\n"),
            "test.yaml:2: auth.algorithms: must list SHA-256 and/or MD5, each once, in the "
            "order offered");
  EXPECT_EQ(errors_of("auth:\n  md5_only_user_agents: [\"\"]\n"),
            "test.yaml:2: auth.md5_only_user_agents: each pattern must be 1 to 256 characters, "
            "e.g. \"baresip v1.*\"");
}

TEST(Sections, ForkTimeoutEndsBeforeTheSendersTimerF) {
  EXPECT_EQ(errors_of("proxy:\n  fork_timeout_ms: 32000\n"),
            "test.yaml:2: proxy.fork_timeout_ms: must be below 64*T1 = 32000 ms, the sender's "
            "Timer F (RFC 3261 §17.1.2.2)");
  // Left out, the default follows a small T1.
  auto r = load_text("sip:\n  timers: { t1_ms: 100 }\n", "t1.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->proxy.fork_timeout.count(), 3200);
}

TEST(Sections, ImDefaultsValuesAndErrors) {
  auto d = load_text("", "empty.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->im.invite_timeout.count(), 30);
  EXPECT_EQ(d->im.max_sessions, 10000u);
  auto r = load_text("im: { invite_timeout_s: 5, max_sessions: 20 }\n", "im.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->im.invite_timeout.count(), 5);
  EXPECT_EQ(r->im.max_sessions, 20u);
  EXPECT_EQ(errors_of("im:\n  invite_timeout_s: 0\n"),
            "test.yaml:2: im.invite_timeout_s: must be a whole number from 1 to 600");
  EXPECT_EQ(errors_of("im:\n  ring_s: 3\n"),
            "test.yaml:2: im.ring_s: unknown key (expected one of: invite_timeout_s, "
            "max_sessions, default_state, publish_min_expires_s, publish_max_expires_s, "
            "max_misses, bridge_idle_s, bridge_late_s, subscribe_min_expires_s, "
            "subscribe_max_expires_s, max_subscriptions_per_agent, max_subscriptions)");
}

TEST(Sections, ImBridgeDefaultsValuesAndErrors) {
  auto d = load_text("", "empty.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->im.bridge_idle.count(), 600);
  EXPECT_EQ(d->im.bridge_late.count(), 120);
  auto r = load_text("im: { bridge_idle_s: 30, bridge_late_s: 0 }\n", "im.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->im.bridge_idle.count(), 30);
  EXPECT_EQ(r->im.bridge_late.count(), 0) << "0: no late window";
  EXPECT_EQ(errors_of("im:\n  bridge_idle_s: 0\n"),
            "test.yaml:2: im.bridge_idle_s: must be a whole number from 1 to 86400");
}

TEST(Sections, ImAgentStateDefaultsValuesAndErrors) {
  auto d = load_text("", "empty.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->im.default_state, DefaultState::Ready);
  EXPECT_EQ(d->im.publish_min_expires.count(), 60);
  EXPECT_EQ(d->im.publish_max_expires.count(), 3600);
  auto r = load_text(
      "im:\n  default_state: not_ready\n  publish_min_expires_s: 30\n"
      "  publish_max_expires_s: 7200\n",
      "im.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->im.default_state, DefaultState::NotReady);
  EXPECT_EQ(r->im.publish_min_expires.count(), 30);
  EXPECT_EQ(r->im.publish_max_expires.count(), 7200);
  auto ready = load_text("im: { default_state: ready }\n", "im.yaml");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->im.default_state, DefaultState::Ready);
  EXPECT_EQ(errors_of("im:\n  default_state: away\n"),
            "test.yaml:2: im.default_state: must be ready or not_ready");
  EXPECT_EQ(errors_of("im:\n  publish_min_expires_s: 7200\n"),
            "test.yaml:2: im.publish_min_expires_s: must be a whole number from 1 to 3600");
  EXPECT_EQ(errors_of("im:\n  publish_min_expires_s: 600\n  publish_max_expires_s: 300\n"),
            "test.yaml:2: im.publish_max_expires_s: must not be smaller than "
            "publish_min_expires_s");
}

TEST(Sections, ImSubscriptionDefaultsValuesAndErrors) {
  auto d = load_text("", "empty.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->im.subscribe_min_expires.count(), 60);
  EXPECT_EQ(d->im.subscribe_max_expires.count(), 3600);
  EXPECT_EQ(d->im.max_subscriptions_per_agent, 100u);
  EXPECT_EQ(d->im.max_subscriptions, 20000u);
  auto r = load_text(
      "im:\n  subscribe_min_expires_s: 5\n  subscribe_max_expires_s: 600\n"
      "  max_subscriptions_per_agent: 3\n  max_subscriptions: 10\n",
      "im.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->im.subscribe_min_expires.count(), 5);
  EXPECT_EQ(r->im.subscribe_max_expires.count(), 600);
  EXPECT_EQ(r->im.max_subscriptions_per_agent, 3u);
  EXPECT_EQ(r->im.max_subscriptions, 10u);
  EXPECT_EQ(errors_of("im:\n  subscribe_min_expires_s: 0\n"),
            "test.yaml:2: im.subscribe_min_expires_s: must be a whole number from 1 to 3600");
  EXPECT_EQ(errors_of("im:\n  subscribe_min_expires_s: 600\n  subscribe_max_expires_s: 300\n"),
            "test.yaml:2: im.subscribe_max_expires_s: must not be smaller than "
            "subscribe_min_expires_s");
  EXPECT_EQ(errors_of("im:\n  max_subscriptions: 0\n"),
            "test.yaml:2: im.max_subscriptions: must be a whole number from 1 to 10000000");
}

TEST(Sections, ImMaxMisses) {
  auto d = load_text("", "empty.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->im.max_misses, 0u);
  auto r = load_text("im: { max_misses: 3 }\n", "im.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->im.max_misses, 3u);
  EXPECT_EQ(errors_of("im:\n  max_misses: 101\n"),
            "test.yaml:2: im.max_misses: must be a whole number from 0 to 100");
}

// http: loopback 8080 by default, an address, off, and the bounds.
TEST(Sections, ReadsTheHttpApiSection) {
  auto d = load_text("", "empty.yaml");
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->http.listen);
  EXPECT_EQ(transport::to_string(*d->http.listen), "127.0.0.1:8080");
  EXPECT_TRUE(d->http.admin_token.empty());
  EXPECT_FALSE(d->http.tls);

  auto r = load_text("http: { listen: \"[::1]:9000\", admin_token: 0123456789abcdef,\n"
                     "        max_body_bytes: 4096, request_timeout_s: 5, max_connections: 7,\n"
                     "        tls: true }\n",
                     "http.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->http.listen);
  EXPECT_EQ(transport::to_string(*r->http.listen), "[::1]:9000");
  EXPECT_EQ(r->http.admin_token, "0123456789abcdef");
  EXPECT_EQ(r->http.max_body_bytes, 4096u);
  EXPECT_EQ(r->http.request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(r->http.max_connections, 7u);
  EXPECT_TRUE(r->http.tls);

  auto off = load_text("http:\n  listen: off\n", "off.yaml");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->http.listen);

  EXPECT_NE(errors_of("http:\n  listen: localhost:80\n").find("http.listen"), std::string::npos);
  EXPECT_NE(errors_of("http:\n  admin_token: short\n").find("at least 16"), std::string::npos);
  EXPECT_NE(errors_of("http:\n  max_body_bytes: 10\n").find("http.max_body_bytes"),
            std::string::npos);
  EXPECT_NE(errors_of("http:\n  port: 80\n").find("port"), std::string::npos);
  EXPECT_NE(errors_of("http:\n  tls: maybe\n").find("http.tls"), std::string::npos);
}

}  // namespace
}  // namespace ims::sw::config
