#include "switch/app/web_pages.hpp"

namespace ims::sw::app {

std::function<std::optional<transport::WebPage>(std::string_view target)> demo_pages() {
  return [](std::string_view target) -> std::optional<transport::WebPage> {
    if (target != "/" && target != "/index.html") return std::nullopt;
    return transport::WebPage{"text/html; charset=utf-8",
                              "<!doctype html><title>imswitch</title>"
                              "<p>imswitch: SIP over WebSocket (RFC 7118) on this port.</p>\n"};
  };
}

}  // namespace ims::sw::app
