// The client's agent state values and the PIDF document it publishes (RFC 3863).
#include "client/presence.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ims::client {
namespace {

TEST(ClientPresence, ReadyIsAnOpenTupleWithoutNote) {
  const std::string doc = pidf_document("sip:alice@example.com", AgentState{});
  EXPECT_NE(doc.find("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
                     "entity=\"sip:alice@example.com\">"),
            std::string::npos)
      << doc;
  EXPECT_NE(doc.find("<status><basic>open</basic></status>"), std::string::npos) << doc;
  EXPECT_EQ(doc.find("<note>"), std::string::npos) << doc;
}

TEST(ClientPresence, NotReadyIsClosedWithTheReasonEscapedAsNote) {
  const std::string doc = pidf_document(
      "sip:alice@example.com", AgentState{Presence::NotReady, "<lunch> & \"coffee\" 'now'"});
  EXPECT_NE(doc.find("<basic>closed</basic>"), std::string::npos) << doc;
  EXPECT_NE(doc.find("<note>&lt;lunch&gt; &amp; &quot;coffee&quot; &apos;now&apos;</note>"),
            std::string::npos)
      << doc;
}

TEST(ClientPresence, DescribesStatesForPeople) {
  EXPECT_EQ(describe(AgentState{}), "Ready");
  EXPECT_EQ(describe(AgentState{Presence::NotReady, ""}), "Not Ready");
  EXPECT_EQ(describe(AgentState{Presence::NotReady, "lunch"}), "Not Ready: lunch");
  EXPECT_EQ(to_string(Presence::NotReady), "Not Ready");
}

}  // namespace
}  // namespace ims::client
