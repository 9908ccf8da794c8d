#include "common/transport/cores.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ims::transport {
namespace {

TEST(PeekCallId, FindsTheLongAndTheCompactForm) {
  EXPECT_EQ(peek_call_id("MESSAGE sip:bob@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                         "Call-ID: abc@host\r\nCSeq: 1 MESSAGE\r\n\r\n"),
            "abc@host");
  EXPECT_EQ(peek_call_id("SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h\r\ni:xyz\r\n\r\n"), "xyz");
}

TEST(PeekCallId, NameIsCaseInsensitiveAndWhiteSpaceIsTrimmed) {
  EXPECT_EQ(peek_call_id("BYE sip:a@b SIP/2.0\r\nCALL-id \t:  spaced  \r\n\r\n"), "spaced");
  EXPECT_EQ(peek_call_id("BYE sip:a@b SIP/2.0\nI: bare-lf\n\n"), "bare-lf");
}

TEST(PeekCallId, StopsAtTheEndOfTheHeaderSection) {
  EXPECT_EQ(peek_call_id("MESSAGE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\nCall-ID: in-body\r\n"),
            "");
  EXPECT_EQ(peek_call_id(""), "");
  EXPECT_EQ(peek_call_id("\r\n\r\n"), "");
  EXPECT_EQ(peek_call_id("garbage without lines"), "");
  // Names that merely begin like Call-ID are other headers.
  EXPECT_EQ(peek_call_id("X sip:a SIP/2.0\r\nCall-Info: <x>\r\nIn-Reply-To: y\r\n\r\n"), "");
}

TEST(Flows, IdsCarryTheirCore) {
  const FlowId f = flow_id(7, 3);
  EXPECT_EQ(flow_core(f), 3u);
  EXPECT_EQ(flow_serial(f), 7u);
  EXPECT_NE(flow_id(7, 0), flow_id(7, 1));
  EXPECT_EQ(flow_serial(flow_id(7, 0)), flow_serial(flow_id(7, 1)));
}

TEST(Cores, OneCoreOwnsEverything) {
  Cores one(1);
  EXPECT_EQ(one.owner_of("anything"), 0u);
  EXPECT_EQ(one.owner_of(""), 0u);
}

TEST(Cores, OwnershipIsStableAndSpread) {
  Cores two(2);
  std::set<std::size_t> owners;
  for (int i = 0; i < 64; ++i) {
    const std::string id = "call-" + std::to_string(i) + "@host";
    const std::size_t owner = two.owner_of(id);
    EXPECT_EQ(two.owner_of(id), owner);
    EXPECT_LT(owner, 2u);
    owners.insert(owner);
  }
  EXPECT_EQ(owners.size(), 2u) << "64 Call-IDs all on one core";
}

TEST(Cores, NewCallIdsBelongToTheCoreThatMadeThem) {
  Cores three(3);
  std::set<std::string> ids;
  for (std::size_t core = 0; core < 3; ++core) {
    for (int i = 0; i < 20; ++i) {
      const std::string id = three.new_call_id(core, "imswitch");
      EXPECT_EQ(three.owner_of(id), core) << id;
      EXPECT_EQ(id.substr(id.size() - 9), "@imswitch");
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), 60u);
}

TEST(Cores, CountIsBounded) {
  EXPECT_THROW(Cores(0), std::invalid_argument);
  EXPECT_THROW(Cores(kMaxCores + 1), std::invalid_argument);
}

}  // namespace
}  // namespace ims::transport
