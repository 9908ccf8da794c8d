#include "common/util/random.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ims::util {
namespace {

TEST(RandomToken, HasRequestedLengthAndAlphabet) {
  const auto t = random_token(32);
  ASSERT_EQ(t.size(), 32u);
  for (char c : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(RandomToken, DoesNotRepeatAcrossManyDraws) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(random_token(16));
  EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace ims::util
