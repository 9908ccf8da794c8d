#include "switch/app/policy.hpp"

#include <algorithm>
#include <limits>
#include <system_error>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"
#include "switch/im/body.hpp"

namespace ims::sw::app {

// A URI's user part, unescaped (§19.1.4 compares users after unescaping).
std::optional<std::string> user_of(std::string_view uri_text) {
  const auto uri = sip::parse_uri(uri_text);
  if (!uri) return std::nullopt;
  return sip::unescape(uri->user);
}

// §16.4: Route values naming this switch are removed (loose routing, RFC 3261 §16.12). Returns
// false when a Route to somewhere else remains: the switch relays only to its own users.
bool strip_own_routes(sip::Message& request, const directory::Directory& directory) {
  const auto routes = request.values(sip::HeaderId::Route);
  if (routes.empty()) return true;
  for (auto value : routes) {
    const auto addr = sip::parse_name_addr(value);
    if (!addr) return false;
    const auto uri = sip::parse_uri(addr->uri);
    if (!uri || !directory.is_local_domain(uri->host)) return false;
  }
  request.remove(sip::HeaderId::Route);
  return true;
}

routing::Facts facts_of(const std::string& caller, const sip::Message& request) {
  routing::Facts f;
  f.caller = caller;
  f.case_data = im::case_data(request.get(sip::HeaderId::ContentType), request.body());
  for (const auto& [key, value] : f.case_data)
    if (key == "skill") f.skill = value;
  return f;
}

std::string address_of(const directory::Target& target) {
  return std::visit(
      [](const auto* t) -> std::string {
        if constexpr (std::is_same_v<decltype(t), const directory::Agent*>) {
          return t->login;
        } else {
          return t->number;
        }
      },
      target);
}

Result<std::optional<std::uint32_t>> expires_of(const sip::Message& request) {
  const auto value = request.find(sip::HeaderId::Expires);
  if (!value) return std::optional<std::uint32_t>();
  const auto text = util::trim(*value);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
    return Error{std::make_error_code(std::errc::invalid_argument), "Bad Expires"};
  const auto n = util::parse_uint(text);  // nullopt only past 2^64: still a number
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  return std::optional<std::uint32_t>(static_cast<std::uint32_t>(std::min(n.value_or(kMax), kMax)));
}

}  // namespace ims::sw::app
