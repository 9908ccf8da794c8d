#pragma once
// RecordingSink: a transport::MessageSink that keeps what the layer hands up. Written on the
// layer's strand; tests read it there (IoThread::on_strand, wait_for).

#include <functional>
#include <vector>

#include "common/transport/transport_layer.hpp"

namespace ims::test {

class RecordingSink final : public transport::MessageSink {
 public:
  void on_message(sip::Message message, const transport::Origin& origin) override {
    messages.push_back(std::move(message));
    origins.push_back(origin);
    if (on_each) on_each(messages.back(), origin);
  }
  void on_flow_closed(transport::FlowId flow) override { closed.push_back(flow); }

  std::vector<sip::Message> messages;
  std::vector<transport::Origin> origins;
  std::vector<transport::FlowId> closed;
  // Called after each message is kept: a test's stand-in for a TU that answers.
  std::function<void(const sip::Message&, const transport::Origin&)> on_each;
};

}  // namespace ims::test
