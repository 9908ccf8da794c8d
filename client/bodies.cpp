#include "client/bodies.hpp"

#include <fmt/format.h>

#include "client/errors.hpp"
#include "common/sip/cpim.hpp"
#include "common/sip/header_values.hpp"
#include "common/sip/multipart.hpp"
#include "common/util/strings.hpp"

namespace ims::client {
namespace {

Error bad_body(std::string message) { return Error{ClientErrc::BadBody, std::move(message)}; }

bool type_is(std::string_view content_type, std::string_view type, std::string_view subtype) {
  if (util::trim(content_type).empty()) return type == "text" && subtype == "plain";
  auto ct = sip::parse_content_type(content_type);
  return ct && ct->is(type, subtype);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil
// algorithm, written from its published description).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  auto v = util::parse_uint(s.substr(pos, n));
  if (!v) return std::nullopt;
  return static_cast<unsigned>(*v);
}

}  // namespace

std::string sdp_without_media(std::string_view origin_user, std::string_view address,
                              std::uint64_t session_id, std::uint64_t version) {
  const bool v6 = address.find(':') != std::string_view::npos;
  std::string_view bare = address;
  if (bare.starts_with('[') && bare.ends_with(']')) bare = bare.substr(1, bare.size() - 2);
  // RFC 4566 §5: v, o, s, t are required; c is needed only with media, and there is none.
  return fmt::format("v=0\r\no={} {} {} IN {} {}\r\ns=-\r\nt=0 0\r\n",
                     origin_user.empty() ? std::string_view("-") : origin_user, session_id, version,
                     v6 ? "IP6" : "IP4", bare);
}

Body invite_body(std::string_view sdp, std::string_view first_text,
                 const std::optional<std::string>& case_json) {
  std::vector<sip::PartSpec> parts;
  parts.push_back({"application/sdp", {}, sdp});
  parts.push_back({"text/plain;charset=utf-8", {}, first_text});
  if (case_json) parts.push_back({"application/json", {}, *case_json});
  auto built = sip::build_multipart(parts, "mixed");
  return Body{std::move(built.content_type), std::move(built.body)};
}

Result<std::string> message_text(std::string_view content_type, std::string_view body) {
  if (type_is(content_type, "text", "plain")) return std::string(body);
  if (type_is(content_type, "message", "cpim")) {
    auto cpim = sip::parse_cpim(body);
    if (!cpim) return bad_body("malformed message/cpim body: " + cpim.error().message);
    if (!type_is(cpim->content_type(), "text", "plain")) {
      return bad_body("message/cpim carries " + std::string(cpim->content_type()) +
                      ", not text/plain");
    }
    return std::string(cpim->content);
  }
  return bad_body("a " + std::string(content_type) + " body is not text");
}

Result<InvitationContent> read_invitation(std::string_view content_type, std::string_view body) {
  InvitationContent out;
  if (body.empty()) return out;
  if (type_is(content_type, "application", "sdp")) {
    out.sdp = std::string(body);
    return out;
  }
  auto ct = sip::parse_content_type(content_type);
  if (ct && ct->is("multipart", "mixed")) {
    auto boundary = sip::multipart_boundary(content_type);
    if (!boundary) return bad_body("multipart body without a usable boundary");
    auto parts = sip::parse_multipart(body, *boundary);
    if (!parts) return bad_body("malformed multipart body: " + parts.error().message);
    for (const auto& part : *parts) {
      const std::string_view type = part.content_type();
      if (type_is(type, "application", "sdp")) {
        if (!out.sdp) out.sdp = std::string(part.body);
      } else if (type_is(type, "application", "json")) {
        if (!out.case_json) out.case_json = std::string(part.body);
      } else if (type_is(type, "text", "plain") || type_is(type, "message", "cpim")) {
        auto text = message_text(type, part.body);
        if (!text) return text.error();
        if (out.first_text.empty()) out.first_text = std::move(*text);
      }
    }
    return out;
  }
  auto text = message_text(content_type, body);
  if (!text) return text.error();
  out.first_text = std::move(*text);
  return out;
}

Result<Stamp> parse_stamp(std::string_view value) {
  value = util::trim(value);
  const auto semi = value.find(';');
  const std::string_view time = util::trim(value.substr(0, semi));
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
  const auto y = digits(time, 0, 4), mo = digits(time, 5, 2), d = digits(time, 8, 2),
             h = digits(time, 11, 2), mi = digits(time, 14, 2), s = digits(time, 17, 2);
  if (time.size() < 20 || !y || !mo || !d || !h || !mi || !s || time[4] != '-' || time[7] != '-' ||
      (time[10] != 'T' && time[10] != 't') || time[13] != ':' || time[16] != ':' || *mo < 1 ||
      *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *s > 60) {
    return bad_body("stamp time is not YYYY-MM-DDTHH:MM:SS[.mmm]Z: " + std::string(time));
  }
  std::size_t pos = 19;
  unsigned ms = 0;
  if (time[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < time.size() && time[pos] >= '0' && time[pos] <= '9' && n < 9) {
      if (n < 3) ms = ms * 10 + unsigned(time[pos] - '0');
      ++pos;
      ++n;
    }
    if (n == 0) return bad_body("stamp time has an empty fraction");
    for (; n < 3; ++n) ms *= 10;
  }
  if (pos + 1 != time.size() || (time[pos] != 'Z' && time[pos] != 'z')) {
    return bad_body("stamp time must end in Z (UTC)");
  }
  std::optional<std::uint64_t> seq;
  if (semi != std::string_view::npos) {
    sip::Params params(value.substr(semi));
    if (auto v = params.get("seq")) seq = util::parse_uint(*v);
  }
  if (!seq) return bad_body("stamp without a seq parameter");
  const std::int64_t days = days_from_civil(*y, *mo, *d);
  const std::int64_t secs = days * 86400 + std::int64_t(*h) * 3600 + std::int64_t(*mi) * 60 + *s;
  Stamp out;
  out.time = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(secs * 1000 + ms)));
  out.seq = *seq;
  return out;
}

std::string format_utc_ms(std::chrono::system_clock::time_point time) {
  const auto ms_total =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::int64_t secs = ms_total / 1000;
  std::int64_t ms = ms_total % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // civil_from_days, the inverse of days_from_civil above.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, rem / 3600,
                     (rem / 60) % 60, rem % 60, ms);
}

std::string format_stamp(const Stamp& stamp) {
  return fmt::format("{};seq={}", format_utc_ms(stamp.time), stamp.seq);
}

}  // namespace ims::client
