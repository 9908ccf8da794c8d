#pragma once
// GoogleTest assertions over a running switch, shared by the integration tests.

#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/harness.hpp"
#include "tests/integration/sip_client.hpp"

namespace ims::test {

// Starts the switch; on failure records a test failure (with the switch's log) and returns null.
std::unique_ptr<SwitchProcess> start_switch(const SwitchOptions& options = {});

// An OPTIONS to the switch over listener l (from a fresh socket) is answered 200.
::testing::AssertionResult answers_options(const Listener& l);

// The process is running and answers OPTIONS on every UDP and TCP listener it has (TLS and
// WebSocket listeners need clients of their own: hostile_transport_test.cpp has them).
::testing::AssertionResult still_serving(SwitchProcess& sw);

// SIGTERM ends it with exit code 0 within the grace period.
::testing::AssertionResult exits_cleanly(SwitchProcess& sw);

// A 4xx/5xx whose reason phrase names the fault: not empty and not just the generic phrase.
::testing::AssertionResult names_the_fault(const SipMessage& rsp);

}  // namespace ims::test
