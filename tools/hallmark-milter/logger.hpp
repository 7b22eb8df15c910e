// SPDX-License-Identifier: Apache-2.0
// Where hallmark-milter's lines go: syslog (the mail facility by default), or standard error
// under a supervisor that collects it (systemd's journal, a test).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "config.hpp"

namespace hallmark::milter {

class Logger {
 public:
  Logger() = default;
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  /// Switches to the target the configuration names (standard error until then).
  void open(const Config& config);

  void info(std::string_view line);
  void warning(std::string_view line);
  void error(std::string_view line);

 private:
  void write(int priority, std::string_view text);
  std::mutex mutex_;  // whole lines on standard error, never interleaved
  bool syslog_ = false;
};

}  // namespace hallmark::milter
