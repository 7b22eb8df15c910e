// SPDX-License-Identifier: Apache-2.0
#include "logger.hpp"

#include <syslog.h>

#include <cstdio>

#include <fmt/format.h>

namespace hallmark::milter {

namespace {

int facility_code(std::string_view name) {
  if (name == "daemon") return LOG_DAEMON;
  if (name == "user") return LOG_USER;
  static constexpr int locals[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                   LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
  if (name.size() == 6 && name.starts_with("local") && name[5] >= '0' && name[5] <= '7')
    return locals[name[5] - '0'];
  return LOG_MAIL;
}

}  // namespace

Logger::~Logger() {
  if (syslog_) closelog();
}

void Logger::open(const Config& config) {
  std::lock_guard lock(mutex_);
  if (config.log == LogTarget::syslog) {
    openlog("hallmark-milter", LOG_PID | LOG_NDELAY, facility_code(config.syslog_facility));
    syslog_ = true;
  }
}

void Logger::info(std::string_view line) { write(LOG_INFO, line); }
void Logger::warning(std::string_view line) { write(LOG_WARNING, line); }
void Logger::error(std::string_view line) { write(LOG_ERR, line); }

void Logger::write(int priority, std::string_view text) {
  // Lines carry strangers' text (an error naming a header field, a record): no control
  // character may start a forged line of its own in the log.
  std::string line(text);
  for (char& c : line) {
    auto octet = static_cast<unsigned char>(c);
    if (octet < 0x20 || octet == 0x7f) c = '?';
  }
  std::lock_guard lock(mutex_);
  if (syslog_) {
    syslog(priority, "%.*s", static_cast<int>(line.size()), line.data());
    return;
  }
  std::string_view level = priority == LOG_ERR       ? "error: "
                           : priority == LOG_WARNING ? "warning: "
                                                     : "";
  fmt::print(stderr, "hallmark-milter: {}{}\n", level, line);
  std::fflush(stderr);
}

}  // namespace hallmark::milter
