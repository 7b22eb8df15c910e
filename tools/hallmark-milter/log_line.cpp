// SPDX-License-Identifier: Apache-2.0
#include "log_line.hpp"

#include <fmt/format.h>

#include "hallmark/core/header_text.hpp"

namespace hallmark::milter {

namespace {

// A stranger's text (MAIL FROM, a domain) in a log line: bounded, no spaces or control
// characters that would forge another key=value word or another line.
std::string word(std::string_view text) {
  std::string out;
  for (char c : core::echoed(text, 128)) {
    auto octet = static_cast<unsigned char>(c);
    out += (octet <= 0x20 || octet == 0x7f) ? '?' : c;
  }
  return out.empty() ? "<>" : out;
}

}  // namespace

std::string log_line(const MessageFacts& facts, const authenticator::Verdict& verdict,
                     const Decision& decision) {
  std::string line = fmt::format("{}: client={} from={}",
                                 facts.queue_id.empty() ? "NOQUEUE" : word(facts.queue_id),
                                 word(facts.client), word(facts.mail_from));
  line +=
      fmt::format(" spf={}", verdict.spf_mail_from ? spf::to_string(verdict.spf_mail_from->outcome)
                                                   : std::string_view("none"));
  if (verdict.dkim.empty()) line += " dkim=none";
  for (const dkim::Result& signature : verdict.dkim)
    line += fmt::format(" dkim={}({})", dkim::to_string(signature.outcome), word(signature.domain));
  line += fmt::format(" arc={}", arc::to_string(verdict.arc.outcome));
  line += fmt::format(" dmarc={}", dmarc::to_string(verdict.dmarc.outcome));
  if (!verdict.dmarc.author_domain.empty())
    line += fmt::format("({} {})", word(verdict.dmarc.author_domain),
                        dmarc::to_string(verdict.disposition));
  if (verdict.iprev)
    line += fmt::format(" iprev={}", authenticator::to_string(verdict.iprev->outcome));
  if (!verdict.override_reason.empty()) line += " override=" + verdict.override_reason;
  line += fmt::format(" score={:.2f} action={}", verdict.score, to_string(decision.action));
  return line;
}

}  // namespace hallmark::milter
