#include "tools/imtool/load/plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/util/strings.hpp"
#include "tools/imtool/csv.hpp"

namespace ims::tool::load {

namespace {

Error bad(std::string message) { return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)}; }

std::optional<std::uint64_t> number_of(std::string_view s) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

std::optional<double> real_of(std::string_view s) {
  s = util::trim(s);
  if (s.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double d = std::stod(std::string(s), &used);
    if (used != s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
  } catch (...) {
    return std::nullopt;
  }
}

bool plain_login(std::string_view login) {
  return !login.empty() && login.size() <= 128 &&
         std::all_of(login.begin(), login.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
         });
}

Result<void> expand_one(std::string_view pattern, std::vector<std::string>& out) {
  const auto open = pattern.find('{');
  if (open == std::string_view::npos) {
    if (!plain_login(pattern)) return bad(fmt::format("'{}' is not a login", pattern));
    out.emplace_back(pattern);
    return {};
  }
  const auto close = pattern.find('}', open);
  const auto dots = pattern.find("..", open);
  if (close == std::string_view::npos || dots == std::string_view::npos || dots > close) {
    return bad(fmt::format("'{}': a range is written {{0001..1000}}", pattern));
  }
  const auto first_text = pattern.substr(open + 1, dots - open - 1);
  const auto last_text = pattern.substr(dots + 2, close - dots - 2);
  const auto first = number_of(first_text);
  const auto last = number_of(last_text);
  if (!first || !last || *first > *last) {
    return bad(fmt::format("'{}': a range is two numbers, the first not above the second",
                           pattern));
  }
  if (*last - *first + 1 > kMaxAgents || out.size() + (*last - *first + 1) > kMaxAgents) {
    return bad(fmt::format("'{}': more than {} agents", pattern, kMaxAgents));
  }
  const std::string prefix(pattern.substr(0, open));
  const std::string suffix(pattern.substr(close + 1));
  if (suffix.find('{') != std::string::npos) {
    return bad(fmt::format("'{}': one range per pattern", pattern));
  }
  const std::size_t width = first_text.size();
  for (std::uint64_t n = *first; n <= *last; ++n) {
    std::string login = prefix + fmt::format("{:0{}}", n, width) + suffix;
    if (!plain_login(login)) return bad(fmt::format("'{}' is not a login", login));
    out.push_back(std::move(login));
  }
  return {};
}

// Splits on commas outside braces.
std::vector<std::string_view> split_patterns(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      parts.push_back(util::trim(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '{') {
      ++depth;
    } else if (text[i] == '}') {
      --depth;
    }
  }
  return parts;
}

}  // namespace

std::string_view scenario_name(Scenario s) {
  switch (s) {
    case Scenario::Message: return "message";
    case Scenario::Session: return "session";
    case Scenario::Queue: return "queue";
    case Scenario::Register: return "register";
  }
  return "?";
}

double Mix::total() const {
  double t = 0;
  for (double w : weight) t += w;
  return t;
}

std::size_t LoadPlan::outstanding_bound() const {
  if (max_outstanding) return max_outstanding;
  return flat_out() ? 200 : 10'000;
}

std::string LoadPlan::password_for(const std::string& login) const {
  if (auto it = passwords.find(login); it != passwords.end()) return it->second;
  std::string out;
  std::string_view p = password_pattern;
  constexpr std::string_view kLogin = "{login}";
  for (std::size_t at; (at = p.find(kLogin)) != std::string_view::npos;) {
    out.append(p.substr(0, at)).append(login);
    p.remove_prefix(at + kLogin.size());
  }
  out.append(p);
  return out;
}

Result<std::vector<std::string>> expand_logins(std::string_view patterns) {
  std::vector<std::string> out;
  for (auto part : split_patterns(patterns)) {
    if (part.empty()) return bad("an empty login in the list");
    if (auto ok = expand_one(part, out); !ok) return ok.error();
  }
  if (out.empty()) return bad("no agents");
  return out;
}

