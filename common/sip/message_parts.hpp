#pragma once
// The parts of a Message as the parser assembles them (Message::from_parts). Private to
// common/sip: everything outside builds messages through Message's public interface.

#include <optional>
#include <string>
#include <vector>

#include "common/sip/message.hpp"

namespace ims::sip {

struct Message::Parts {
  std::string buf;  // the received bytes; spans point into it
  std::vector<HeaderField> fields;
  Span method_text;
  Span request_uri;
  Span reason;
  Span body;
  Method method = Method::Unknown;
  int status = 0;
  bool is_request = true;
  std::optional<Fault> fault;
};

}  // namespace ims::sip
