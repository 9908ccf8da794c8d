#pragma once
// Router: which handler serves a request, by method and path pattern. A pattern is a path whose
// segments are literals or {name}s ("/api/v1/agents/{login}/state"); a {name} matches one
// non-empty segment, percent-decoded after the split (so "%2F" stays inside its segment). A
// path that matches a pattern with another method gives the methods it has (405 and Allow).
// HEAD is served by a GET route.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/result.hpp"
#include "switch/http/message.hpp"

namespace ims::sw::http {

// Sends the response for one request; call it once, from any thread.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Reply)>;

class Router {
 public:
  void add(Method method, std::string_view pattern, Handler handler);

  struct Found {
    const Handler* handler = nullptr;  // null: no route for this method
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<Method> allowed;  // when handler is null: the methods the path has (empty: 404)
  };
  // `raw_path` is the request target's path, still percent-encoded. A malformed escape in a
  // segment is an error (400).
  Result<Found> find(Method method, std::string_view raw_path) const;

 private:
  struct Route {
    Method method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace ims::sw::http
