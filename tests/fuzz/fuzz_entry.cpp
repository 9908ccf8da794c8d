#include "tests/fuzz/fuzz_entry.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "common/sip/cpim.hpp"
#include "common/sip/header_values.hpp"
#include "common/sip/multipart.hpp"
#include "common/sip/parser.hpp"
#include "common/sip/uri.hpp"
#include "common/util/strings.hpp"

namespace ims::fuzz {
namespace {

std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Tight limits make the fuzzer reach every limit path with small inputs.
sip::Limits pick_limits(std::string_view in) {
  sip::Limits limits;
  if (in.size() % 4 == 3) {
    limits.max_start_line_bytes = 64;
    limits.max_header_bytes = 256;
    limits.max_headers = 8;
    limits.max_body_bytes = 64;
    limits.max_vias = 2;
    limits.max_datagram_bytes = 512;
  }
  return limits;
}

bool check_uri(std::string_view text) {
  auto uri = sip::parse_uri(text);
  if (!uri) return true;
  const sip::Uri& u = *uri;
  if (!sip::uri_equal(u, u) || !sip::host_equal(u.host, u.host)) return false;
  // The parser validated every escape, so decoding cannot fail.
  if (!sip::unescape(u.user) || !sip::unescape(u.password)) return false;
  for (const auto& p : u.params.all()) (void)u.param(p.name);
  if (u.scheme != sip::UriScheme::Tel) {
    const std::string again = sip::format_sip_uri(u.user, u.host, u.port, u.params.text(),
                                                  u.scheme == sip::UriScheme::Sips);
    auto v = sip::parse_uri(again);
    if (!v) return false;
    if (!u.has_password && u.headers.empty() && !sip::uri_equal(u, *v)) return false;
  }
  return true;
}

bool check_multipart(std::string_view content_type, std::string_view body) {
  auto boundary = sip::multipart_boundary(content_type);
  if (!boundary) return true;
  const sip::MultipartLimits limits{16};
  auto parts = sip::parse_multipart(body, *boundary, limits);
  if (!parts) return true;
  std::vector<sip::PartSpec> specs;
  for (const auto& p : *parts) specs.push_back({{}, p.headers.fields, p.body});
  const sip::BuiltMultipart built = sip::build_multipart(specs);
  auto again = sip::parse_multipart(built.body, built.boundary, limits);
  if (!again || again->size() != parts->size()) return false;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    if ((*again)[i].body != (*parts)[i].body) return false;
    if ((*again)[i].headers.fields.size() != (*parts)[i].headers.fields.size()) return false;
  }
  return true;
}

bool check_cpim(std::string_view body) {
  auto msg = sip::parse_cpim(body);
  if (!msg) return true;
  for (const auto& h : msg->headers) (void)sip::cpim_unescape(h.value);
  (void)msg->namespace_uri("");
  const sip::CpimSpec spec{msg->headers, {}, msg->content_headers.fields, msg->content};
  auto text = sip::build_cpim(spec);
  if (!text) {
    // Only a folded content header (a value holding a line break) may stop a rebuild.
    for (const auto& h : msg->content_headers.fields)
      if (h.value.find('\n') != std::string_view::npos) return true;
    return false;
  }
  auto again = sip::parse_cpim(*text);
  return again && again->headers.size() == msg->headers.size() &&
         again->content_headers.fields.size() == msg->content_headers.fields.size() &&
         again->content == msg->content;
}

// Reads a message the way the stack does, through every accessor and value parser.
bool touch(const sip::Message& m) {
  bool ok = true;
  (void)m.method();
  (void)m.method_text();
  (void)m.status();
  (void)m.reason();
  for (const auto& f : m.fields()) {
    (void)m.name(f);
    for (auto element : sip::split_list(m.value(f))) (void)sip::unquote(element);
  }
  (void)m.call_id();
  (void)m.cseq();
  (void)m.top_via();
  (void)m.from();
  (void)m.to();
  (void)m.from_tag();
  (void)m.to_tag();
  (void)m.branch();
  (void)m.max_forwards();
  if (m.is_request()) ok = check_uri(m.request_uri()) && ok;
  for (auto v : m.values(sip::HeaderId::Via)) (void)sip::parse_via(v);
  for (auto id : {sip::HeaderId::Contact, sip::HeaderId::Route, sip::HeaderId::RecordRoute}) {
    for (auto v : m.values(id)) {
      auto na = sip::parse_name_addr(v);
      if (na) ok = check_uri(na->uri) && ok;
    }
  }
  if (auto ct = m.find(sip::HeaderId::ContentType)) {
    auto parsed = sip::parse_content_type(*ct);
    if (parsed && util::iequals(parsed->type, "multipart"))
      ok = check_multipart(*ct, m.body()) && ok;
    if (parsed && parsed->is("message", "cpim")) ok = check_cpim(m.body()) && ok;
  }
  return ok;
}

bool check_message(const sip::Message& m, const sip::Limits& limits) {
  bool ok = touch(m);
  // Serialize and parse again: exercised for crashes, not compared (the parser's own tests
  // own round-trip fidelity).
  auto again = sip::parse_datagram(m.serialize(), limits);
  if (again) ok = touch(*again) && ok;
  return ok;
}

}  // namespace

bool run_parser(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = as_text(data, size);
  const sip::Limits limits = pick_limits(in);
  bool ok = true;
  if (auto m = sip::parse_datagram(in, limits)) ok = check_message(*m, limits) && ok;

  sip::StreamParser stream(limits);
  const std::size_t split = size == 0 ? 0 : (std::size_t(data[size - 1]) * 257u) % (size + 1);
  bool failed = false;
  // Each event consumes input, so more events than bytes means the parser stopped progressing.
  std::size_t budget = size + 8;
  for (const std::string_view piece : {in.substr(0, split), in.substr(split)}) {
    if (failed) break;
    stream.feed(piece);
    while (true) {
      if (budget-- == 0) return false;
      const auto ev = stream.next();
      if (ev == sip::StreamParser::Event::NeedMore) break;
      if (ev == sip::StreamParser::Event::Error) {
        failed = true;
        break;
      }
      if (ev == sip::StreamParser::Event::Message)
        ok = check_message(stream.take_message(), limits) && ok;
    }
  }
  return ok;
}

bool run_uri(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = as_text(data, size);
  bool ok = check_uri(in);
  const std::size_t nl = in.find('\n');
  if (nl != std::string_view::npos) {
    const std::string_view a = in.substr(0, nl);
    const std::string_view b = in.substr(nl + 1);
    ok = check_uri(a) && check_uri(b) && ok;
    auto ua = sip::parse_uri(a);
    auto ub = sip::parse_uri(b);
    if (ua && ub && sip::uri_equal(*ua, *ub) != sip::uri_equal(*ub, *ua)) return false;
  }
  return ok;
}

bool run_body(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = as_text(data, size);
  const std::size_t nl = in.find('\n');
  const std::string_view content_type = in.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  return check_multipart(content_type, body) && check_cpim(body);
}

}  // namespace ims::fuzz
