// The sans-I/O parts of the API client: the --api address and escaping of path segments and
// query values. (The client itself is tested on the real switch: tests/integration.)

#include "client/api_client.hpp"

#include <gtest/gtest.h>

namespace ims::client {
namespace {

TEST(ApiClient, ReadsTheApiAddress) {
  auto a = parse_api_url("http://127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 8080);
  auto b = parse_api_url("HTTP://[::1]:9000/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 9000);
  auto c = parse_api_url("http://localhost");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->first, "127.0.0.1");
  EXPECT_EQ(c->second, 80);
}

TEST(ApiClient, RefusesAddressesItCannotUse) {
  for (const char* bad : {"https://127.0.0.1:8443", "127.0.0.1:8080", "http://", "http://a.b:80",
                          "http://127.0.0.1:0", "http://127.0.0.1:70000", "http://127.0.0.1:",
                          "http://127.0.0.1:80/api", "http://[::1:80"}) {
    auto r = parse_api_url(bad);
    EXPECT_FALSE(r) << bad;
  }
  auto https = parse_api_url("https://127.0.0.1");
  ASSERT_FALSE(https);
  EXPECT_NE(https.error().message.find("only http://"), std::string::npos);
}

TEST(ApiClient, EscapesAllButUnreservedCharacters) {
  EXPECT_EQ(url_escape("Alice-Martin_1.~"), "Alice-Martin_1.~");
  EXPECT_EQ(url_escape("a b&c=d/e?f#g%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%25");
  EXPECT_EQ(url_escape("Zoé"), "Zo%C3%A9");
}

}  // namespace
}  // namespace ims::client
