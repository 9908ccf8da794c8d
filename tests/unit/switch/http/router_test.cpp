// Routing by method and path pattern, and the query and path decoding the router relies on.

#include <gtest/gtest.h>

#include "switch/http/router.hpp"

namespace ims::sw::http {
namespace {

Handler named(int* called, int id) {
  return [called, id](Request&&, Reply) { *called = id; };
}

TEST(Router, AParameterTakesOneDecodedSegment) {
  Router r;
  int called = 0;
  r.add(Method::Get, "/api/v1/agents/{login}", named(&called, 1));
  r.add(Method::Put, "/api/v1/agents/{login}/state", named(&called, 2));
  auto f = r.find(Method::Get, "/api/v1/agents/j%C3%A9r%C3%B4me");
  ASSERT_TRUE(f.ok());
  ASSERT_NE(f->handler, nullptr);
  ASSERT_EQ(f->params.size(), 1u);
  EXPECT_EQ(f->params[0].first, "login");
  EXPECT_EQ(f->params[0].second, "j\xC3\xA9r\xC3\xB4me");
  // An encoded slash stays inside its segment rather than making another one.
  auto slash = r.find(Method::Get, "/api/v1/agents/a%2Fb");
  ASSERT_TRUE(slash.ok());
  ASSERT_NE(slash->handler, nullptr);
  EXPECT_EQ(slash->params[0].second, "a/b");
  auto state = r.find(Method::Put, "/api/v1/agents/bob/state");
  ASSERT_TRUE(state.ok() && state->handler);
  (*state->handler)(Request{}, [](Response) {});
  EXPECT_EQ(called, 2);
}

TEST(Router, AnotherMethodOnAKnownPathListsTheAllowedOnes) {
  Router r;
  int called = 0;
  r.add(Method::Get, "/api/v1/contacts", named(&called, 1));
  r.add(Method::Post, "/api/v1/contacts", named(&called, 2));
  auto f = r.find(Method::Delete, "/api/v1/contacts");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->handler, nullptr);
  EXPECT_EQ(f->allowed, (std::vector<Method>{Method::Get, Method::Post}));
  auto head = r.find(Method::Head, "/api/v1/contacts");
  ASSERT_TRUE(head.ok());
  EXPECT_NE(head->handler, nullptr) << "HEAD is served by the GET route";
}

TEST(Router, UnknownPathsEmptySegmentsAndBadEscapes) {
  Router r;
  int called = 0;
  r.add(Method::Get, "/api/v1/agents/{login}", named(&called, 1));
  for (const char* path : {"/api/v1/agents", "/api/v1/agents/", "/api/v1/agents/a/b", "/api/v2/x"}) {
    auto f = r.find(Method::Get, path);
    ASSERT_TRUE(f.ok()) << path;
    EXPECT_EQ(f->handler, nullptr) << path;
    EXPECT_TRUE(f->allowed.empty()) << path;
  }
  EXPECT_FALSE(r.find(Method::Get, "/api/v1/agents/%G1").ok());
  EXPECT_FALSE(r.find(Method::Get, "/api/v1/agents/%4").ok());
  EXPECT_FALSE(r.find(Method::Get, "/api/v1/agents/a%00b").ok());
}

TEST(Query, PairsAreDecodedInOrder) {
  auto q = parse_query("q=Mar+tin&type=agent&limit=5&q=%C3%A9&flag&=empty&&");
  ASSERT_TRUE(q.ok());
  const std::vector<std::pair<std::string, std::string>> want{
      {"q", "Mar tin"}, {"type", "agent"}, {"limit", "5"}, {"q", "\xC3\xA9"},
      {"flag", ""},     {"", "empty"}};
  EXPECT_EQ(*q, want);
  Request req;
  req.query = *q;
  EXPECT_EQ(req.query_value("q"), "Mar tin");  // the first one
  EXPECT_FALSE(req.query_value("cursor").has_value());
  EXPECT_FALSE(parse_query("q=%ZZ").ok());
  EXPECT_FALSE(parse_query("q=%").ok());
  EXPECT_FALSE(parse_query("q=a%00").ok());
}

}  // namespace
}  // namespace ims::sw::http
