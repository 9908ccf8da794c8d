#pragma once
// Test TLS identities: a scratch folder with two self-signed certificates, the server's (for
// localhost and 127.0.0.1) and a client's (agent.example), each its own trust anchor.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

#include "common/transport/tls_context.hpp"

namespace ims::test {

struct Identities {
  Identities() {
    dir = std::filesystem::temp_directory_path() /
          ("ims-tls-" + std::to_string(::getpid()) + "-" +
           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    EXPECT_TRUE(transport::write_self_signed(server_crt(), server_key(), {"localhost", "127.0.0.1"}).ok());
    EXPECT_TRUE(transport::write_self_signed(client_crt(), client_key(), {"agent.example"}).ok());
  }
  ~Identities() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string server_crt() const { return (dir / "server.crt").string(); }
  std::string server_key() const { return (dir / "server.key").string(); }
  std::string client_crt() const { return (dir / "client.crt").string(); }
  std::string client_key() const { return (dir / "client.key").string(); }
  std::filesystem::path dir;
};

}  // namespace ims::test
