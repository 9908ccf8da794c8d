#include "switch/directory/skill_expr.hpp"

#include <gtest/gtest.h>

#include "switch/directory/directory.hpp"

namespace ims::sw::directory {
namespace {

Agent with_skills(std::vector<Skill> skills) {
  Agent a;
  a.login = "x";
  a.skills = std::move(skills);
  return a;
}

TEST(SkillExpr, ParsesConjunctionsAndDisjunctions) {
  auto e = SkillExpr::parse(" support>=5 &french |supervisor ");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->to_string(), "support>=5 & french | supervisor");
  ASSERT_EQ(e->branches().size(), 2u);
  EXPECT_EQ(e->branches()[0].size(), 2u);
  EXPECT_EQ(e->skill_names(), (std::vector<std::string>{"support", "french", "supervisor"}));
}

TEST(SkillExpr, MatchesAgentsByLevel) {
  auto e = SkillExpr::parse("support>=5 & french | supervisor");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->matches(with_skills({{"support", 5}, {"french", 0}})));
  EXPECT_FALSE(e->matches(with_skills({{"support", 4}, {"french", 9}})));
  EXPECT_FALSE(e->matches(with_skills({{"support", 9}})));
  EXPECT_TRUE(e->matches(with_skills({{"supervisor", 0}})));
  EXPECT_FALSE(e->matches(with_skills({})));
}

TEST(SkillExpr, SupportsEveryComparison) {
  const Agent a = with_skills({{"s", 5}});
  EXPECT_TRUE(SkillExpr::parse("s>4")->matches(a));
  EXPECT_FALSE(SkillExpr::parse("s>5")->matches(a));
  EXPECT_TRUE(SkillExpr::parse("s=5")->matches(a));
  EXPECT_TRUE(SkillExpr::parse("s==5")->matches(a));
  EXPECT_TRUE(SkillExpr::parse("s<=5")->matches(a));
  EXPECT_FALSE(SkillExpr::parse("s<5")->matches(a));
}

TEST(SkillExpr, ExplainsWhatIsWrong) {
  EXPECT_EQ(SkillExpr::parse("").error().message, "must not be empty");
  EXPECT_EQ(SkillExpr::parse("a & | b").error().message,
            "a condition is empty (around '&' or '|')");
  EXPECT_EQ(SkillExpr::parse("support>=x").error().message,
            "after 'support>=': expected a level from 0 to 100");
  EXPECT_EQ(SkillExpr::parse("support>=101").error().message,
            "after 'support>=': expected a level from 0 to 100");
  EXPECT_FALSE(SkillExpr::parse("Support"));
  EXPECT_FALSE(SkillExpr::parse("(a)"));
  EXPECT_FALSE(SkillExpr::parse("a ! 3"));
}

}  // namespace
}  // namespace ims::sw::directory
