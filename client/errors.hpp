#pragma once
// Failures the client library reports as values (STYLE rule 7), with their own category.

#include <system_error>

namespace ims::client {

enum class ClientErrc {
  BadOptions = 1,   // AgentOptions that cannot work (no login, a host that is not an IP literal)
  BadState,         // the operation does not fit the object's state (send on an ended session)
  NotLoggedIn,      // the agent must be logged in first
  LoginRefused,     // the switch refused the credentials or the address (401 again, 403)
  NoAnswer,         // no final response in time (transaction timeout)
  TransportFailed,  // the request could not be sent or its connection broke
  Refused,          // a final non-2xx response to a request (pager MESSAGE, in-dialog request)
  BadChallenge,     // a WWW-/Proxy-Authenticate this library cannot answer
  BadBody,          // a body that cannot be built or read (multipart, cpim, stamp)
  Closed,           // the agent was closed
};

const std::error_category& client_category();
std::error_code make_error_code(ClientErrc e);

}  // namespace ims::client

template <>
struct std::is_error_code_enum<ims::client::ClientErrc> : std::true_type {};
