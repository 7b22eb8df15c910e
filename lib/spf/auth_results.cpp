// SPDX-License-Identifier: Apache-2.0
// spf::Result -> Received-SPF field and the Authentication-Results "spf=" fragment.
#include "hallmark/spf/auth_results.hpp"

#include <fmt/format.h>

#include "hallmark/core/header_text.hpp"

namespace hallmark::spf {
namespace {

// RFC 7208 9.1 suggests these comment wordings; they only inform a human reader.
std::string comment(const Result& result, std::string_view receiver, std::string_view ip) {
  std::string_view sender = result.sender;
  switch (result.outcome) {
    case Outcome::pass:
      return fmt::format("{}: domain of {} designates {} as permitted sender", receiver, sender,
                         ip);
    case Outcome::fail:
      return fmt::format("{}: domain of {} does not designate {} as permitted sender", receiver,
                         sender, ip);
    case Outcome::softfail:
      return fmt::format("{}: transitioning domain of {} does not designate {} as permitted sender",
                         receiver, sender, ip);
    case Outcome::neutral:
      return fmt::format("{}: {} is neither permitted nor denied by domain of {}", receiver, ip,
                         sender);
    case Outcome::none:
      return fmt::format("{}: domain of {} does not publish an SPF policy", receiver, sender);
    case Outcome::temperror:
      return fmt::format("{}: temporary error checking domain of {}", receiver, sender);
    case Outcome::permerror:
      return fmt::format("{}: permanent error in the SPF policy of domain of {}", receiver, sender);
  }
  return std::string(receiver);
}

}  // namespace

std::string received_spf(const Result& result, const Envelope& envelope, std::string_view receiver,
                         std::string_view newline) {
  std::string host = receiver.empty() ? std::string("unknown") : std::string(receiver);
  std::string ip = envelope.ip.to_string();
  std::string out = fmt::format("Received-SPF: {} ({})", to_string(result.outcome),
                                core::header_comment(comment(result, host, ip)));
  out += fmt::format(" receiver={}; client-ip={}; envelope-from={}; helo={}; identity={}",
                     core::header_value(host), core::header_value(ip),
                     core::header_value(envelope.mail_from), core::header_value(envelope.helo),
                     to_string(result.identity));
  if (!result.mechanism.empty()) out += "; mechanism=" + core::header_value(result.mechanism);
  if (result.outcome == Outcome::permerror || result.outcome == Outcome::temperror)
    out += "; problem=" + core::header_value(result.reason);
  return core::fold_header_field(out, newline);
}

std::string auth_results_fragment(const Result& result) {
  if (result.identity == Identity::helo)
    return fmt::format("spf={} smtp.helo={}", to_string(result.outcome),
                       core::header_value(result.domain));
  return fmt::format("spf={} smtp.mailfrom={}", to_string(result.outcome),
                     core::header_address(result.sender));
}

}  // namespace hallmark::spf
