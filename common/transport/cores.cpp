#include "common/transport/cores.hpp"

#include <functional>
#include <stdexcept>

#include <boost/asio/post.hpp>

#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::transport {

std::string_view peek_call_id(std::string_view message) {
  std::size_t pos = message.find('\n');  // past the start line
  while (pos != std::string_view::npos && ++pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    std::string_view line = message.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return {};  // the end of the header section
    if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      const std::string_view name = util::trim(line.substr(0, colon));
      if (util::iequals(name, "call-id") || util::iequals(name, "i"))
        return util::trim(line.substr(colon + 1));
    }
    pos = end;
  }
  return {};
}

Cores::Cores(std::size_t count) {
  if (count == 0 || count > kMaxCores)
    throw std::invalid_argument("Cores: count must be 1.." + std::to_string(kMaxCores));
  layers_.resize(count, nullptr);
  executors_.resize(count);
  for (std::size_t k = 0; k < count; ++k) mailboxes_.push_back(std::make_unique<Mailbox>());
}

std::size_t Cores::owner_of(std::string_view call_id) const {
  if (layers_.size() == 1) return 0;
  return std::hash<std::string_view>{}(call_id) % layers_.size();
}

std::string Cores::new_call_id(std::size_t core, std::string_view host) const {
  for (;;) {  // about size() tries
    std::string id = util::random_token(20);
    if (!host.empty()) {
      id += '@';
      id += host;
    }
    if (owner_of(id) == core) return id;
  }
}

void Cores::attach(std::size_t core, boost::asio::any_io_executor executor,
                   TransportLayer& layer) {
  layers_.at(core) = &layer;
  executors_.at(core) = std::move(executor);
}

void Cores::post(std::size_t core, std::function<void(TransportLayer&)> fn) {
  Mailbox& box = *mailboxes_[core];
  bool wake = false;
  {
    std::lock_guard hold(box.lock);
    box.items.push_back(std::move(fn));
    wake = !box.scheduled;
    box.scheduled = true;
  }
  if (wake) boost::asio::post(executors_[core], [this, core] { drain(core); });
}

void Cores::drain(std::size_t core) {
  Mailbox& box = *mailboxes_[core];
  std::vector<std::function<void(TransportLayer&)>> items;
  {
    std::lock_guard hold(box.lock);
    items.swap(box.items);
    box.scheduled = false;
  }
  for (auto& fn : items) fn(*layers_[core]);
}

}  // namespace ims::transport
