#include "switch/app/web_pages.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ims::sw::app {
namespace {

namespace fs = std::filesystem;

class WebPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("ims-web-pages-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "sub");
    std::ofstream(root_ / "sub" / "secret.txt") << "not for the web";
  }
  void TearDown() override { fs::remove_all(root_); }
  void write_jssip(const std::string& text) { std::ofstream(root_ / "jssip.min.js") << text; }

  fs::path root_;
};

TEST_F(WebPagesTest, ServesTheEmbeddedDemoPageAtTheRoot) {
  auto pages = demo_pages(root_);
  for (const char* target : {"/", "/index.html", "/?login=alice"}) {
    auto page = pages(target);
    ASSERT_TRUE(page) << target;
    EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(page->body, embedded_demo_page());
  }
  EXPECT_NE(embedded_demo_page().find("/jssip.min.js"), std::string_view::npos);
  EXPECT_NE(embedded_demo_page().find("</html>"), std::string_view::npos);  // all of the file
}

TEST_F(WebPagesTest, ServesJsSipFromTheWebRoot) {
  write_jssip("var JsSIP = {};\n");
  auto page = demo_pages(root_)("/jssip.min.js");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(page->body, "var JsSIP = {};\n");
}

TEST_F(WebPagesTest, AMissingJsSipIsNotFound) {
  EXPECT_FALSE(demo_pages(root_)("/jssip.min.js"));
  EXPECT_FALSE(demo_pages(root_ / "nowhere")("/jssip.min.js"));
}

TEST_F(WebPagesTest, NothingElseIsServed) {
  write_jssip("var JsSIP = {};\n");
  auto pages = demo_pages(root_);
  for (const char* target : {"/sub/secret.txt", "/../jssip.min.js", "/sub/../jssip.min.js",
                             "//jssip.min.js", "/jssip.min.jsx", "/JSSIP.MIN.JS", "jssip.min.js",
                             "/favicon.ico", "", "*"})
    EXPECT_FALSE(pages(target)) << target;
}

}  // namespace
}  // namespace ims::sw::app
