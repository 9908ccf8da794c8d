// How imtool shows the HTTP API's answers and reads the times people type: aligned, ranked
// directory hits with states, hit numbers for /im <n>, transcript and history lines, the
// contact a consultation's case data names, --since forms.

#include "tools/imtool/api_text.hpp"

#include <gtest/gtest.h>

#include "client/errors.hpp"

namespace ims::tool {
namespace {

using nlohmann::json;

const json kSearch = json::parse(R"({"query":"mar","count":3,"hits":[
  {"type":"agent","login":"alice","display_name":"Alice Martin","email":"alice@example.com",
   "phone":"1001","state":"not_ready","reason":"lunch"},
  {"type":"agent","login":"marc","display_name":"Marc Zoé","state":"logged_out"},
  {"type":"queue","number":"2001","name":"Marketing","waiting":2,"longest_wait_ms":65000,
   "members":5,"free_members":1}]})");

TEST(ApiText, DirectoryHitsAreAlignedRankedLines) {
  EXPECT_EQ(directory_lines(kSearch, false),
            "Alice Martin  alice  agent  not ready (lunch)  alice@example.com  1001\n"
            "Marc Zoé      marc   agent  logged out\n"
            "Marketing     2001   queue  2 waiting (longest 1 min 5 s), 1 of 5 members free");
  const std::string numbered = directory_lines(kSearch, true);
  EXPECT_EQ(numbered.substr(0, 17), "1.  Alice Martin ");
  EXPECT_NE(numbered.find("\n3.  Marketing"), std::string::npos) << numbered;
  EXPECT_EQ(directory_lines(json{{"count", 0}, {"hits", json::array()}}, true), "");
}

TEST(ApiText, HitNumbersNameWhatImAddresses) {
  EXPECT_EQ(hit_target(kSearch, 1), "alice");
  EXPECT_EQ(hit_target(kSearch, 3), "2001");
  EXPECT_EQ(hit_target(kSearch, 0), "");
  EXPECT_EQ(hit_target(kSearch, 4), "");
}

TEST(ApiText, StatesInWords) {
  EXPECT_EQ(state_words(json{{"state", "ready"}}), "ready");
  EXPECT_EQ(state_words(json{{"state", "not_ready"}}), "not ready");
  EXPECT_EQ(state_words(json{{"state", "not_ready"}, {"reason", "lunch"}}), "not ready (lunch)");
  EXPECT_EQ(state_words(json{{"state", "logged_out"}}), "logged out");
  EXPECT_EQ(state_words(json{{"state", "busy"}}), "busy");
}

TEST(ApiText, TranscriptAndHistoryLines) {
  EXPECT_EQ(transcript_hit_line(json{{"stamped_at", "2026-12-06T12:20:31.402Z"},
                                     {"session_id", "im-1"},
                                     {"sender", "alice"},
                                     {"recipient", "bob"},
                                     {"snippet", "is the «shipment» late?"}}),
            "2026-12-06 12:20:31Z  im-1  alice -> bob: is the «shipment» late?");
  EXPECT_EQ(history_line(json{{"channel", "im"},
                              {"at", "2026-12-06T12:20:31.402Z"},
                              {"session_id", "im-1"},
                              {"parties", {"bob", "alice"}},
                              {"snippet", "the «parcel»"}}),
            "2026-12-06 12:20:31Z  im  bob -> alice  im-1: the «parcel»");
  EXPECT_EQ(history_line(json{{"channel", "voice"},
                              {"at", "2026-12-01T08:00:00.000Z"},
                              {"summary", "asked for a refund"}}),
            "2026-12-01 08:00:00Z  voice: asked for a refund");
}

TEST(ApiText, ContactShowsItsFieldsAndAttributes) {
  EXPECT_EQ(contact_text(json{{"id", "c-42"},
                              {"name", "Ann Smith"},
                              {"company", "ACME"},
                              {"email", "ann@example.com"},
                              {"phone", ""},
                              {"attributes", {{"tier", "gold"}}}}),
            "Ann Smith (c-42), ACME\n  email: ann@example.com\n  tier: gold");
}

TEST(ApiText, TheContactOfACaseData) {
  EXPECT_EQ(contact_id_of(R"({"interaction":{"kind":"voice","id":"v1"},"case":{"contact_id":"c-42"}})"),
            "c-42");
  EXPECT_EQ(contact_id_of(R"({"contact_id":"c-7","order":"17"})"), "c-7");
  EXPECT_EQ(contact_id_of(R"({"interaction":{"kind":"voice","id":"v1"},"case":{}})"), "");
  EXPECT_EQ(contact_id_of("not json"), "");
}

TEST(ApiText, TimesAsPeopleTypeThem) {
  using namespace std::chrono;
  const auto now = system_clock::time_point{milliseconds{1'796'559'631'402}};
  EXPECT_EQ(*parse_time_arg("1733480000000", now), 1733480000000);
  EXPECT_EQ(*parse_time_arg("30m", now), 1'796'559'631'402 - 30 * 60'000);
  EXPECT_EQ(*parse_time_arg("2h", now), 1'796'559'631'402 - 2 * 3'600'000);
  EXPECT_EQ(*parse_time_arg("7d", now), 1'796'559'631'402 - 7 * 86'400'000LL);
  EXPECT_EQ(*parse_time_arg("2026-12-01", now), 1'796'083'200'000);
  EXPECT_EQ(*parse_time_arg("2026-12-01T08:30", now), 1'796'083'200'000 + 8 * 3'600'000 + 30 * 60'000);
  EXPECT_EQ(*parse_time_arg("2026-12-01T08:30:15Z", now),
            1'796'083'200'000 + 8 * 3'600'000 + 30 * 60'000 + 15'000);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-12-01T25:00", "5y", "-3h",
                          "2026-12-01T08"})
    EXPECT_FALSE(parse_time_arg(bad, now)) << bad;
}

TEST(ApiText, ExitStatusOfAFailedCall) {
  using client::ClientErrc;
  EXPECT_EQ(exit_for_api_error(Error{ClientErrc::LoginRefused, "401: wrong login or password", 401}),
            Exit::LoginFailed);
  EXPECT_EQ(exit_for_api_error(Error{ClientErrc::TransportFailed, "cannot reach"}), Exit::NoSwitch);
  EXPECT_EQ(exit_for_api_error(Error{ClientErrc::NoAnswer, "no answer"}), Exit::NoSwitch);
  EXPECT_EQ(exit_for_api_error(Error{ClientErrc::Refused, "404: no such agent", 404}),
            Exit::NotFound);
  EXPECT_EQ(exit_for_api_error(Error{ClientErrc::Refused, "403: not yours", 403}), Exit::Forbidden);
  EXPECT_EQ(exit_for_api_error(Error{ClientErrc::Refused, "400: q", 400}), Exit::Failure);
}

}  // namespace
}  // namespace ims::tool
