#include "common/transport/overload.hpp"

#include "common/util/strings.hpp"

namespace ims::transport {

namespace {

bool starts_with_method(std::string_view line, std::string_view method) {
  return line.size() > method.size() && line.substr(0, method.size()) == method &&
         line[method.size()] == ' ';
}

// Whether a To header value carries a tag parameter (";tag=", any case, spaces allowed).
bool has_tag(std::string_view value) {
  for (std::size_t semi = value.find(';'); semi != std::string_view::npos;
       semi = value.find(';', semi + 1)) {
    std::string_view rest = util::trim(value.substr(semi + 1));
    if (rest.size() >= 3 && util::iequals(rest.substr(0, 3), "tag")) {
      rest = util::trim(rest.substr(3));
      if (!rest.empty() && rest.front() == '=') return true;
    }
  }
  return false;
}

}  // namespace

bool peek_new_request(std::string_view message) {
  const std::size_t eol = message.find('\n');
  if (eol == std::string_view::npos) return false;
  const std::string_view start = message.substr(0, eol);
  if (start.substr(0, 4) == "SIP/") return false;  // a response
  if (starts_with_method(start, "ACK") || starts_with_method(start, "CANCEL") ||
      starts_with_method(start, "BYE"))
    return false;
  std::size_t pos = eol;
  while (pos != std::string_view::npos && ++pos < message.size()) {
    const std::size_t end = message.find('\n', pos);
    std::string_view line = message.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return false;  // no To: not for us to judge
    if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      const std::string_view name = util::trim(line.substr(0, colon));
      if (util::iequals(name, "to") || util::iequals(name, "t"))
        return !has_tag(line.substr(colon + 1));
    }
    pos = end;
  }
  return false;
}

}  // namespace ims::transport
