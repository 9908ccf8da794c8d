#pragma once
// SkillExpr: which agents a queue takes by skill, e.g. "billing>=3 & french | supervisor".
// A disjunction of conjunctions: '&' binds tighter than '|', no parentheses. Each condition is a
// skill name, alone ("has the skill at any level") or compared with a level (>=, >, =, <=, <).
// Plain values, no I/O.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"

namespace ims::sw::directory {

struct Agent;

enum class SkillOp : std::uint8_t { Has, Ge, Gt, Eq, Le, Lt };

struct SkillCondition {
  std::string skill;
  SkillOp op = SkillOp::Has;
  unsigned level = 0;
};

class SkillExpr {
 public:
  // Parses the text; the error message says what is wrong and where ("after 'billing>='").
  static Result<SkillExpr> parse(std::string_view text);

  // True when the agent meets every condition of at least one '|' branch.
  bool matches(const Agent& agent) const;
  // Skill names the expression mentions, each once, in order of appearance.
  std::vector<std::string> skill_names() const;
  // Canonical text: "billing>=3 & french | supervisor".
  std::string to_string() const;
  bool empty() const { return any_of_.empty(); }

  const std::vector<std::vector<SkillCondition>>& branches() const { return any_of_; }

 private:
  std::vector<std::vector<SkillCondition>> any_of_;
};

}  // namespace ims::sw::directory
