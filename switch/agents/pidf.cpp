#include "switch/agents/pidf.hpp"

#include "common/sip/pidf.hpp"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/util/strings.hpp"
#include "common/util/utf8.hpp"
#include "switch/agents/xml_text.hpp"

namespace ims::sw::agents {

namespace {

using util::append_utf8;
using xml::is_clean_text;
using xml::is_name_char;
using xml::is_name_start;
using xml::is_space;
using xml::is_xml_char;
using xml::normalise_note;

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "ims.pidf"; }
  std::string message(int code) const override {
    switch (static_cast<PidfErrc>(code)) {
      case PidfErrc::TooLarge: return "PIDF document too large";
      case PidfErrc::BadEncoding: return "PIDF document not UTF-8 text";
      case PidfErrc::Malformed: return "PIDF document not well-formed";
      case PidfErrc::DoctypeNotAllowed: return "PIDF document with a DOCTYPE";
      case PidfErrc::NotPidf: return "not a PIDF document";
      case PidfErrc::NoStatus: return "PIDF document without a basic status";
      case PidfErrc::BadStatus: return "PIDF basic status neither open nor closed";
    }
    return "bad PIDF document";
  }
};

// What an open element is to the reader.
enum class Role : std::uint8_t { Root, Tuple, Status, Basic, TupleNote, PresenceNote, Other };

struct Open {
  std::string_view qname;      // as written, to match its end tag
  std::size_t namespaces = 0;  // size of the namespace stack before this element's declarations
  Role role = Role::Other;
  std::string text;  // character data, kept for Basic and the notes only
};

// One pass over the document; every method returns false after recording the first error.
class Reader {
 public:
  explicit Reader(std::string_view doc) : s_(doc) {}

  Result<AgentState> run() {
    if (s_.size() > kMaxPidfBytes) {
      return Error{PidfErrc::TooLarge,
                   "PIDF document over " + std::to_string(kMaxPidfBytes / 1024) + " KiB"};
    }
    if (!is_clean_text(s_)) return Error{PidfErrc::BadEncoding, "PIDF document not UTF-8 text"};
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // a byte order mark
    if (!document()) return std::move(*error_);
    if (!basic_) return Error{PidfErrc::NoStatus, "PIDF tuple without a basic status"};
    AgentState state;
    state.presence = *basic_;
    state.reason =
        normalise_note(tuple_note_ ? *tuple_note_ : presence_note_.value_or(""), kMaxNoteBytes);
    return state;
  }

 private:
  bool fail(PidfErrc code, std::string message) {
    if (!error_) error_ = Error{code, std::move(message)};
    return false;
  }
  bool malformed(std::string what) { return fail(PidfErrc::Malformed, "PIDF: " + what); }

