// Which digest algorithms a challenge offers (PRODUCT §2): the switch's list, an agent's own,
// the HA1 values it has, and the User-Agent rule for clients that fail on SHA-256.

#include "switch/app/authn.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ims::sw::app {
namespace {

using auth::Algorithm;
using List = std::vector<Algorithm>;

const List kBoth{Algorithm::Sha256, Algorithm::Md5};
const std::vector<std::string> kRules{"baresip v0.*", "baresip v1.*", "sipsak *"};

directory::Agent agent_with_password() {
  directory::Agent a;
  a.login = "alice";
  a.credentials.password = "pw-alice";
  return a;
}

TEST(OfferedAlgorithms, EveryoneElseGetsTheSwitchsListInOrder) {
  const auto alice = agent_with_password();
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "linphone/5.0.16 (belle-sip/5.0.55)", kRules), kBoth);
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "", kRules), kBoth);
  EXPECT_EQ(offered_algorithms(kBoth, nullptr, "imtool", kRules), kBoth);
}

TEST(OfferedAlgorithms, ALegacyUserAgentGetsASingleMd5Challenge) {
  const auto alice = agent_with_password();
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "baresip v1.0.0 (x86_64/linux)", kRules),
            List{Algorithm::Md5});
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "sipsak 0.9.8.1", kRules), List{Algorithm::Md5});
  // Case-insensitive, whole value; an unknown user is treated alike (nothing to tell apart).
  EXPECT_EQ(offered_algorithms(kBoth, nullptr, "  BareSIP v1.1.0  ", kRules),
            List{Algorithm::Md5});
  // A newer baresip, or a name that merely contains the word, is not covered.
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "baresip v3.2.0 (x86_64/linux)", kRules), kBoth);
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "not-sipsak 1.0", kRules), kBoth);
  // The rule list may be emptied.
  EXPECT_EQ(offered_algorithms(kBoth, &alice, "sipsak 0.9.8.1", {}), kBoth);
}

TEST(OfferedAlgorithms, TheRuleNeverOffersWhatTheSwitchWithdrew) {
  const List sha_only{Algorithm::Sha256};
  EXPECT_EQ(offered_algorithms(sha_only, nullptr, "sipsak 0.9.8.1", kRules), sha_only);
}

TEST(OfferedAlgorithms, AnAgentsOwnListNarrowsAndOrders) {
  auto judy = agent_with_password();
  judy.credentials.offered = {Algorithm::Md5};
  EXPECT_EQ(offered_algorithms(kBoth, &judy, "MicroSIP/3.21.3", kRules), List{Algorithm::Md5});
  judy.credentials.offered = {Algorithm::Md5, Algorithm::Sha256};
  EXPECT_EQ(offered_algorithms(kBoth, &judy, "MicroSIP/3.21.3", kRules),
            (List{Algorithm::Md5, Algorithm::Sha256}));
  // Only what the switch offers at all.
  judy.credentials.offered = {Algorithm::Sha256};
  EXPECT_EQ(offered_algorithms(List{Algorithm::Md5}, &judy, "", kRules), List{Algorithm::Md5});
}

TEST(OfferedAlgorithms, AnAgentWithOneHa1IsOfferedThatAlgorithmOnly) {
  directory::Agent md5;
  md5.login = "judy";
  md5.credentials.ha1_md5 = std::string(32, 'a');
  EXPECT_EQ(offered_algorithms(kBoth, &md5, "linphone", kRules), List{Algorithm::Md5});
  directory::Agent sha;
  sha.login = "kim";
  sha.credentials.ha1_sha256 = std::string(64, 'b');
  EXPECT_EQ(offered_algorithms(kBoth, &sha, "linphone", kRules), List{Algorithm::Sha256});
  // A legacy client of a SHA-256-only agent cannot log in whatever is offered: the switch's
  // list stands, so the failure is a plain 401 after a try, not an empty challenge.
  EXPECT_EQ(offered_algorithms(kBoth, &sha, "sipsak 0.9.8.1", kRules), List{Algorithm::Sha256});
}

}  // namespace
}  // namespace ims::sw::app
