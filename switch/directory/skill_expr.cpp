#include "switch/directory/skill_expr.hpp"

#include <algorithm>

#include "common/util/strings.hpp"
#include "switch/directory/directory.hpp"
#include "switch/directory/fields.hpp"

namespace ims::sw::directory {

namespace {

Error expr_error(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// One condition: name [op level], spaces allowed around the parts.
Result<SkillCondition> parse_condition(std::string_view text) {
  text = util::trim(text);
  std::size_t i = 0;
  while (i < text.size() && is_name_char(text[i])) ++i;
  SkillCondition c;
  c.skill = std::string(text.substr(0, i));
  if (c.skill.empty()) {
    return expr_error(text.empty() ? "a condition is empty (around '&' or '|')"
                                   : "'" + std::string(text) + "' does not start with a skill "
                                     "name (lowercase letters, digits, '_' and '-')");
  }
  if (auto p = token_problem(c.skill)) {
    return expr_error("skill '" + c.skill + "' " + std::string(*p));
  }
  std::string_view rest = util::trim(text.substr(i));
  if (rest.empty()) return c;
  std::size_t op_len = 1;
  if (rest.rfind(">=", 0) == 0) {
    c.op = SkillOp::Ge, op_len = 2;
  } else if (rest.rfind("<=", 0) == 0) {
    c.op = SkillOp::Le, op_len = 2;
  } else if (rest.front() == '>') {
    c.op = SkillOp::Gt;
  } else if (rest.front() == '<') {
    c.op = SkillOp::Lt;
  } else if (rest.front() == '=') {
    c.op = SkillOp::Eq;
    if (rest.rfind("==", 0) == 0) op_len = 2;
  } else {
    return expr_error("unexpected '" + std::string(rest) + "' after '" + c.skill +
                      "' (expected >=, >, =, <=, <, '&' or '|')");
  }
  auto level = util::parse_uint(util::trim(rest.substr(op_len)), kMaxSkillLevel);
  if (!level) {
    return expr_error("after '" + c.skill + std::string(rest.substr(0, op_len)) +
                      "': expected a level from 0 to 100");
  }
  c.level = static_cast<unsigned>(*level);
  return c;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto pos = text.find(sep, start);
    out.push_back(text.substr(start, pos == std::string_view::npos ? text.npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool meets(const SkillCondition& c, const Agent& agent) {
  const auto level = agent.skill_level(c.skill);
  if (!level) return false;
  switch (c.op) {
    case SkillOp::Has: return true;
    case SkillOp::Ge: return *level >= c.level;
    case SkillOp::Gt: return *level > c.level;
    case SkillOp::Eq: return *level == c.level;
    case SkillOp::Le: return *level <= c.level;
    case SkillOp::Lt: return *level < c.level;
  }
  return false;
}

std::string_view op_text(SkillOp op) {
  switch (op) {
    case SkillOp::Has: return "";
    case SkillOp::Ge: return ">=";
    case SkillOp::Gt: return ">";
    case SkillOp::Eq: return "=";
    case SkillOp::Le: return "<=";
    case SkillOp::Lt: return "<";
  }
  return "";
}

}  // namespace

Result<SkillExpr> SkillExpr::parse(std::string_view text) {
  if (util::trim(text).empty()) return expr_error("must not be empty");
  if (text.size() > 1024) return expr_error("must be at most 1024 characters");
  SkillExpr expr;
  for (std::string_view branch : split(text, '|')) {
    std::vector<SkillCondition> all_of;
    for (std::string_view cond : split(branch, '&')) {
      auto c = parse_condition(cond);
      if (!c) return c.error();
      all_of.push_back(std::move(c).value());
    }
    expr.any_of_.push_back(std::move(all_of));
  }
  return expr;
}

bool SkillExpr::matches(const Agent& agent) const {
  return std::any_of(any_of_.begin(), any_of_.end(), [&](const auto& all_of) {
    return std::all_of(all_of.begin(), all_of.end(),
                       [&](const SkillCondition& c) { return meets(c, agent); });
  });
}

std::vector<std::string> SkillExpr::skill_names() const {
  std::vector<std::string> out;
  for (const auto& all_of : any_of_) {
    for (const auto& c : all_of) {
      if (std::find(out.begin(), out.end(), c.skill) == out.end()) out.push_back(c.skill);
    }
  }
  return out;
}

std::string SkillExpr::to_string() const {
  std::string out;
  for (const auto& all_of : any_of_) {
    if (!out.empty()) out += " | ";
    bool first = true;
    for (const auto& c : all_of) {
      if (!first) out += " & ";
      first = false;
      out += c.skill;
      out += op_text(c.op);
      if (c.op != SkillOp::Has) out += std::to_string(c.level);
    }
  }
  return out;
}

}  // namespace ims::sw::directory
