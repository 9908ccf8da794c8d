// NameIndex (name_index.hpp), OptionalText, TaskList and AlgorithmList (compact.hpp): the small forms a large
// directory's entries and indexes take.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "switch/directory/compact.hpp"
#include "switch/directory/name_index.hpp"

namespace ims::sw::directory {
namespace {

struct Named {
  std::string name;
};
std::string_view name_of(const Named& n) { return n.name; }

TEST(NameIndex, FindsEveryNameAmongManyAndNothingElse) {
  std::vector<Named> entries;
  for (int i = 0; i < 5000; ++i) entries.push_back({"agent" + std::to_string(i)});
  NameIndex index;
  index.build(entries, name_of);
  for (int i = 0; i < 5000; ++i) {
    const Named* hit = index.find(entries, name_of, "agent" + std::to_string(i));
    ASSERT_NE(hit, nullptr) << i;
    EXPECT_EQ(hit, &entries[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(index.find(entries, name_of, "agent5000"), nullptr);
  EXPECT_EQ(index.find(entries, name_of, "Agent1"), nullptr);  // case-sensitive
  EXPECT_EQ(index.find(entries, name_of, ""), nullptr);
  // At most half full, 4 bytes a slot.
  EXPECT_LE(index.memory_bytes(), 4u * 4 * 5000);
}

TEST(NameIndex, EmptyNamesAreLeftOutAndTheFirstOfEqualNamesWins) {
  const std::vector<Named> entries{{""}, {"2001"}, {""}, {"2001"}, {"2002"}};
  NameIndex index;
  index.build(entries, name_of);
  EXPECT_EQ(index.find(entries, name_of, "2001"), &entries[1]);
  EXPECT_EQ(index.find(entries, name_of, "2002"), &entries[4]);
  EXPECT_EQ(index.find(entries, name_of, ""), nullptr);
}

TEST(NameIndex, AnIndexOfNothingFindsNothing) {
  const std::vector<Named> none;
  NameIndex built;
  built.build(none, name_of);
  EXPECT_EQ(built.find(none, name_of, "x"), nullptr);
  NameIndex never_built;
  EXPECT_EQ(never_built.find(none, name_of, "x"), nullptr);
}

TEST(OptionalText, ReadsAndCopiesLikeAnOptionalString) {
  OptionalText none;
  EXPECT_FALSE(none);
  EXPECT_FALSE(std::optional<std::string>(none).has_value());
  OptionalText hex = std::string(32, 'a');
  ASSERT_TRUE(hex.has_value());
  EXPECT_EQ(hex->size(), 32u);
  OptionalText copy = hex;
  *copy = std::string(32, 'b');
  EXPECT_EQ(*hex, std::string(32, 'a'));  // a copy is its own
  EXPECT_EQ(std::optional<std::string>(copy), std::string(32, 'b'));
  copy.reset();
  EXPECT_FALSE(copy);
  EXPECT_LE(sizeof(OptionalText), sizeof(void*));
}

TEST(TaskList, DefaultsToImAndComparesWithAVector) {
  const TaskList im;
  EXPECT_EQ(im, (std::vector<std::string>{"im"}));
  const TaskList two{"im", "voice"};
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1], "voice");
  const TaskList none = std::vector<std::string>{};
  EXPECT_TRUE(none.empty());
  const TaskList copy = two;  // shares the list
  EXPECT_EQ(&copy.list(), &two.list());
  EXPECT_EQ(&TaskList().list(), &im.list());  // every default shares one
}

TEST(AlgorithmList, KeepsTheOrderGivenEachAlgorithmOnceInThreeBytes) {
  using auth::Algorithm;
  const AlgorithmList none;
  EXPECT_TRUE(none.empty());
  const AlgorithmList md5_first{Algorithm::Md5, Algorithm::Sha256};
  EXPECT_EQ(md5_first, (std::vector<Algorithm>{Algorithm::Md5, Algorithm::Sha256}));
  const AlgorithmList repeated = std::vector<Algorithm>{Algorithm::Sha256, Algorithm::Sha256};
  EXPECT_EQ(repeated, std::vector<Algorithm>{Algorithm::Sha256});
  EXPECT_EQ(repeated.to_vector(), std::vector<Algorithm>{Algorithm::Sha256});
  EXPECT_LE(sizeof(AlgorithmList), 3u);
}

}  // namespace
}  // namespace ims::sw::directory
