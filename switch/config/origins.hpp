#pragma once
// Origins: where each directory entry was written (file, line, key), so that a
// directory::Problem becomes "<file>:<line>: <key>: <reason>" like every other config error.
// Entries are added in the order of DirectoryData's vectors.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "switch/directory/directory.hpp"

namespace ims::sw::config {

struct Origin {
  std::uint32_t file = 0;  // index into Origins' file names
  int line0 = -1;          // 0-based; -1: no line
  std::string key;         // "directory.agents[3]", "agents[3]", "" (CSV: fields are columns)
  std::vector<std::pair<std::string, int>> field_lines;  // "email" -> line0, "rules[0]" -> line0
};

class Origins {
 public:
  std::uint32_t add_file(std::string name);
  // Appends the origin of the next entry of `kind`; returns it for noting field lines.
  Origin& add(directory::EntityKind kind, Origin origin);

  // "<file>:<line>: <key>.<field>: <reason>", and " (first at <file>:<line>)" for duplicates.
  std::string format(const directory::Problem& problem) const;

 private:
  const Origin* find(const directory::EntityRef& ref) const;
  std::string place(const Origin& o, int line0) const;

  std::vector<std::string> files_;
  std::vector<Origin> domains_, agents_, queues_, routing_points_;
};

}  // namespace ims::sw::config
