#include "tests/conformance/corpus.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ims::test {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// "\s" is a space and "\\" a backslash; anything else is literal.
std::string decode_value(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == 's' || v[i + 1] == '\\')) {
      out += v[i + 1] == 's' ? ' ' : '\\';
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

bool is_status(const std::string& s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

CorpusEntry parse_row(const std::string& line, std::string_view dir) {
  CorpusEntry e;
  auto cols = split(line, '\t');
  if (cols.size() < 6 || cols.size() > 7) {
    e.file = cols.empty() ? "?" : cols[0];
    e.load_error = "manifest row has " + std::to_string(cols.size()) + " columns: " + line;
    return e;
  }
  e.file = cols[0];
  e.kind = cols[1];
  e.datagram = split(cols[2], '|');
  e.stream = split(cols[3], '|');
  e.wire_udp = split(cols[4], '|');
  e.wire_tcp = split(cols[5], '|');
  if (cols.size() == 7) {
    std::istringstream in(cols[6]);
    std::string tok;
    while (in >> tok) {
      auto eq = tok.find('=');
      if (eq == std::string::npos) {
        e.load_error = "check without '=': " + tok;
        return e;
      }
      e.checks.emplace_back(tok.substr(0, eq), decode_value(tok.substr(eq + 1)));
    }
  }
  if (e.file.rfind(e.kind + "/", 0) != 0) {
    e.load_error = "kind " + e.kind + " does not match the folder of " + e.file;
    return e;
  }
  auto bytes = read_file(std::string(dir) + "/" + e.file);
  if (!bytes) {
    e.load_error = "cannot read " + e.file;
    return e;
  }
  e.bytes = std::move(*bytes);
  return e;
}

}  // namespace

std::string CorpusEntry::name() const {
  std::string stem = file.substr(file.find('/') + 1);
  if (auto dot = stem.rfind(".sip"); dot != std::string::npos) stem.resize(dot);
  for (char& c : stem) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return stem;
}

std::optional<std::string> CorpusEntry::check(std::string_view key) const {
  for (const auto& [k, v] : checks) {
    if (k == key) return v;
  }
  return std::nullopt;
}

void PrintTo(const CorpusEntry& e, std::ostream* os) { *os << e.file; }

std::string corpus_dir(std::string_view source_dir) {
  return std::string(source_dir) + "/tests/conformance/corpus";
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<CorpusEntry> load_corpus(std::string_view source_dir) {
  const std::string dir = corpus_dir(source_dir);
  std::vector<CorpusEntry> out;
  auto manifest = read_file(dir + "/expect.tsv");
  if (!manifest) {
    CorpusEntry e;
    e.file = "expect.tsv";
    e.load_error = "cannot read " + dir + "/expect.tsv";
    out.push_back(e);
    return out;
  }
  std::istringstream in(*manifest);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(parse_row(line, dir));
  }
  return out;
}

std::vector<std::string> corpus_files(std::string_view source_dir) {
  namespace fs = std::filesystem;
  const fs::path dir = corpus_dir(source_dir);
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".sip") {
      out.push_back(fs::relative(it->path(), dir).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool outcome_matches(const std::vector<std::string>& alts, const std::string& outcome) {
  for (const auto& a : alts) {
    if (a == outcome) return true;
    if (a == "drop" && (outcome == "error" || is_status(outcome))) return true;
  }
  return false;
}

bool wire_status_matches(const std::vector<std::string>& alts, int status) {
  for (const auto& a : alts) {
    if (a == "none" && status == 0) return true;
    if (a == "accept" && status >= 200 && status <= 699) {
      static constexpr int kRefusals[] = {400, 413, 416, 420, 500, 505, 513};
      if (std::find(std::begin(kRefusals), std::end(kRefusals), status) == std::end(kRefusals)) {
        return true;
      }
    }
    if (is_status(a) && std::stoi(a) == status) return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string squash_lws(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace ims::test
