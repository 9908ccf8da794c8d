#include "client/errors.hpp"

#include <string>

namespace ims::client {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ims.client"; }
  std::string message(int code) const override {
    switch (static_cast<ClientErrc>(code)) {
      case ClientErrc::BadOptions: return "bad agent options";
      case ClientErrc::BadState: return "not possible in this state";
      case ClientErrc::NotLoggedIn: return "not logged in";
      case ClientErrc::LoginRefused: return "login refused";
      case ClientErrc::NoAnswer: return "no answer";
      case ClientErrc::TransportFailed: return "transport failed";
      case ClientErrc::Refused: return "refused";
      case ClientErrc::BadChallenge: return "unusable authentication challenge";
      case ClientErrc::BadBody: return "bad message body";
      case ClientErrc::Closed: return "agent closed";
    }
    return "unknown client error";
  }
};

}  // namespace

const std::error_category& client_category() {
  static const Category c;
  return c;
}

std::error_code make_error_code(ClientErrc e) { return {static_cast<int>(e), client_category()}; }

}  // namespace ims::client
