#include "switch/config/origins.hpp"

#include <fmt/format.h>

namespace ims::sw::config {

namespace {

// The line of `field` or of the nearest enclosing field noted ("rules[0].days" -> "rules[0]").
int line_of(const Origin& o, std::string field) {
  while (!field.empty()) {
    for (const auto& [name, line0] : o.field_lines)
      if (name == field) return line0;
    const auto cut = field.find_last_of(".[");
    if (cut == std::string::npos) break;
    field.resize(cut);
  }
  return o.line0;
}

}  // namespace

std::uint32_t Origins::add_file(std::string name) {
  files_.push_back(std::move(name));
  return static_cast<std::uint32_t>(files_.size() - 1);
}

Origin& Origins::add(directory::EntityKind kind, Origin origin) {
  switch (kind) {
    case directory::EntityKind::Domain: return domains_.emplace_back(std::move(origin));
    case directory::EntityKind::Agent: return agents_.emplace_back(std::move(origin));
    case directory::EntityKind::Queue: return queues_.emplace_back(std::move(origin));
    case directory::EntityKind::RoutingPoint:
      return routing_points_.emplace_back(std::move(origin));
  }
  return agents_.emplace_back(std::move(origin));
}

const Origin* Origins::find(const directory::EntityRef& ref) const {
  const std::vector<Origin>* v = &agents_;
  switch (ref.kind) {
    case directory::EntityKind::Domain: v = &domains_; break;
    case directory::EntityKind::Agent: v = &agents_; break;
    case directory::EntityKind::Queue: v = &queues_; break;
    case directory::EntityKind::RoutingPoint: v = &routing_points_; break;
  }
  return ref.index < v->size() ? &(*v)[ref.index] : nullptr;
}

std::string Origins::place(const Origin& o, int line0) const {
  const std::string& file = o.file < files_.size() ? files_[o.file] : files_.front();
  if (line0 < 0) return file;
  return fmt::format("{}:{}", file, line0 + 1);
}

std::string Origins::format(const directory::Problem& p) const {
  const Origin* o = find(p.where);
  std::string key;
  std::string where;
  if (o) {
    key = o->key;
    if (!p.field.empty()) key += (key.empty() ? "" : ".") + p.field;
    where = place(*o, line_of(*o, p.field));
  } else {
    // An entry without an origin (the domains list when it is empty): the first file.
    key = directory::describe(p.where);
    if (!p.field.empty()) key += "." + p.field;
    where = files_.empty() ? std::string("(config)") : files_.front();
  }
  std::string out = fmt::format("{}: {}: {}", where, key, p.reason);
  if (p.first) {
    if (const Origin* f = find(*p.first)) out += fmt::format(" (first at {})", place(*f, f->line0));
  }
  return out;
}

}  // namespace ims::sw::config
