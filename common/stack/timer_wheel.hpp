#pragma once
// TimerWheel: the transaction timers of a Stack on one hashed timing wheel (G. Varghese and
// T. Lauck's scheme): time advances in ticks, a timer sits in slot `due % slots` until its tick
// comes. Arming, re-arming and cancelling are O(1), allocate nothing once the slots have grown,
// and make no system call; the stack drives the wheel from a single asio timer. At thousands
// of transactions a second this replaces several asio timers (each with its own allocation and
// heap operation) per transaction.
//
// Intrusive and sans-I/O: an Owner (the stack's per-transaction context) keeps the position of
// each of its armed timers, `WheelPos& wheel_pos(std::size_t timer)`, so a cancel finds its
// entry at once; advance() returns the timers that came due, already removed, and never calls
// out. An owner must cancel_all() its timers before it goes. Not thread-safe.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ims::stack {

struct WheelPos {
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t slot = kNone;  // kNone: not armed
  std::uint32_t index = 0;     // position in the slot
  bool armed() const { return slot != kNone; }
};

template <class Owner>
class TimerWheel {
 public:
  struct Expired {
    Owner* owner;
    std::size_t timer;
  };

  // slots: a power of two (a revolution is slots ticks; longer timers wait out whole turns).
  explicit TimerWheel(std::size_t slots = 1024) : slots_(slots), mask_(slots - 1) {}

  std::uint64_t now() const { return now_; }
  std::size_t size() const { return size_; }
  // No armed timer comes due before this tick (a lower bound: a cancel leaves it as it was;
  // advance() makes it exact again once time passes it). UINT64_MAX when none is armed. A
  // driver may sleep until then instead of ticking through empty slots.
  std::uint64_t next_due() const { return size_ ? next_due_ : kNever; }
  static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  // Arms `timer` of owner to come due at tick `due` (at the next advance() when due <= now),
  // replacing the same timer if it was armed.
  void arm(Owner& owner, std::size_t timer, std::uint64_t due) {
    cancel(owner, timer);
    if (due <= now_) due = now_ + 1;
    auto& slot = slots_[static_cast<std::size_t>(due & mask_)];
    WheelPos& pos = owner.wheel_pos(timer);
    pos.slot = static_cast<std::uint32_t>(due & mask_);
    pos.index = static_cast<std::uint32_t>(slot.size());
    slot.push_back(Entry{&owner, timer, due});
    if (size_ == 0 || due < next_due_) next_due_ = due;
    ++size_;
  }

  void cancel(Owner& owner, std::size_t timer) {
    WheelPos& pos = owner.wheel_pos(timer);
    if (!pos.armed()) return;
    auto& slot = slots_[pos.slot];
    // Swap with the slot's last entry and drop it; the moved entry's owner learns its new index.
    Entry& last = slot.back();
    if (pos.index != slot.size() - 1) {
      slot[pos.index] = last;
      slot[pos.index].owner->wheel_pos(slot[pos.index].timer).index = pos.index;
    }
    slot.pop_back();
    pos = WheelPos{};
    --size_;
  }

  void cancel_all(Owner& owner, std::size_t timers) {
    for (std::size_t t = 0; t < timers; ++t) cancel(owner, t);
  }

  // Moves time forward to tick `to` and returns every timer due by then, in tick order, each
  // already removed. The caller reads what it needs from the owners before acting on any.
  std::vector<Expired> advance(std::uint64_t to) {
    std::vector<Expired> out;
    // A long pause covers each slot once: visiting more than one revolution finds nothing new.
    const std::uint64_t last = to;
    std::uint64_t tick = now_ + 1;
    if (last > now_ + slots_.size()) tick = last - slots_.size() + 1;
    for (; tick <= last && size_ > 0; ++tick) {
      auto& slot = slots_[static_cast<std::size_t>(tick & mask_)];
      for (std::size_t i = 0; i < slot.size();) {
        if (slot[i].due > to) {
          ++i;
          continue;
        }
        const Entry e = slot[i];
        cancel(*e.owner, e.timer);  // moves another entry into i
        out.push_back(Expired{e.owner, e.timer});
      }
    }
    if (to > now_) now_ = to;
    if (size_ > 0 && next_due_ <= now_) find_next_due();
    return out;
  }

 private:
  struct Entry {
    Owner* owner;
    std::size_t timer;
    std::uint64_t due;
  };

  // Slot by slot from the next tick: a timer due within one revolution sits in the slot of its
  // own tick, so the first slot holding one gives the answer, usually a few slots on when the
  // wheel is busy. Only when none is due within a revolution are all timers looked at.
  void find_next_due() {
    next_due_ = kNever;
    const std::uint64_t horizon = now_ + slots_.size();
    for (std::uint64_t tick = now_ + 1; tick <= horizon; ++tick) {
      for (const auto& e : slots_[static_cast<std::size_t>(tick & mask_)])
        if (e.due <= horizon) next_due_ = std::min(next_due_, e.due);
      if (next_due_ != kNever) return;
    }
    for (const auto& slot : slots_)
      for (const auto& e : slot) next_due_ = std::min(next_due_, e.due);
  }

  std::vector<std::vector<Entry>> slots_;
  std::uint64_t mask_;
  std::uint64_t now_ = 0;
  std::size_t size_ = 0;
  std::uint64_t next_due_ = kNever;
};

}  // namespace ims::stack
