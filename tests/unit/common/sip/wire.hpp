#pragma once
// Test helper: a SIP message as text, edited header by header, for the common/sip tests.

#include <string>
#include <string_view>
#include <vector>

namespace ims::sip::test {

struct Wire {
  std::string start = "OPTIONS sip:bob@example.com SIP/2.0";
  std::vector<std::string> headers = {
      "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds",
      "Max-Forwards: 70",
      "To: Bob <sip:bob@example.com>",
      "From: Alice <sip:alice@example.com>;tag=1928301774",
      "Call-ID: a84b4c76e66710@pc33.example.com",
      "CSeq: 314159 OPTIONS",
      "Content-Length: 0",
  };
  std::string body;

  // Replaces every line whose name is name (exactly as spelt) with line; "" removes them.
  Wire& set(std::string_view name, std::string line) {
    std::vector<std::string> out;
    bool done = false;
    for (auto& h : headers) {
      if (h.compare(0, name.size(), name) == 0 && h.size() > name.size() && h[name.size()] == ':') {
        if (!done && !line.empty()) out.push_back(line);
        done = true;
      } else {
        out.push_back(h);
      }
    }
    if (!done && !line.empty()) out.push_back(line);
    headers = out;
    return *this;
  }
  Wire& remove(std::string_view name) { return set(name, ""); }
  Wire& add(std::string line) {
    headers.push_back(std::move(line));
    return *this;
  }
  // Sets the body and a matching Content-Length.
  Wire& with_body(std::string b) {
    body = std::move(b);
    return set("Content-Length", "Content-Length: " + std::to_string(body.size()));
  }
  std::string str(std::string_view eol = "\r\n") const {
    std::string s = start;
    s.append(eol);
    for (const auto& h : headers) s.append(h).append(eol);
    s.append(eol);
    return s + body;
  }
};

}  // namespace ims::sip::test
