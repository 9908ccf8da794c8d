#pragma once
// The RFC 4475 / RFC 5118 corpus and its manifest (tests/conformance/corpus/expect.tsv, grammar in
// corpus/README.md), shared by the parser conformance test and the over-the-wire integration
// tests. Plain data: no SIP code from the switch is used to read it.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ims::test {

struct CorpusEntry {
  std::string file;   // relative to the corpus folder: "valid/rfc4475-3.1.1.1-wsinv.sip"
  std::string kind;   // valid, invalid, semantic
  std::vector<std::string> datagram;  // acceptable outcomes, see README.md
  std::vector<std::string> stream;
  std::vector<std::string> wire_udp;
  std::vector<std::string> wire_tcp;
  std::vector<std::pair<std::string, std::string>> checks;  // key, decoded value
  std::string bytes;  // the message as read from the file
  std::string load_error;  // set when the manifest or the file could not be read

  // A gtest-safe name: "rfc4475_3_1_1_1_wsinv".
  std::string name() const;
  std::optional<std::string> check(std::string_view key) const;
};

// gtest prints parameters with this; the bytes would be noise.
void PrintTo(const CorpusEntry& e, std::ostream* os);

// The corpus folder under the source tree.
std::string corpus_dir(std::string_view source_dir);

// Every manifest row with its file loaded. A problem (unreadable manifest or file, malformed row)
// comes back as an entry with load_error set, so the parametrised test reports it instead of
// silently running fewer cases.
std::vector<CorpusEntry> load_corpus(std::string_view source_dir);

// Every *.sip file under the corpus folder, relative to it, sorted.
std::vector<std::string> corpus_files(std::string_view source_dir);

std::optional<std::string> read_file(const std::string& path);

// True when outcome ("ok", "400", "error", "needmore") is one of alts, "drop" standing for
// "error" or any fault status.
bool outcome_matches(const std::vector<std::string>& alts, const std::string& outcome);

// True when a final response status (0 = no response) is one of alts; "accept" is any final
// status except those that call the request malformed or unsupported.
bool wire_status_matches(const std::vector<std::string>& alts, int status);

std::string join(const std::vector<std::string>& v, std::string_view sep = "|");

// Runs of SP/HTAB/CR/LF as one SP, trimmed (header values compare that way, RFC 3261 §7.3.1).
std::string squash_lws(std::string_view s);

}  // namespace ims::test
