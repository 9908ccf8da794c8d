#pragma once
// How imtool shows the switch's HTTP API answers (README "HTTP API"), for the one-shot commands
// and the agent shell alike: directory hits as an aligned, ranked list, agent states in words,
// queues, transcript hits, a contact and its history. Also the time arguments people type
// (--since 2h, 2026-12-01). Pure functions over the API's JSON, so the tests check exactly what
// a person sees; a field the switch left out is simply not shown.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/util/result.hpp"
#include "tools/imtool/render.hpp"

namespace ims::tool {

// An agent's state from its API JSON ("state", "reason"): "ready", "not ready (lunch)",
// "busy", "logged out".
std::string state_words(const nlohmann::json& agent);

// A directory search's hits, one line each in rank order, columns aligned: name, login or
// number, type, state (agents) or line (queues), email, phone. numbered: "1. " before each.
// "" for no hits.
std::string directory_lines(const nlohmann::json& result, bool numbered);

// What /im and /consult address for hit n (1-based) of a search: an agent's login, a queue's
// or routing point's number; "" when there is no such hit.
std::string hit_target(const nlohmann::json& result, std::size_t n);

// One queue's line: "2001  Sales  1 waiting (longest 5 s), 2 of 5 members free".
std::string queue_line(const nlohmann::json& queue);
// The queue with its waiting interactions, members and counters, several lines.
std::string queue_details(const nlohmann::json& queue);

// "2026-12-06 12:20:31Z" from an API time ("2026-12-06T12:20:31.402Z"), else as given.
std::string short_time(std::string_view iso);

// A transcript hit: "2026-12-06 12:20:31Z  <session>  alice -> bob: Is the «shipment» late?"
std::string transcript_hit_line(const nlohmann::json& hit);

// A contact, several lines: name and id, company, email, phone, notes, attributes.
std::string contact_text(const nlohmann::json& contact);
// A history item: "2026-12-06 12:20:31Z  im  alice -> bob  <session>: snippet or summary".
std::string history_line(const nlohmann::json& item);

// The contact a consultation's case data names: "contact_id" in the interaction's case data
// ({"interaction":..,"case":{"contact_id":..}}) or at the top of a plain JSON object; "" for none.
std::string contact_id_of(std::string_view case_json);

// A time as a person gives it, to Unix milliseconds: "1733480000000" (Unix ms), "90s", "30m",
// "2h", "7d" (that long before now), "2026-12-01" or "2026-12-01T08:30[:00][Z]" (UTC).
Result<std::int64_t> parse_time_arg(std::string_view text, std::chrono::system_clock::time_point now);

// The exit status for a failed API call: 3 (401), 4 (no answer, cannot reach), 5 (404),
// 6 (403), else 1.
Exit exit_for_api_error(const Error& e);

}  // namespace ims::tool