Result<AgentsFile> read_agents_file(std::string_view text) {
  auto records = read_csv(text);
  if (!records) return records.error();
  if (records->empty()) return bad("the file is empty");
  const auto& header = records->front().fields;
  std::optional<std::size_t> login_col, password_col;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = util::to_lower(header[i]);
    if (name == "login") login_col = i;
    if (name == "password") password_col = i;
  }
  if (!login_col) return bad("line 1: the header must name a `login` column");
  AgentsFile file;
  std::set<std::string> seen;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    if (*login_col >= rec.fields.size() || !plain_login(rec.fields[*login_col])) {
      return bad(fmt::format("line {}: no login, or not a login", rec.line));
    }
    const std::string& login = rec.fields[*login_col];
    if (!seen.insert(login).second) return bad(fmt::format("line {}: {} twice", rec.line, login));
    if (file.logins.size() >= kMaxAgents) return bad(fmt::format("more than {} agents", kMaxAgents));
    file.logins.push_back(login);
    if (password_col && *password_col < rec.fields.size() && !rec.fields[*password_col].empty()) {
      file.passwords[login] = rec.fields[*password_col];
    }
  }
  if (file.logins.empty()) return bad("no agents in the file");
  return file;
}

Result<Mix> parse_mix(std::string_view text) {
  Mix mix;
  mix.weight.fill(0);
  for (auto part : split_patterns(text)) {
    part = util::trim(part);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      return bad(fmt::format("mix '{}': each part is name=weight", part));
    }
    const auto name = util::trim(part.substr(0, eq));
    const auto weight = real_of(part.substr(eq + 1));
    if (!weight || *weight < 0) {
      return bad(fmt::format("mix '{}': the weight must be a number, 0 or more", part));
    }
    bool known = false;
    for (std::size_t i = 0; i < kScenarios; ++i) {
      if (name == scenario_name(static_cast<Scenario>(i))) {
        mix.weight[i] = *weight;
        known = true;
      }
    }
    if (!known) {
      return bad(fmt::format("mix: '{}' is not message, session, queue or register", name));
    }
  }
  if (mix.total() <= 0) return bad("mix: every weight is 0");
  return mix;
}

Result<Millis> parse_duration(std::string_view text) {
  text = util::trim(text);
  std::size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                  text[digits] == '.'))
    ++digits;
  const auto value = real_of(text.substr(0, digits));
  const auto unit = text.substr(digits);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  if (!value || scale == 0 || *value < 0 || *value * scale > 30.0 * 86'400'000) {
    return bad(fmt::format("'{}' is not a duration (250ms, 30s, 2m, 1h; at most 30 days)", text));
  }
  return Millis(static_cast<std::int64_t>(std::llround(*value * scale)));
}

