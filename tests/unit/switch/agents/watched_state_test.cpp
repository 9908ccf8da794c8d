// WatchedState: what a watcher is told of an agent, and the PIDF of its NOTIFY, read back with
// the switch's own PIDF reader (the one PUBLISH goes through).
#include "switch/agents/watched_state.hpp"

#include <gtest/gtest.h>

#include <string>

#include "switch/agents/pidf.hpp"

namespace ims::sw::agents {
namespace {

constexpr std::string_view kBob = "sip:bob@example.com";

TEST(WatchedState, LoggedOutWinsOverTheChosenState) {
  EXPECT_EQ(watched_state(false, AgentState{Presence::Ready, ""}).availability,
            Availability::LoggedOut);
  EXPECT_EQ(watched_state(false, AgentState{Presence::NotReady, "lunch"}),
            (WatchedState{Availability::LoggedOut, ""}));
}

TEST(WatchedState, LoggedInShowsTheChosenStateAndReason) {
  EXPECT_EQ(watched_state(true, AgentState{Presence::Ready, "ignored"}),
            (WatchedState{Availability::Ready, ""}));
  EXPECT_EQ(watched_state(true, AgentState{Presence::NotReady, "lunch"}),
            (WatchedState{Availability::NotReady, "lunch"}));
}

TEST(WatchedState, NotesNameTheStateAndTheReason) {
  EXPECT_EQ(note_of({Availability::Ready, ""}), "Ready");
  EXPECT_EQ(note_of({Availability::NotReady, "lunch"}), "Not Ready: lunch");
  EXPECT_EQ(note_of({Availability::NotReady, ""}), "Not Ready");
  EXPECT_EQ(note_of({Availability::LoggedOut, ""}), "Logged out");
}

TEST(WatchedState, ReadyIsOpenEverythingElseClosed) {
  auto ready = parse_pidf(watched_pidf(kBob, {Availability::Ready, ""}));
  ASSERT_TRUE(ready) << ready.error().message;
  EXPECT_EQ(*ready, (AgentState{Presence::Ready, "Ready"}));

  auto away = parse_pidf(watched_pidf(kBob, {Availability::NotReady, "lunch"}));
  ASSERT_TRUE(away) << away.error().message;
  EXPECT_EQ(*away, (AgentState{Presence::NotReady, "Not Ready: lunch"}));

  auto gone = parse_pidf(watched_pidf(kBob, {Availability::LoggedOut, ""}));
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_EQ(*gone, (AgentState{Presence::NotReady, "Logged out"}));
}

TEST(WatchedState, TheDocumentNamesTheEntityAndEscapesTheReason) {
  const std::string doc = watched_pidf(kBob, {Availability::NotReady, "<b>&\"team\"'s</b>"});
  EXPECT_NE(doc.find("entity=\"sip:bob@example.com\""), std::string::npos) << doc;
  EXPECT_EQ(doc.find("<b>"), std::string::npos) << doc;
  auto read = parse_pidf(doc);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->reason, "Not Ready: <b>&\"team\"'s</b>");
}

}  // namespace
}  // namespace ims::sw::agents
