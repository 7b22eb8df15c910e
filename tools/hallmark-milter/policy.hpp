// SPDX-License-Identifier: Apache-2.0
// What the milter does with a message once its verdict is in: the configured answers to a
// DMARC reject or quarantine and to temporary DNS failures. A pure function of the verdict
// and the configuration, so every rule is tested without an MTA.
#pragma once

#include <string>

#include "config.hpp"
#include "hallmark/authenticator/verdict.hpp"

namespace hallmark::milter {

enum class Action : unsigned char {
  accept,      // deliver (with our header fields)
  reject,      // 5xx: SMFIS_REJECT with the reply below
  tempfail,    // 4xx: SMFIS_TEMPFAIL with the reply below
  quarantine,  // deliver into the MTA's quarantine (smfi_quarantine)
};
std::string_view to_string(Action action) noexcept;

struct Decision {
  Action action = Action::accept;
  /// The SMTP reply for reject and tempfail: "550", "5.7.1", text.
  std::string reply_code;
  std::string enhanced_code;
  std::string reply_text;
  /// Why the message is quarantined: the reason given to the MTA (Action::quarantine) or the
  /// value of Config::quarantine_header (quarantine_header below); empty otherwise.
  std::string quarantine_reason;
  bool quarantine_header = false;
};

Decision decide(const authenticator::Verdict& verdict, const Config& config);

}  // namespace hallmark::milter
