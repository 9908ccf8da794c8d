#pragma once
// Checks the switch makes on every request it relays (pager MESSAGE, session INVITE): shared by
// message.cpp and invite.cpp; and reading Expires for publish.cpp and subscribe.cpp. Sans-I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/sip/message.hpp"
#include "common/util/result.hpp"
#include "switch/directory/directory.hpp"
#include "switch/routing/rules.hpp"

namespace ims::sw::app {

// A URI's user part, unescaped (§19.1.4 compares users after unescaping).
std::optional<std::string> user_of(std::string_view uri_text);

// §16.4: Route values naming this switch are removed. Returns false when a Route to somewhere
// else remains: the switch relays only to its own users.
bool strip_own_routes(sip::Message& request, const directory::Directory& directory);

// What a routing point's rules look at in a request (PRODUCT §1): who asks, and the case data of
// its application/json body or part, whose "skill" member names the skill asked for.
routing::Facts facts_of(const std::string& caller, const sip::Message& request);

// Expires as delta-seconds (RFC 3261 §20.19), larger values taken as the largest; nullopt for an
// absent header; an error ("Bad Expires") for anything that is not a number. PUBLISH and
// SUBSCRIBE read it so.
Result<std::optional<std::uint32_t>> expires_of(const sip::Message& request);

// The address a directory target is reached at: an agent's login, a queue's or routing point's
// number.
std::string address_of(const directory::Target& target);

}  // namespace ims::sw::app
