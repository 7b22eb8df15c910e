// SPDX-License-Identifier: Apache-2.0
// hallmark-milter's configuration file: `key = value` lines, '#' comments. Every key, its
// meaning and its default is documented in hallmark-milter.conf beside this file.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/core/ip.hpp"

namespace hallmark::milter {

/// What to do with a message whose DMARC disposition (after local policy) is quarantine.
enum class QuarantineAction : unsigned char {
  none,    // only the Authentication-Results field says so
  milter,  // the MTA's quarantine (Postfix: the hold queue)
  header,  // a header field for the mail store or the user's filters to act on
};

/// What to answer when a check met a temporary DNS failure.
enum class TemporaryFailureAction : unsigned char {
  accept,    // deliver with the temperror results in Authentication-Results
  tempfail,  // 451 4.7.x: the sender retries later
};

enum class LogTarget : unsigned char { syslog, stderr_stream };

struct Config {
  /// libmilter's connection string: unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST.
  std::string socket = "unix:/run/hallmark-milter/milter.sock";
  std::string authserv_id;  // empty: the host name

  /// DNS: zone fixtures (offline, for tests and demos), or servers; the system's otherwise.
  std::vector<std::string> zone_files;
  std::vector<std::string> dns_servers;
  std::chrono::milliseconds dns_timeout{2000};
  std::chrono::milliseconds deadline{5000};

  bool check_helo = true;
  bool iprev = false;

  /// Local policy files (allow lists one domain a line; score table `TAG = score`), re-read on
  /// SIGHUP. Empty: none.
  std::string allow_dmarc;
  std::string allow_spf_dkim;
  std::string trusted_arc_sealers;
  std::string scores;

  /// Header field carrying the tags and score; empty: none added.
  std::string score_header;
  bool reject_dmarc = false;
  QuarantineAction quarantine = QuarantineAction::none;
  std::string quarantine_header = "X-Hallmark-Quarantine";
  TemporaryFailureAction temporary_failure = TemporaryFailureAction::accept;

  /// Clients whose mail is passed through unchecked: the host itself by default.
  std::vector<core::Cidr> skip_networks;
  /// Skip clients that authenticated (SMTP AUTH, the {auth_authen} macro): submission.
  bool skip_authenticated = true;

  /// ARC sealing of every checked message, when a key is set (a forwarder's or a mailing
  /// list's inbound host).
  std::string arc_seal_key;
  std::string arc_seal_domain;
  std::string arc_seal_selector;
  /// Messages larger than this are not sealed (sealing holds the message in memory).
  std::size_t arc_seal_max_bytes = 64 * 1024 * 1024;

  LogTarget log = LogTarget::syslog;
  /// syslog facility name: mail, daemon, local0..local7.
  std::string syslog_facility = "mail";

  bool sealing() const noexcept { return !arc_seal_key.empty(); }
};

/// The configuration in `text`, read from `origin` (named in errors with the line number).
/// Errors: an unknown key, a bad value, a key given twice that may appear once, or an
/// incomplete ARC sealing setup.
core::Expected<Config> parse_config(std::string_view text, std::string_view origin);
/// The file at `path`; Errc::io when it cannot be read.
core::Expected<Config> load_config(const std::string& path);

/// libmilter's connection string checked: Errc::bad_value naming what is wrong.
core::Expected<void> check_socket(std::string_view socket);

}  // namespace hallmark::milter