  bool starts(std::string_view token) const { return s_.substr(i_, token.size()) == token; }
  void skip_space() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  }
  // Skips to just past `end`; false when it never comes.
  bool skip_past(std::string_view end, std::string_view what) {
    const auto at = s_.find(end, i_);
    if (at == std::string_view::npos) return malformed("unterminated " + std::string(what));
    i_ = at + end.size();
    return true;
  }

  // Prolog, the root element, epilogue (XML 1.0 §2.1, §2.8).
  bool document() {
    bool root_done = false;
    for (;;) {
      skip_space();
      if (i_ >= s_.size()) break;
      if (starts("<?")) {
        if (!skip_past("?>", "processing instruction")) return false;
      } else if (starts("<!--")) {
        if (!comment()) return false;
      } else if (starts("<!DOCTYPE") || starts("<!doctype")) {
        return fail(PidfErrc::DoctypeNotAllowed, "PIDF: DOCTYPE not allowed");
      } else if (starts("<") && !root_done) {
        if (!element()) return false;
        root_done = true;
      } else {
        return malformed(root_done ? "content after the root element" : "text before the root");
      }
    }
    if (!root_done) return malformed("no root element");
    return true;
  }

  bool comment() {
    i_ += 4;
    const auto at = s_.find("--", i_);
    if (at == std::string_view::npos) return malformed("unterminated comment");
    if (s_.substr(at, 3) != "-->") return malformed("'--' inside a comment");
    i_ = at + 3;
    return true;
  }

  std::string_view name() {
    const std::size_t start = i_;
    if (i_ < s_.size() && is_name_start(s_[i_])) {
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
    }
    return s_.substr(start, i_ - start);
  }

  // The root element and everything inside it, iteratively (no recursion on hostile depth).
  bool element() {
    if (!start_tag()) return false;
    while (!stack_.empty()) {
      if (i_ >= s_.size()) return malformed("unclosed <" + std::string(stack_.back().qname) + ">");
      if (s_[i_] != '<') {
        if (!text()) return false;
      } else if (starts("</")) {
        if (!end_tag()) return false;
      } else if (starts("<!--")) {
        if (!comment()) return false;
      } else if (starts("<![CDATA[")) {
        i_ += 9;
        const auto at = s_.find("]]>", i_);
        if (at == std::string_view::npos) return malformed("unterminated CDATA section");
        keep(s_.substr(i_, at - i_));
        i_ = at + 3;
      } else if (starts("<?")) {
        if (!skip_past("?>", "processing instruction")) return false;
      } else if (starts("<!")) {
        return starts("<!DOCTYPE") ? fail(PidfErrc::DoctypeNotAllowed, "PIDF: DOCTYPE not allowed")
                                   : malformed("markup declaration inside an element");
      } else if (!start_tag()) {
        return false;
      }
    }
    return true;
  }

  void keep(std::string_view text) {
    Open& top = stack_.back();
    if (top.role == Role::Basic || top.role == Role::TupleNote || top.role == Role::PresenceNote) {
      top.text += text;
    }
  }

  // Character data up to the next '<', references decoded (XML 1.0 §4.1).
  bool text() {
    std::string decoded;
    while (i_ < s_.size() && s_[i_] != '<') {
      if (s_[i_] == '&') {
        if (!reference(decoded)) return false;
      } else {
        decoded += s_[i_++];
      }
    }
    keep(decoded);
    return true;
  }

  // One entity or character reference at i_, appended to out. Only the five predefined entities
  // exist: there is no DTD to declare others.
  bool reference(std::string& out) {
    const auto end = s_.find(';', i_);
    if (end == std::string_view::npos || end - i_ > 12) return malformed("bad '&' reference");
    const std::string_view ref = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    static constexpr std::pair<std::string_view, char> kPredefined[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (const auto& [entity, c] : kPredefined) {
      if (ref == entity) {
        out += c;
        return true;
      }
    }
    if (ref.size() < 2 || ref[0] != '#') {
      // The name goes into a reason phrase: only when it is a name (no CR, LF or '<').
      bool plain = !ref.empty();
      for (char c : ref) plain = plain && is_name_char(c);
      return malformed(plain ? "unknown entity &" + std::string(ref) + ";" : "bad '&' reference");
    }
    const bool hex = ref[1] == 'x';
    const std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 8) return malformed("bad character reference");
    std::uint32_t cp = 0;
    for (char c : digits) {
      std::uint32_t d = 0;
      if (c >= '0' && c <= '9') {
        d = static_cast<std::uint32_t>(c - '0');
      } else if (hex && c >= 'a' && c <= 'f') {
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (hex && c >= 'A' && c <= 'F') {
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return malformed("bad character reference");
      }
      cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10FFFF) return malformed("bad character reference");
    }
    if (!is_xml_char(cp))
      return fail(PidfErrc::BadEncoding, "PIDF: reference to a forbidden character");
    append_utf8(out, cp);
    return true;
  }

  // An attribute value between quotes, references decoded (XML 1.0 §3.1, §3.3.3).
  std::optional<std::string> attribute_value() {
    if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) {
      malformed("attribute value without quotes");
      return std::nullopt;
    }
    const char quote = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      if (s_[i_] == '<') {
        malformed("'<' in an attribute value");
        return std::nullopt;
      }
      if (s_[i_] == '&') {
        if (!reference(out)) return std::nullopt;
      } else {
        out += s_[i_++];
      }
    }
    if (i_ >= s_.size()) {
      malformed("unterminated attribute value");
      return std::nullopt;
    }
    ++i_;
    return out;
  }

  // The namespace URI a prefix names in the current scope; "" for no namespace (an unbound
  // default); nullopt for an undeclared prefix (Namespaces in XML §5).
  std::optional<std::string_view> resolve(std::string_view prefix) const {
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it)
      if (it->first == prefix) return std::string_view(it->second);
    if (prefix.empty()) return std::string_view();
    return std::nullopt;
  }

  // Only the first tuple, its first status and that status's first basic count (RFC 3863
  // §4.1.2-§4.1.4); the first note of the tuple, and the first one directly under presence.
  Role role_of(std::string_view uri, std::string_view local) {
    if (stack_.empty()) return Role::Root;
    const bool pidf = uri == kPidfNamespace;
    auto first = [&](std::string_view name, bool& seen) {
      if (!pidf || local != name || seen) return false;
      seen = true;
      return true;
    };
    switch (stack_.back().role) {
      case Role::Root:
        if (first("tuple", tuple_seen_)) return Role::Tuple;
        if (first("note", presence_note_seen_)) return Role::PresenceNote;
        return Role::Other;
      case Role::Tuple:
        if (first("status", status_seen_)) return Role::Status;
        if (first("note", tuple_note_seen_)) return Role::TupleNote;
        return Role::Other;
      case Role::Status:
        if (first("basic", basic_seen_)) return Role::Basic;
        return Role::Other;
      case Role::Basic:
      case Role::TupleNote:
      case Role::PresenceNote:
      case Role::Other: return Role::Other;
    }
    return Role::Other;
  }

  bool start_tag() {
    ++i_;  // '<'
    Open open;
    open.qname = name();
    if (open.qname.empty()) return malformed("bad element name");
    open.namespaces = namespaces_.size();
    if (stack_.size() >= kMaxPidfDepth) return malformed("elements nested too deep");
    if (!stack_.empty() && stack_.back().role == Role::Basic)
      return fail(PidfErrc::BadStatus, "PIDF: element inside <basic>");
    std::vector<std::string_view> attributes;
    bool empty = false;
    for (;;) {
      const std::size_t before = i_;
      skip_space();
      if (i_ >= s_.size()) return malformed("unterminated start tag");
      if (s_[i_] == '>') {
        ++i_;
        break;
      }
      if (starts("/>")) {
        i_ += 2;
        empty = true;
        break;
      }
      if (i_ == before) return malformed("attributes must be separated by white space");
      const std::string_view attr = name();
      if (attr.empty()) return malformed("bad attribute name");
      for (auto a : attributes)
        if (a == attr) return malformed("attribute " + std::string(attr) + " given twice");
      if (attributes.size() >= kMaxPidfAttributes) return malformed("too many attributes");
      attributes.push_back(attr);
      skip_space();
      if (i_ >= s_.size() || s_[i_] != '=') return malformed("attribute without '='");
      ++i_;
      skip_space();
      auto value = attribute_value();
      if (!value) return false;
      if (attr == "xmlns" || attr.substr(0, 6) == "xmlns:") {
        const std::string_view prefix = attr == "xmlns" ? std::string_view() : attr.substr(6);
        if (!prefix.empty() && value->empty()) return malformed("empty namespace for a prefix");
        if (namespaces_.size() >= kMaxPidfNamespaces) return malformed("too many namespaces");
        namespaces_.emplace_back(prefix, std::move(*value));
      }
    }
    // The element's own declarations are in scope for its name (Namespaces in XML §6.1).
    const auto colon = open.qname.find(':');
    std::string_view prefix;
    std::string_view local = open.qname;
    if (colon != std::string_view::npos) {
      prefix = open.qname.substr(0, colon);
      local = open.qname.substr(colon + 1);
      if (prefix.empty() || local.empty() || local.find(':') != std::string_view::npos)
        return malformed("bad qualified name " + std::string(open.qname));
    }
    const auto uri = resolve(prefix);
    if (!uri) return malformed("undeclared namespace prefix " + std::string(prefix));
    open.role = role_of(*uri, local);
    if (open.role == Role::Root && !(*uri == kPidfNamespace && local == "presence"))
      return fail(PidfErrc::NotPidf, "PIDF: the root is not a PIDF <presence>");
    stack_.push_back(std::move(open));
    return empty ? close() : true;
  }

  bool end_tag() {
    i_ += 2;
    const std::string_view closing = name();
    skip_space();
    if (i_ >= s_.size() || s_[i_] != '>') return malformed("unterminated end tag");
    ++i_;
    if (closing != stack_.back().qname)
      return malformed("</" + std::string(closing) + "> closes <" +
                       std::string(stack_.back().qname) + ">");
    return close();
  }

  // The innermost element ends: what it held is recorded.
  bool close() {
    Open& top = stack_.back();
    switch (top.role) {
      case Role::Basic: {
        const auto value = util::trim(top.text);
        if (value == "open") {
          basic_ = Presence::Ready;
        } else if (value == "closed") {
          basic_ = Presence::NotReady;
        } else {
          return fail(PidfErrc::BadStatus, "PIDF: basic status neither open nor closed");
        }
        break;
      }
      case Role::TupleNote: tuple_note_ = std::move(top.text); break;
      case Role::PresenceNote: presence_note_ = std::move(top.text); break;
      case Role::Root:
      case Role::Tuple:
      case Role::Status:
      case Role::Other: break;
    }
    namespaces_.resize(top.namespaces);
    stack_.pop_back();
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::optional<Error> error_;
  std::vector<Open> stack_;
  std::vector<std::pair<std::string_view, std::string>> namespaces_;  // (prefix, URI)
  bool tuple_seen_ = false;
  bool status_seen_ = false;
  bool basic_seen_ = false;
  bool tuple_note_seen_ = false;
  bool presence_note_seen_ = false;
  std::optional<Presence> basic_;
  std::optional<std::string> tuple_note_;
  std::optional<std::string> presence_note_;
};

}  // namespace

const std::error_category& pidf_category() {
  static const Category c;
  return c;
}

std::error_code make_error_code(PidfErrc e) { return {static_cast<int>(e), pidf_category()}; }

Result<AgentState> parse_pidf(std::string_view document) { return Reader(document).run(); }

std::string build_pidf(std::string_view entity, const AgentState& state,
                       std::string_view tuple_id) {
  return sip::pidf_document(entity, state.presence == Presence::Ready, state.reason, tuple_id);
}

bool is_pidf_content_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  return util::iequals(util::trim(content_type.substr(0, semicolon)), kPidfContentType);
}

}  // namespace ims::sw::agents
