#include "switch/registrar/response.hpp"

#include <algorithm>
#include <cstdio>

#include "common/sip/builders.hpp"
#include "switch/registrar/contact.hpp"

namespace ims::sw::registrar {
namespace {

struct Civil {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras that start on
// 1 March so that the leap day falls at the end of each year.
Civil civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;  // days from 0000-03-01
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // March = 0
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::uint32_t remaining_seconds(const store::Binding& binding, std::int64_t now_ms) {
  const std::int64_t left_ms = binding.expires_at_ms - now_ms;
  if (left_ms <= 0) return 0;
  const std::int64_t s = (left_ms + 999) / 1000;
  return s > 0xffffffffLL ? 0xffffffffU : static_cast<std::uint32_t>(s);
}

std::string contact_value(const store::Binding& binding, std::int64_t now_ms) {
  std::string out;
  if (!binding.display_name.empty()) out.append(binding.display_name).append(" ");
  out.append("<").append(binding.contact).append(">");
  out.append(strip_param(binding.contact_params, "expires"));
  out.append(";expires=").append(std::to_string(remaining_seconds(binding, now_ms)));
  return out;
}

std::vector<std::string> contact_values(const std::vector<store::Binding>& bindings,
                                        std::int64_t now_ms) {
  std::vector<std::string> out;
  out.reserve(bindings.size());
  for (const auto& b : bindings) out.push_back(contact_value(b, now_ms));
  return out;
}

std::string format_date(std::int64_t epoch_ms) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t secs = floor_div(epoch_ms, 1000);
  const std::int64_t days = floor_div(secs, 86400);
  const std::int64_t in_day = secs - days * 86400;
  const Civil c = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>(((days % 7) + 7) % 7);  // 1970-01-01: Thursday
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d GMT", kDays[weekday], c.day,
                kMonths[c.month - 1], static_cast<long long>(c.year),
                static_cast<int>(in_day / 3600), static_cast<int>(in_day / 60 % 60),
                static_cast<int>(in_day % 60));
  return buf;
}

sip::Message make_register_response(const sip::Message& request, const Outcome& outcome,
                                    std::int64_t now_ms, std::string_view to_tag) {
  sip::Message rsp = sip::make_response(request, outcome.status, outcome.reason, to_tag);
  if (outcome.status == 423) {
    rsp.add(sip::HeaderId::MinExpires, std::to_string(outcome.min_expires));
  } else if (outcome.ok()) {
    for (const auto& v : contact_values(outcome.bindings, now_ms))
      rsp.add(sip::HeaderId::Contact, v);
    rsp.add(sip::HeaderId::Date, format_date(now_ms));
    // RFC 5626 §6: a registration with +sip.instance and reg-id is an outbound flow, and the
    // registrar that keeps it so (this one reaches the device over that flow) says so.
    if (auto parsed = parse_register(request)) {
      const auto header = parsed->expires_header.value_or(1);
      const bool outbound = std::any_of(
          parsed->contacts.begin(), parsed->contacts.end(), [header](const ContactSpec& c) {
            return c.reg_id.has_value() && !c.instance.empty() && c.expires.value_or(header) != 0;
          });
      if (outbound) rsp.add(sip::HeaderId::Require, "outbound");
    }
  }
  return rsp;
}

}  // namespace ims::sw::registrar
