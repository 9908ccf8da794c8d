// Agents from a CSV file (RFC 4180: comma-separated, optional double quotes, "" inside quotes).
// The first row names the columns, with the same names as the YAML agent keys; login is
// required, the rest optional and in any order. Blank lines and lines starting with '#' are
// skipped. A problem names the file, the line and the column: "agents.csv:17: phone: ...".

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "switch/config/directory_sources.hpp"

namespace ims::sw::config {

namespace {

namespace dir = directory;

enum class Column : std::uint8_t {
  Login, DisplayName, Email, Phone, Password, Ha1Md5, Ha1Sha256, Tasks, Skills, ImCapacity,
  DigestAlgorithms
};

constexpr std::array<std::string_view, 11> kColumnNames = {
    "login", "display_name", "email", "phone", "password", "ha1_md5", "ha1_sha256",
    "tasks", "skills", "im_capacity", "digest_algorithms"};

Error csv_error(std::string reason) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(reason)};
}

// One line's fields. Unquoted fields are trimmed; quoted ones are kept as written.
Result<std::vector<std::string>> split_csv(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && util::is_lws(line[i])) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          return csv_error("unterminated quoted field (line breaks inside fields are not "
                           "supported)");
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"', i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < line.size() && util::is_lws(line[i])) ++i;
      if (i < line.size() && line[i] != ',') {
        return csv_error("unexpected text after a closing quote");
      }
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != ',') ++i;
      field = std::string(util::trim(line.substr(start, i - start)));
      if (field.find('"') != std::string::npos) {
        return csv_error("a field with a '\"' must be quoted as a whole, the quote doubled");
      }
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

struct Row {
  const std::string& file;
  int line;  // 1-based
  YamlReader& r;
  void error(std::string_view column, std::string_view reason) const {
    r.add(fmt::format("{}:{}: {}: {}", file, line, column, reason));
  }
};

void read_skills(const Row& row, std::string_view cell, std::vector<dir::Skill>& out) {
  for (const std::string& word : split_words(cell)) {
    const auto colon = word.find(':');
    if (colon == std::string::npos || colon == 0) {
      row.error("skills",
                "expected name:level pairs separated by spaces (e.g. billing:5 french:3)");
      return;
    }
    const std::string name = word.substr(0, colon);
    auto level = util::parse_uint(std::string_view(word).substr(colon + 1), dir::kMaxSkillLevel);
    if (!level) {
      row.error("skills." + name, "must be a level from 0 to 100");
      continue;
    }
    out.push_back(dir::Skill{name, static_cast<unsigned>(*level)});
  }
}

void apply(const Row& row, Column c, std::string cell, dir::Agent& a) {
  if (cell.empty()) return;  // an empty cell is a key left out
  switch (c) {
    case Column::Login: a.login = std::move(cell); return;
    case Column::DisplayName: a.display_name = std::move(cell); return;
    case Column::Email: a.email = std::move(cell); return;
    case Column::Phone: a.phone = std::move(cell); return;
    case Column::Password: a.credentials.password = std::move(cell); return;
    case Column::Ha1Md5: a.credentials.ha1_md5 = std::move(cell); return;
    case Column::Ha1Sha256: a.credentials.ha1_sha256 = std::move(cell); return;
    case Column::Tasks:
      // "-" is the empty list (an empty cell means the default, [im]).
      a.tasks = cell == "-" ? std::vector<std::string>{} : split_words(cell);
      return;
    case Column::Skills: read_skills(row, cell, a.skills); return;
    case Column::DigestAlgorithms: {
      // "MD5" or "SHA-256 MD5": the algorithms offered to this agent, in order.
      std::vector<auth::Algorithm> offered;
      for (const auto& word : split_words(cell)) {
        const auto alg = auth::parse_algorithm(word);
        if (!alg || std::find(offered.begin(), offered.end(), *alg) != offered.end()) {
          row.error("digest_algorithms", "must list SHA-256 and/or MD5, each once");
          return;
        }
        offered.push_back(*alg);
      }
      a.credentials.offered = std::move(offered);
      return;
    }
    case Column::ImCapacity: {
      auto v = util::parse_uint(cell, dir::kMaxImCapacity);
      if (!v || *v < dir::kMinImCapacity) {
        row.error("im_capacity", "must be a whole number from 1 to 1000");
      } else {
        a.im_capacity = static_cast<unsigned>(*v);
      }
      return;
    }
  }
}

// The header row: known column names, each once, login among them.
std::optional<std::vector<Column>> read_header(const Row& row, std::string_view line) {
  auto names = split_csv(line);
  if (!names) {
    row.r.add(fmt::format("{}:{}: {}", row.file, row.line, names.error().message));
    return std::nullopt;
  }
  std::vector<Column> columns;
  bool ok = true, login = false;
  for (const std::string& raw : *names) {
    const std::string name = util::to_lower(raw);
    std::optional<Column> c;
    for (std::size_t k = 0; k < kColumnNames.size(); ++k)
      if (kColumnNames[k] == name) c = static_cast<Column>(k);
    if (!c) {
      row.error(raw.empty() ? "(empty)" : raw,
                "unknown column (expected: login, display_name, email, phone, password, "
                "ha1_md5, ha1_sha256, tasks, skills, im_capacity, digest_algorithms)");
      ok = false;
    } else if (std::find(columns.begin(), columns.end(), *c) != columns.end()) {
      row.error(name, "column given twice");
      ok = false;
    }
    login = login || c == Column::Login;
    if (c) columns.push_back(*c);
  }
  if (!login) row.error("login", "missing column: the header must name login");
  if (!ok || !login) return std::nullopt;
  return columns;
}

}  // namespace

void read_agents_csv(YamlReader& r, std::string_view text, const std::string& file_name,
                     Sources& out) {
  const std::uint32_t file = out.origins.add_file(file_name);
  std::optional<std::vector<Column>> columns;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view trimmed = util::trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    const Row row{file_name, line_no, r};
    if (!columns) {
      columns = read_header(row, line);
      if (!columns) return;
      continue;
    }
    auto cells = split_csv(line);
    if (!cells) {
      r.add(fmt::format("{}:{}: {}", file_name, line_no, cells.error().message));
      continue;
    }
    if (cells->size() != columns->size()) {
      r.add(fmt::format("{}:{}: has {} fields, the header has {}", file_name, line_no,
                        cells->size(), columns->size()));
      continue;
    }
    dir::Agent a;
    for (std::size_t c = 0; c < columns->size(); ++c) {
      apply(row, (*columns)[c], std::move((*cells)[c]), a);
    }
    out.origins.add(dir::EntityKind::Agent, Origin{file, line_no - 1, "", {}});
    out.data.agents.push_back(std::move(a));
  }
  if (!columns) {
    r.add(fmt::format("{}: empty file: expected a header row naming login, ...", file_name));
  }
}

}  // namespace ims::sw::config
