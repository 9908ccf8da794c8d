#include "switch/app/web_pages.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

namespace ims::sw::app {

namespace {

// The request target without its query (`/?login=alice` is still the page).
std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

std::optional<std::string> read_script(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxScriptBytes) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return body;
}

}  // namespace

std::function<std::optional<transport::WebPage>(std::string_view target)> demo_pages(
    std::filesystem::path web_root) {
  return [script = web_root / kJsSipFile](std::string_view target)
             -> std::optional<transport::WebPage> {
    const std::string_view path = path_of(target);
    if (path == "/" || path == "/index.html")
      return transport::WebPage{"text/html; charset=utf-8", std::string(embedded_demo_page())};
    if (path.size() == kJsSipFile.size() + 1 && path.substr(1) == kJsSipFile) {
      auto body = read_script(script);
      if (!body) return std::nullopt;
      return transport::WebPage{"text/javascript; charset=utf-8", std::move(*body)};
    }
    return std::nullopt;
  };
}

}  // namespace ims::sw::app
