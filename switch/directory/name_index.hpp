#pragma once
// NameIndex: a hash index from a name (a login, a phone, a number) to its entry's position in
// a vector, by open addressing with linear probing, at most half full: 8 to 16 bytes an entry
// where std::unordered_map<std::string_view, std::uint32_t> takes about 48 (a node and its
// bucket), 4 MB less for a directory of 100,000 agents. The names are the entries' own
// strings, never copied, so the entries must stay where they are while the index is used
// (a Directory's vectors never change once it is built).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace ims::sw::directory {

class NameIndex {
 public:
  // Indexes every entry whose name is not empty; of equal names the first one is kept (the
  // directory's checks refuse duplicates before it is built).
  template <class T, class NameOf>
  void build(const std::vector<T>& entries, NameOf name_of) {
    std::size_t named = 0;
    for (const T& e : entries) named += name_of(e).empty() ? 0 : 1;
    slots_.assign(std::bit_ceil(std::max<std::size_t>(8, 2 * named)), 0);
    mask_ = slots_.size() - 1;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      const std::string_view name = name_of(entries[i]);
      if (name.empty()) continue;
      std::size_t s = hash(name) & mask_;
      for (; slots_[s] != 0; s = (s + 1) & mask_)
        if (name_of(entries[slots_[s] - 1]) == name) break;
      if (slots_[s] == 0) slots_[s] = i + 1;
    }
  }

  // The entry named `name`, or null.
  template <class T, class NameOf>
  const T* find(const std::vector<T>& entries, NameOf name_of, std::string_view name) const {
    if (slots_.empty() || name.empty()) return nullptr;
    for (std::size_t s = hash(name) & mask_; slots_[s] != 0; s = (s + 1) & mask_) {
      const T& e = entries[slots_[s] - 1];
      if (name_of(e) == name) return &e;
    }
    return nullptr;
  }

  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint32_t); }

 private:
  static std::size_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  std::vector<std::uint32_t> slots_;  // an entry's position + 1; 0: empty
  std::size_t mask_ = 0;
};

}  // namespace ims::sw::directory
