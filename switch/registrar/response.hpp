#pragma once
// The registrar's answers (RFC 3261 §10.3 step 8): a 200 OK listing every current binding in
// a Contact header with its remaining time in ";expires=", plus a Date header; 423 with
// Min-Expires (§20.23); other failures with the Outcome's reason phrase. Pure: the time is a
// value, the message is built, nothing is sent.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/message.hpp"
#include "switch/registrar/binding_table.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::registrar {

// Seconds a binding has left at now_ms, rounded up (a binding alive is never shown as 0, which
// would mean "removed"); 0 when expired.
std::uint32_t remaining_seconds(const store::Binding& binding, std::int64_t now_ms);

// One Contact value: ["display" ]<uri>;params;expires=N. Any stored expires parameter is
// replaced by the remaining time.
std::string contact_value(const store::Binding& binding, std::int64_t now_ms);
std::vector<std::string> contact_values(const std::vector<store::Binding>& bindings,
                                        std::int64_t now_ms);

// RFC 3261 §20.17 / RFC 1123 date, always GMT: "Sat, 13 Nov 2010 23:29:00 GMT".
std::string format_date(std::int64_t epoch_ms);

// The response to request for outcome (make_response() rules: Vias, From, To with to_tag,
// Call-ID, CSeq copied): 200 + Contact per binding + Date; 423 + Min-Expires; else the status
// and reason.
sip::Message make_register_response(const sip::Message& request, const Outcome& outcome,
                                    std::int64_t now_ms, std::string_view to_tag);

}  // namespace ims::sw::registrar
