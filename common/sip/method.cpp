#include "common/sip/method.hpp"

#include "common/sip/chars.hpp"

namespace ims::sip {

// RFC 3261 §7.1: method names are case-sensitive, so a switch on the length and an exact
// comparison is the whole lookup.
Method method_from_name(std::string_view name) {
  switch (name.size()) {
    case 3:
      if (name == "ACK") return Method::Ack;
      if (name == "BYE") return Method::Bye;
      break;
    case 4:
      if (name == "INFO") return Method::Info;
      break;
    case 5:
      if (name == "PRACK") return Method::Prack;
      if (name == "REFER") return Method::Refer;
      break;
    case 6:
      if (name == "INVITE") return Method::Invite;
      if (name == "CANCEL") return Method::Cancel;
      if (name == "UPDATE") return Method::Update;
      if (name == "NOTIFY") return Method::Notify;
      break;
    case 7:
      if (name == "OPTIONS") return Method::Options;
      if (name == "MESSAGE") return Method::Message;
      if (name == "PUBLISH") return Method::Publish;
      break;
    case 8:
      if (name == "REGISTER") return Method::Register;
      break;
    case 9:
      if (name == "SUBSCRIBE") return Method::Subscribe;
      break;
    default: break;
  }
  return Method::Unknown;
}

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Invite: return "INVITE";
    case Method::Ack: return "ACK";
    case Method::Bye: return "BYE";
    case Method::Cancel: return "CANCEL";
    case Method::Options: return "OPTIONS";
    case Method::Register: return "REGISTER";
    case Method::Message: return "MESSAGE";
    case Method::Info: return "INFO";
    case Method::Update: return "UPDATE";
    case Method::Prack: return "PRACK";
    case Method::Subscribe: return "SUBSCRIBE";
    case Method::Notify: return "NOTIFY";
    case Method::Publish: return "PUBLISH";
    case Method::Refer: return "REFER";
    case Method::Unknown: return "";
  }
  return "";
}

bool is_token(std::string_view s) { return chars::all_of(s, chars::kToken); }

}  // namespace ims::sip
