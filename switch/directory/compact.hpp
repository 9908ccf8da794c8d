#pragma once
// Field types that keep a directory entry small where most entries hold the same or
// nothing: a large directory (100,000 generated agents) has one Agent each, so every byte of
// an Agent is 100 KB.
//
//   OptionalText  an optional string behind a pointer: 8 bytes where std::optional<std::string>
//                 takes 40, for values few entries have (an agent's HA1s);
//   TaskList      a list of words shared between the entries that hold the same one: the
//                 default ["im"] allocates nothing, and a list read from a file is allocated
//                 once per entry that names it.
//   AlgorithmList the digest algorithms offered to an agent (at most two, often none).
// They read like the standard types they replace (operator bool and *, or size, [] and
// iteration) and compare with them.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/auth/digest.hpp"

namespace ims::sw::directory {

class OptionalText {
 public:
  OptionalText() = default;
  OptionalText(std::nullopt_t) {}  // NOLINT: as std::optional
  OptionalText(std::string text) : text_(std::make_unique<std::string>(std::move(text))) {}  // NOLINT
  OptionalText(const OptionalText& o) : text_(o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr) {}
  OptionalText(OptionalText&&) noexcept = default;
  OptionalText& operator=(const OptionalText& o) {
    if (this != &o) text_ = o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr;
    return *this;
  }
  OptionalText& operator=(OptionalText&&) noexcept = default;
  OptionalText& operator=(std::string text) {
    text_ = std::make_unique<std::string>(std::move(text));
    return *this;
  }

  explicit operator bool() const { return text_ != nullptr; }
  bool has_value() const { return text_ != nullptr; }
  std::string& operator*() { return *text_; }
  const std::string& operator*() const { return *text_; }
  std::string* operator->() { return text_.get(); }
  const std::string* operator->() const { return text_.get(); }
  void reset() { text_.reset(); }
  // A copy as std::optional, for those that take one (auth::StoredSecret).
  operator std::optional<std::string>() const {  // NOLINT: reads as the optional it replaces
    return text_ ? std::optional<std::string>(*text_) : std::nullopt;
  }

 private:
  std::unique_ptr<std::string> text_;
};

class TaskList {
 public:
  using List = std::vector<std::string>;
  // ["im"]: what an agent does unless told otherwise (PRODUCT §2).
  TaskList() : list_(im_only()) {}
  TaskList(List list) : list_(std::make_shared<const List>(std::move(list))) {}  // NOLINT
  TaskList(std::initializer_list<std::string> list) : TaskList(List(list)) {}

  std::size_t size() const { return list_->size(); }
  bool empty() const { return list_->empty(); }
  const std::string& operator[](std::size_t i) const { return (*list_)[i]; }
  List::const_iterator begin() const { return list_->begin(); }
  List::const_iterator end() const { return list_->end(); }
  const List& list() const { return *list_; }

  friend bool operator==(const TaskList& a, const TaskList& b) { return *a.list_ == *b.list_; }
  friend bool operator==(const TaskList& a, const List& b) { return *a.list_ == b; }
  friend std::ostream& operator<<(std::ostream& out, const TaskList& t);

 private:
  static const std::shared_ptr<const List>& im_only();
  std::shared_ptr<const List> list_;
};

// The digest algorithms offered to one agent, in order: at most the two there are, each once
// (the readers refuse repeats), in 3 bytes where a std::vector takes 24.
class AlgorithmList {
 public:
  static constexpr std::size_t kMax = 2;
  // Reads the stored bytes as algorithms.
  class const_iterator {
   public:
    using value_type = auth::Algorithm;
    using difference_type = std::ptrdiff_t;
    using reference = auth::Algorithm;
    using pointer = void;
    using iterator_category = std::forward_iterator_tag;
    const_iterator() = default;
    explicit const_iterator(const std::uint8_t* at) : at_(at) {}
    auth::Algorithm operator*() const { return static_cast<auth::Algorithm>(*at_); }
    const_iterator& operator++() {
      ++at_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator was = *this;
      ++at_;
      return was;
    }
    bool operator==(const const_iterator&) const = default;

   private:
    const std::uint8_t* at_ = nullptr;
  };

  AlgorithmList() = default;
  AlgorithmList(std::initializer_list<auth::Algorithm> list) { assign(list.begin(), list.end()); }
  AlgorithmList(const std::vector<auth::Algorithm>& list) { assign(list.begin(), list.end()); }  // NOLINT

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(items_.data()); }
  const_iterator end() const { return const_iterator(items_.data() + size_); }
  std::vector<auth::Algorithm> to_vector() const { return {begin(), end()}; }

  friend bool operator==(const AlgorithmList& a, const AlgorithmList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const AlgorithmList& a, const std::vector<auth::Algorithm>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend std::ostream& operator<<(std::ostream& out, const AlgorithmList& l) {
    out << '[';
    bool first = true;
    for (auth::Algorithm a : l) {
      out << (first ? "" : ", ") << auth::algorithm_name(a);
      first = false;
    }
    return out << ']';
  }

 private:
  template <class It>
  void assign(It first, It last) {
    size_ = 0;
    for (; first != last && size_ < kMax; ++first) {
      if (std::find(begin(), end(), *first) == end())
        items_[size_++] = static_cast<std::uint8_t>(*first);
    }
  }
  std::array<std::uint8_t, kMax> items_{};
  std::uint8_t size_ = 0;
};

}  // namespace ims::sw::directory
