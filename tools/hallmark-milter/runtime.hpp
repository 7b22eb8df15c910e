// SPDX-License-Identifier: Apache-2.0
// What every connection of the milter shares: the configuration, the Authenticator (its
// resolver, caches, allow lists and score table), the ARC sealing key, the logger, and the
// count of messages in flight that a clean shutdown waits for.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include "config.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/dkim/sign.hpp"
#include "logger.hpp"

namespace hallmark::milter {

class Runtime {
 public:
  /// The authenticator and sealing key the configuration describes. Errors name the file:
  /// a zone fixture, a list, the score table or the key that does not load.
  static core::Expected<std::unique_ptr<Runtime>> create(Config config, Logger& logger);

  const Config& config() const noexcept { return config_; }
  authenticator::Authenticator& authenticator() noexcept { return *authenticator_; }
  const std::optional<dkim::PrivateKey>& seal_key() const noexcept { return seal_key_; }
  Logger& logger() noexcept { return logger_; }

  /// Re-reads the allow lists and the score table (SIGHUP). On an error the ones in use stay
  /// and the error is returned for the log.
  core::Expected<void> reload();

  /// Messages between MAIL FROM and their end (end of message, abort, close).
  void message_started() noexcept { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void message_ended() noexcept { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  std::size_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }

  /// SIGTERM: messages under way finish, new ones are refused with a temporary failure.
  void begin_stopping() noexcept { stopping_.store(true, std::memory_order_relaxed); }
  bool stopping() const noexcept { return stopping_.load(std::memory_order_relaxed); }

  /// The one runtime of the process, which libmilter's callbacks (plain functions) reach.
  static Runtime* current() noexcept { return current_; }
  static void set_current(Runtime* runtime) noexcept { current_ = runtime; }

 private:
  Runtime(Config config, Logger& logger) : config_(std::move(config)), logger_(logger) {}

  Config config_;
  Logger& logger_;
  std::unique_ptr<authenticator::Authenticator> authenticator_;
  std::optional<dkim::PrivateKey> seal_key_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  static inline Runtime* current_ = nullptr;
};

}  // namespace hallmark::milter
