#pragma once
// SIP request methods (RFC 3261 §7.1 and the extension RFCs). Extension methods the switch does
// not know are Method::Unknown with their name kept in the message.

#include <cstdint>
#include <string_view>

namespace ims::sip {

enum class Method : std::uint8_t {
  Invite, Ack, Bye, Cancel, Options, Register, Message, Info, Update, Prack, Subscribe, Notify,
  Publish, Refer, Unknown
};

// Method names are case-sensitive (RFC 3261 §7.1): "invite" is an extension method.
Method method_from_name(std::string_view name);
std::string_view method_name(Method m);  // "" for Unknown

// A method token as RFC 3261 §25.1 allows (1*token chars).
bool is_token(std::string_view s);

}  // namespace ims::sip
