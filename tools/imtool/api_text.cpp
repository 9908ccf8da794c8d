#include "tools/imtool/api_text.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "client/errors.hpp"
#include "common/util/utf8.hpp"

namespace ims::tool {

namespace {

using nlohmann::json;

std::string str(const json& j, std::string_view key) {
  if (!j.is_object()) return {};
  const auto it = j.find(std::string(key));
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return {};
}

std::int64_t num(const json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(std::string(key));
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

// Columns on a terminal: one per code point (names are mostly Latin; wide scripts misalign a
// little, never break).
std::size_t columns_of(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    (void)util::next_utf8(s, i);
    ++n;
  }
  return n;
}

// Rows of cells as aligned lines (two spaces between columns, no trailing spaces). A row's last
// cell takes no part in the widths, so a long one (a queue's line) widens nothing.
std::string aligned(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (std::size_t k = 0; k + 1 < r.size(); ++k)
      width[k] = std::max(width[k], columns_of(r[k]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t k = 0; k < r.size(); ++k) {
      line += r[k];
      if (k + 1 < r.size()) line += std::string(width[k] - columns_of(r[k]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

std::string seconds_text(std::int64_t ms) {
  if (ms < 60'000) return fmt::format("{} s", ms / 1000);
  if (ms < 3'600'000) return fmt::format("{} min {} s", ms / 60'000, ms / 1000 % 60);
  return fmt::format("{} h {} min", ms / 3'600'000, ms / 60'000 % 60);
}

std::string queue_activity(const json& q) {
  std::string out = fmt::format("{} waiting", num(q, "waiting"));
  if (num(q, "waiting") > 0) out += " (longest " + seconds_text(num(q, "longest_wait_ms")) + ")";
  if (q.contains("members"))
    out += fmt::format(", {} of {} members free", num(q, "free_members"), num(q, "members"));
  return out;
}

Error bad_time(std::string_view text) {
  return Error{std::make_error_code(std::errc::invalid_argument),
               fmt::format("{}: expected Unix milliseconds, 30m, 2h, 7d, 2026-12-01 or "
                           "2026-12-01T08:30 (UTC)",
                           text)};
}

bool read_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

std::string state_words(const json& agent) {
  const std::string state = str(agent, "state");
  if (state == "not_ready") {
    const std::string reason = str(agent, "reason");
    return reason.empty() ? "not ready" : "not ready (" + reason + ")";
  }
  if (state == "logged_out") return "logged out";
  return state;
}

std::string directory_lines(const json& result, bool numbered) {
  std::vector<std::vector<std::string>> rows;
  if (!result.is_object() || !result.contains("hits") || !result["hits"].is_array()) return {};
  std::size_t n = 0;
  for (const auto& h : result["hits"]) {
    std::vector<std::string> row;
    if (numbered) row.push_back(fmt::format("{}.", ++n));
    const std::string type = str(h, "type");
    if (type == "agent") {
      row.push_back(str(h, "display_name"));
      row.push_back(str(h, "login"));
      row.push_back("agent");
      row.push_back(state_words(h));
      row.push_back(str(h, "email"));
      row.push_back(str(h, "phone"));
    } else {
      row.push_back(str(h, "name"));
      row.push_back(str(h, "number"));
      row.push_back(type == "routing_point" ? "routing point" : type);
      row.push_back(type == "queue" ? queue_activity(h) : std::string());
    }
    rows.push_back(std::move(row));
  }
  return aligned(rows);
}

std::string hit_target(const json& result, std::size_t n) {
  if (!result.is_object() || !result.contains("hits") || !result["hits"].is_array()) return {};
  const auto& hits = result["hits"];
  if (n == 0 || n > hits.size()) return {};
  const auto& h = hits[n - 1];
  return str(h, "type") == "agent" ? str(h, "login") : str(h, "number");
}

std::string queue_line(const json& q) {
  return str(q, "number") + "  " + str(q, "name") + "  " + queue_activity(q);
}

std::string queue_details(const json& q) {
  std::string out = queue_line(q);
  if (auto d = str(q, "distribution"); !d.empty()) out += "\n  distribution: " + d;
  out += fmt::format("\n  now: {} offered, {} connected", num(q, "offered_now"),
                     num(q, "connected_now"));
  if (q.contains("waiting_list") && q["waiting_list"].is_array() && !q["waiting_list"].empty()) {
    out += "\n  waiting:";
    for (const auto& w : q["waiting_list"]) {
      out += fmt::format("\n    {}. waiting {}  {}", num(w, "position"),
                         seconds_text(num(w, "waiting_ms")), str(w, "interaction"));
    }
  }
  if (q.contains("member_list") && q["member_list"].is_array()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : q["member_list"])
      rows.push_back({"    " + str(m, "display_name"), str(m, "login"), state_words(m)});
    if (!rows.empty()) out += "\n  members:\n" + aligned(rows);
  }
  if (q.contains("counters") && q["counters"].is_object()) {
    const json& c = q["counters"];
    out += fmt::format(
        "\n  counters: {} entered, {} offered, {} answered, {} declined, {} not answered, {} "
        "abandoned, {} overflowed, {} timed out, {} refused",
        num(c, "entered"), num(c, "offered"), num(c, "answered"), num(c, "declined"),
        num(c, "no_answer"), num(c, "abandoned"), num(c, "overflowed"), num(c, "timed_out"),
        num(c, "refused"));
    out += "\n  average answer " + seconds_text(num(c, "average_answer_ms")) + ", handling " +
           seconds_text(num(c, "average_handle_ms"));
  }
  return out;
}

std::string short_time(std::string_view iso) {
  // "YYYY-MM-DDTHH:MM:SS.mmmZ"
  if (iso.size() >= 20 && iso[10] == 'T' && iso.back() == 'Z')
    return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 8)) + "Z";
  return std::string(iso);
}

std::string transcript_hit_line(const json& hit) {
  return short_time(str(hit, "stamped_at")) + "  " + str(hit, "session_id") + "  " +
         str(hit, "sender") + " -> " + str(hit, "recipient") + ": " + str(hit, "snippet");
}

std::string contact_text(const json& c) {
  std::string out = str(c, "name").empty() ? str(c, "id") : str(c, "name") + " (" + str(c, "id") + ")";
  if (auto v = str(c, "company"); !v.empty()) out += ", " + v;
  if (auto v = str(c, "email"); !v.empty()) out += "\n  email: " + v;
  if (auto v = str(c, "phone"); !v.empty()) out += "\n  phone: " + v;
  if (auto v = str(c, "notes"); !v.empty()) out += "\n  notes: " + v;
  if (c.contains("attributes") && c["attributes"].is_object()) {
    for (auto it = c["attributes"].begin(); it != c["attributes"].end(); ++it)
      out += "\n  " + it.key() + ": " + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return out;
}

std::string history_line(const json& item) {
  std::string out = short_time(str(item, "at")) + "  " + str(item, "channel");
  if (item.contains("parties") && item["parties"].is_array() && item["parties"].size() == 2 &&
      item["parties"][0].is_string() && item["parties"][1].is_string()) {
    out += "  " + item["parties"][0].get<std::string>() + " -> " +
           item["parties"][1].get<std::string>();
  }
  if (auto s = str(item, "session_id"); !s.empty()) out += "  " + s;
  const std::string summary = str(item, "summary");
  const std::string snippet = str(item, "snippet");
  if (!summary.empty()) out += ": " + summary;
  if (!snippet.empty() && snippet != summary) out += (summary.empty() ? ": " : " | ") + snippet;
  return out;
}

std::string contact_id_of(std::string_view case_json) {
  const auto j = json::parse(case_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return {};
  if (auto c = j.find("case"); c != j.end() && c->is_object()) {
    if (auto id = str(*c, "contact_id"); !id.empty()) return id;
  }
  return str(j, "contact_id");
}

Result<std::int64_t> parse_time_arg(std::string_view text,
                                    std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  if (text.empty()) return bad_time(text);
  const std::int64_t now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  const bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{}) return bad_time(text);
    return v;
  }
  // 90s, 30m, 2h, 7d: that long ago.
  const char unit = text.back();
  const std::string_view count = text.substr(0, text.size() - 1);
  int n = 0;
  if (std::string_view("smhd").find(unit) != std::string_view::npos && read_int(count, n) &&
      n >= 0 && n <= 100'000) {
    const std::int64_t per = unit == 's' ? 1000 : unit == 'm' ? 60'000 : unit == 'h' ? 3'600'000
                                                                                      : 86'400'000;
    return now_ms - n * per;
  }
  // 2026-12-01[T08:30[:00]][Z], UTC.
  std::string_view t = text;
  if (t.back() == 'Z') t.remove_suffix(1);
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (t.size() < 10 || t[4] != '-' || t[7] != '-' || !read_int(t.substr(0, 4), year) ||
      !read_int(t.substr(5, 2), month) || !read_int(t.substr(8, 2), day))
    return bad_time(text);
  if (t.size() > 10) {
    if ((t[10] != 'T' && t[10] != ' ') || t.size() < 16 || t[13] != ':' ||
        !read_int(t.substr(11, 2), hour) || !read_int(t.substr(14, 2), minute))
      return bad_time(text);
    if (t.size() == 19 && t[16] == ':') {
      if (!read_int(t.substr(17, 2), second)) return bad_time(text);
    } else if (t.size() != 16) {
      return bad_time(text);
    }
  }
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 60)
    return bad_time(text);
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

Exit exit_for_api_error(const Error& e) {
  using client::ClientErrc;
  if (e.code == make_error_code(ClientErrc::LoginRefused) ||
      e.code == make_error_code(ClientErrc::BadChallenge))
    return Exit::LoginFailed;
  if (e.code == make_error_code(ClientErrc::TransportFailed) ||
      e.code == make_error_code(ClientErrc::NoAnswer))
    return Exit::NoSwitch;
  if (e.status == 404) return Exit::NotFound;
  if (e.status == 403) return Exit::Forbidden;
  return Exit::Failure;
}

}  // namespace ims::tool
