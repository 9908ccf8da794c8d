#pragma once
// The pages a WebSocket port serves to a plain HTTP GET: the browser demo of SIP over
// WebSocket, so that a lab can try a browser agent against the switch with nothing else.
//
// Exactly two targets exist. `/` (and `/index.html`) is the demo page, web/demo.html, built
// into the binary. `/jssip.min.js` is JsSIP, which the project does not ship: it is read from
// the folder sip.websocket.web_root names, by that one fixed file name, so no request target
// can reach any other file. It is read on each request (a quarter of a megabyte, from the page
// cache), so a JsSIP installed while the switch runs is served without a restart. Anything
// else, and a missing JsSIP, is a 404; the page then says how to get JsSIP.
//
// The handler runs on the strand of the connection that asked; it holds no state.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "common/transport/options.hpp"

namespace ims::sw::app {

// The page's bytes (generated from web/demo.html by cmake/embed_file.cmake).
std::string_view embedded_demo_page();

// The name of the one file served from the web root.
inline constexpr std::string_view kJsSipFile = "jssip.min.js";
// A larger file there is refused rather than read: this is a library, not a store.
inline constexpr std::uintmax_t kMaxScriptBytes = 8u << 20;

std::function<std::optional<transport::WebPage>(std::string_view target)> demo_pages(
    std::filesystem::path web_root);

}  // namespace ims::sw::app
