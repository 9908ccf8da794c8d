#include "common/auth/errors.hpp"

#include <string>

namespace ims::auth {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "auth"; }
  std::string message(int ev) const override {
    switch (static_cast<AuthErrc>(ev)) {
      case AuthErrc::NotDigest: return "not Digest credentials";
      case AuthErrc::Malformed: return "malformed Digest credentials";
      case AuthErrc::MissingParameter: return "missing Digest parameter";
      case AuthErrc::DuplicateParameter: return "duplicate Digest parameter";
      case AuthErrc::Unsupported: return "unsupported Digest variant";
      case AuthErrc::TooLong: return "Digest credentials too long";
      case AuthErrc::WeakSecret: return "nonce secret too short";
      case AuthErrc::BadConfig: return "bad nonce configuration";
      case AuthErrc::RandomFailed: return "random generator failed";
    }
    return "unknown auth error";
  }
};

}  // namespace

const std::error_category& auth_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(AuthErrc e) { return {static_cast<int>(e), auth_category()}; }

}  // namespace ims::auth
