#include "switch/http/router.hpp"

#include <algorithm>

namespace ims::sw::http {

namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(Method method, std::string_view pattern, Handler handler) {
  Route r{method, {}, std::move(handler)};
  for (auto s : split(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Result<Router::Found> Router::find(Method method, std::string_view raw_path) const {
  const auto segments = split(raw_path);
  std::vector<std::string> decoded;
  decoded.reserve(segments.size());
  for (auto s : segments) {
    auto d = decode_path(s);
    if (!d) return d.error();
    decoded.push_back(std::move(*d));
  }
  Found found;
  const Method wanted = method == Method::Head ? Method::Get : method;
  for (const Route& r : routes_) {
    if (r.segments.size() != decoded.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool match = true;
    for (std::size_t i = 0; i < decoded.size() && match; ++i) {
      if (is_param(r.segments[i])) {
        match = !decoded[i].empty();
        if (match)
          params.emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), decoded[i]);
      } else {
        match = r.segments[i] == decoded[i];
      }
    }
    if (!match) continue;
    if (r.method == wanted) {
      found.handler = &r.handler;
      found.params = std::move(params);
      found.allowed.clear();
      return found;
    }
    if (std::find(found.allowed.begin(), found.allowed.end(), r.method) == found.allowed.end())
      found.allowed.push_back(r.method);
  }
  return found;
}

}  // namespace ims::sw::http
