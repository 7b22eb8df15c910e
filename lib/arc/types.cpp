// SPDX-License-Identifier: Apache-2.0
// Names of ARC chain statuses and failure reasons, and the sealers of a passing chain.
#include "hallmark/arc/types.hpp"

namespace hallmark::arc {

std::string_view to_string(ChainStatus status) noexcept {
  switch (status) {
    case ChainStatus::none: return "none";
    case ChainStatus::pass: return "pass";
    case ChainStatus::fail: return "fail";
  }
  return "fail";
}

std::optional<ChainStatus> parse_chain_status(std::string_view text) noexcept {
  // RFC 8617 4.1.3 values are compared as written, like every other tag value.
  if (text == "none") return ChainStatus::none;
  if (text == "pass") return ChainStatus::pass;
  if (text == "fail") return ChainStatus::fail;
  return std::nullopt;
}

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::ok: return "ok";
    case Reason::too_many_sets: return "too_many_sets";
    case Reason::newest_cv_fail: return "newest_cv_fail";
    case Reason::structure: return "structure";
    case Reason::ams_invalid: return "ams_invalid";
    case Reason::seal_invalid: return "seal_invalid";
    case Reason::key_unavailable: return "key_unavailable";
    case Reason::header_section: return "header_section";
  }
  return "structure";
}

std::vector<std::string> Result::sealers() const {
  std::vector<std::string> out;
  if (outcome != ChainStatus::pass) return out;
  out.reserve(sets.size());
  for (const SetResult& set : sets) out.push_back(set.seal_domain);
  return out;
}

}  // namespace hallmark::arc
