#pragma once
// The pages a WebSocket port serves to a plain HTTP GET: the browser demo of SIP over
// WebSocket, so that a lab can try a browser agent against the switch with nothing else.

#include <functional>
#include <optional>
#include <string_view>

#include "common/transport/options.hpp"

namespace ims::sw::app {

std::function<std::optional<transport::WebPage>(std::string_view target)> demo_pages();

}  // namespace ims::sw::app
