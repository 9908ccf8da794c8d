#pragma once
// What an IM-session INVITE carries (PRODUCT §4): a multipart/mixed body with an SDP of zero
// m-lines, the first message (text/plain or message/cpim) and, for a consultation, case data
// (application/json); or simply a text/plain or message/cpim body. Sans-I/O, no state.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/result.hpp"

namespace ims::sw::im {

// The first message of a session, as it goes into the transcript.
struct FirstMessage {
  std::string content_type;  // verbatim, parameters kept
  std::string body;
};

// Whether a Content-Type value names a message the transcript takes (text/plain, message/cpim).
bool is_message_type(std::string_view content_type);

// The first message in an INVITE body with Content-Type `content_type`. Fails (the caller
// answers 415) when the body is neither a message nor a multipart/mixed holding one, or when
// a multipart body cannot be parsed.
Result<FirstMessage> first_message(std::string_view content_type, std::string_view body);

// Case data as routing rules see it (PRODUCT §1, §5): the top-level members of the JSON object in
// the body's application/json part (or the body itself when it is application/json), each as
// key and text (strings as they are, numbers and booleans as JSON writes them; nested objects,
// arrays and null are left out). Empty when there is no such part or it is not a JSON object:
// case data is optional, and bad case data must not lose the session.
inline constexpr std::size_t kMaxCaseDataKeys = 64;
inline constexpr std::size_t kMaxCaseDataValue = 1024;  // bytes; longer values are left out
std::vector<std::pair<std::string, std::string>> case_data(std::string_view content_type,
                                                           std::string_view body);

}  // namespace ims::sw::im
