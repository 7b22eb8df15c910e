// SPDX-License-Identifier: Apache-2.0
// GoogleTest printers for the result enumerations, which it would otherwise print as bytes.
#pragma once

#include <ostream>

#include "hallmark/authenticator/verdict.hpp"

namespace hallmark::dmarc {
[[maybe_unused]] static void PrintTo(Disposition d, std::ostream* os) { *os << to_string(d); }
[[maybe_unused]] static void PrintTo(Outcome o, std::ostream* os) { *os << to_string(o); }
[[maybe_unused]] static void PrintTo(Policy p, std::ostream* os) { *os << to_string(p); }
}  // namespace hallmark::dmarc
namespace hallmark::spf {
[[maybe_unused]] static void PrintTo(Outcome o, std::ostream* os) { *os << to_string(o); }
}  // namespace hallmark::spf
namespace hallmark::dkim {
[[maybe_unused]] static void PrintTo(Outcome o, std::ostream* os) { *os << to_string(o); }
[[maybe_unused]] static void PrintTo(Reason r, std::ostream* os) { *os << to_string(r); }
}  // namespace hallmark::dkim
namespace hallmark::arc {
[[maybe_unused]] static void PrintTo(ChainStatus s, std::ostream* os) { *os << to_string(s); }
}  // namespace hallmark::arc
namespace hallmark::authenticator {
[[maybe_unused]] static void PrintTo(PolicyRule r, std::ostream* os) { *os << to_string(r); }
[[maybe_unused]] static void PrintTo(Limit l, std::ostream* os) { *os << to_string(l); }
[[maybe_unused]] static void PrintTo(IprevResult::Outcome o, std::ostream* os) {
  *os << to_string(o);
}
}  // namespace hallmark::authenticator
