// SPDX-License-Identifier: Apache-2.0
// The one log line per message: queue id, client, results, score and what was done, in
// `key=value` words that grep and log shippers split without a parser.
#pragma once

#include <string>
#include <string_view>

#include "hallmark/authenticator/verdict.hpp"
#include "policy.hpp"

namespace hallmark::milter {

struct MessageFacts {
  std::string_view queue_id;  // the MTA's {i} macro; "NOQUEUE" when it gave none
  std::string_view client;    // address, as text
  std::string_view mail_from;
};

std::string log_line(const MessageFacts& facts, const authenticator::Verdict& verdict,
                     const Decision& decision);

}  // namespace hallmark::milter
