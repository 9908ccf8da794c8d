#include "common/sip/pidf.hpp"

namespace ims::sip {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string pidf_document(std::string_view entity, bool open, std::string_view note,
                          std::string_view tuple_id) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<presence xmlns=\"" + std::string(kPidfNamespace) + "\" entity=\"" + xml_escape(entity) +
         "\">\n";
  out += "  <tuple id=\"" + xml_escape(tuple_id) + "\">\n";
  out += "    <status><basic>";
  out += open ? "open" : "closed";
  out += "</basic></status>\n";
  // RFC 3863 §4.1.6: the note follows the status (and any extension) within the tuple.
  if (!note.empty()) out += "    <note>" + xml_escape(note) + "</note>\n";
  out += "  </tuple>\n</presence>\n";
  return out;
}

}  // namespace ims::sip