Result<void> apply_profile(std::string_view yaml_text, std::string_view file_name,
                           LoadPlan& plan) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return bad(fmt::format("{}:{}: {}", file_name, e.mark.line + 1, e.msg));
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) return bad(fmt::format("{}: a profile is a map of keys", file_name));
  auto where = [&](const YAML::Node& n, std::string_view key) {
    return fmt::format("{}:{}: {}", file_name, n.Mark().line + 1, key);
  };
  try {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      auto text = [&] { return v.as<std::string>(); };
      auto duration = [&]() -> Result<Millis> {
        auto d = parse_duration(text());
        if (!d) return bad(fmt::format("{}: {}", where(v, key), d.error().message));
        return d;
      };
      auto real = [&](double low, double high) -> Result<double> {
        auto d = real_of(text());
        if (!d || *d < low || *d > high) {
          return bad(fmt::format("{}: a number from {} to {}", where(v, key), low, high));
        }
        return *d;
      };
      if (key == "agents" || key == "targets") {
        auto logins = expand_logins(text());
        if (!logins) return bad(fmt::format("{}: {}", where(v, key), logins.error().message));
        (key == "agents" ? plan.agents : plan.targets) = std::move(*logins);
      } else if (key == "password") {
        plan.password_pattern = text();
      } else if (key == "register_rate") {
        auto r = real(0.001, kMaxRate);
        if (!r) return r.error();
        plan.register_rate = *r;
      } else if (key == "expires") {
        auto d = duration();
        if (!d) return d.error();
        plan.expires = std::chrono::duration_cast<std::chrono::seconds>(*d);
      } else if (key == "rate") {
        auto r = real(0, kMaxRate);
        if (!r) return r.error();
        plan.rate = *r;
      } else if (key == "ramp" || key == "duration" || key == "ring_timeout" || key == "drain" ||
                 key == "message_think") {
        auto d = duration();
        if (!d) return d.error();
        if (key == "ramp") plan.ramp = *d;
        if (key == "duration") plan.duration = *d;
        if (key == "ring_timeout") plan.ring_timeout = *d;
        if (key == "drain") plan.drain = *d;
        if (key == "message_think") plan.message_think = *d;
      } else if (key == "count") {
        auto r = real(1, 1e12);
        if (!r) return r.error();
        plan.count = static_cast<std::uint64_t>(*r);
      } else if (key == "mix") {
        if (!v.IsMap()) return bad(fmt::format("{}: a map of scenario: weight", where(v, key)));
        std::string joined;
        for (const auto& w : v)
          joined += fmt::format("{}{}={}", joined.empty() ? "" : ",", w.first.as<std::string>(),
                                w.second.as<std::string>());
        auto mix = parse_mix(joined);
        if (!mix) return bad(fmt::format("{}: {}", where(v, key), mix.error().message));
        plan.mix = *mix;
      } else if (key == "session_messages") {
        auto r = real(0, kMaxSessionMessages);
        if (!r) return r.error();
        plan.session_messages = static_cast<int>(*r);
      } else if (key == "queue") {
        plan.queue = text();
      } else if (key == "max_outstanding") {
        auto r = real(1, kMaxOutstanding);
        if (!r) return r.error();
        plan.max_outstanding = static_cast<std::size_t>(*r);
      } else if (key == "text_bytes") {
        auto r = real(1, kMaxTextBytes);
        if (!r) return r.error();
        plan.text_bytes = static_cast<std::size_t>(*r);
      } else if (key == "max_failure_rate") {
        auto r = real(0, 1);
        if (!r) return r.error();
        plan.max_failure_rate = *r;
      } else if (key == "seed") {
        auto r = real(0, 1e18);
        if (!r) return r.error();
        plan.seed = static_cast<std::uint64_t>(*r);
      } else if (key == "answer") {
        if (!v.IsMap()) return bad(fmt::format("{}: a map (accept, decline, no_answer, think)", where(v, key)));
        for (const auto& a : v) {
          const auto k = a.first.as<std::string>();
          const auto value = a.second.as<std::string>();
          if (k == "think") {
            auto d = parse_duration(value);
            if (!d) return bad(fmt::format("{}: {}", where(a.second, "answer.think"), d.error().message));
            plan.answer.think = *d;
            continue;
          }
          auto share = real_of(value);
          if (!share || *share < 0 || *share > 1) {
            return bad(fmt::format("{}: a share from 0 to 1", where(a.second, "answer." + k)));
          }
          if (k == "accept") plan.answer.accept = *share;
          else if (k == "decline") plan.answer.decline = *share;
          else if (k == "no_answer") plan.answer.no_answer = *share;
          else return bad(fmt::format("{}: unknown key", where(a.first, "answer." + k)));
        }
      } else {
        return bad(fmt::format("{}: unknown key", where(kv.first, key)));
      }
    }
  } catch (const YAML::Exception& e) {
    return bad(fmt::format("{}:{}: {}", file_name, e.mark.line + 1, e.msg));
  }
  return {};
}

Result<void> check(const LoadPlan& plan) {
  if (plan.agents.empty()) return bad("no agents (--agents or --agents-file)");
  if (plan.answer_only) {
    const double sum = plan.answer.accept + plan.answer.decline + plan.answer.no_answer;
    if (std::abs(sum - 1) > 1e-6) return bad("--accept, --decline and --no-answer must sum to 1");
    return {};
  }
  if (!plan.duration && !plan.count) return bad("give --duration or --count (or both)");
  if (plan.mix.total() <= 0) return bad("the mix has no traffic");
  const double sum = plan.answer.accept + plan.answer.decline + plan.answer.no_answer;
  if (std::abs(sum - 1) > 1e-6) return bad("--accept, --decline and --no-answer must sum to 1");
  if (plan.mix[Scenario::Queue] > 0 && plan.queue.empty()) {
    return bad("queue traffic needs --queue NUMBER (a queue or routing point)");
  }
  const bool needs_targets = plan.mix[Scenario::Message] > 0 || plan.mix[Scenario::Session] > 0;
  if (needs_targets && plan.targets.empty() && plan.agents.size() < 2) {
    return bad("messages and sessions need two agents at least, or --targets");
  }
  if (plan.rate < 0 || plan.rate > kMaxRate) return bad("--rate out of range");
  return {};
}

}  // namespace ims::tool::load
