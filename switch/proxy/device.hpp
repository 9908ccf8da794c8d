#pragma once
// Which registered device a request came from: the pager proxy leaves the sender's own device
// out of its copies, and the IM bridge (switch/im/bridge.hpp) tells a stock client's device from
// the same agent's session-capable ones. Sans-I/O.

#include "common/transport/types.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::proxy {

// Whether `binding` is the device a request arriving from `origin` was sent by: its TCP
// connection, the address it registered from, or the address its Contact names (RFC 3581: a
// device sends from where it registered, or from where it said it listens).
bool same_device(const store::Binding& binding, const transport::Origin& origin);

}  // namespace ims::sw::proxy
