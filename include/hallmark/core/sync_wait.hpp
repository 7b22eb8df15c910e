// SPDX-License-Identifier: Apache-2.0
// sync_wait: the bridge from blocking code (CLI, tests, simple hosts) to tasks. It starts the
// task and, while it is suspended, pumps the event loop that will complete it.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstdlib>

#include "hallmark/core/task.hpp"

namespace hallmark::core {

/// Something that makes pending asynchronous work progress, e.g. a resolver's event loop.
class Pump {
 public:
  virtual ~Pump() = default;
  /// Waits for and handles some events. Returns false when nothing is pending at all.
  virtual bool pump_once() = 0;
  /// pump_once(), but returns by `limit` even when nothing happened (true then, when work is
  /// still pending). The default cannot bound its wait and ignores `limit`.
  virtual bool pump_once_until(std::chrono::steady_clock::time_point limit) {
    static_cast<void>(limit);
    return pump_once();
  }
};

/// Runs `task` to completion on this thread. `pump` may be null when every await completes
/// synchronously (zone fixtures, cache hits). A task that stays suspended with nothing left
/// to pump can never finish: that is a bug in the caller, and it aborts rather than hang.
template <class T>
T sync_wait(Task<T> task, Pump* pump = nullptr) {
  task.start_detached(std::noop_coroutine());
  while (!task.done()) {
    if (pump == nullptr || !pump->pump_once()) {
      if (task.done()) break;
      std::fputs("hallmark: sync_wait: task suspended with no pending event\n", stderr);
      std::abort();
    }
  }
  return task.take_result();
}

}  // namespace hallmark::core
