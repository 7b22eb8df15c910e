// SPDX-License-Identifier: Apache-2.0
// Header fields between the milter protocol and the library: the raw field a header callback
// stands for, the values of the fields the milter adds, and which incoming
// Authentication-Results fields are ours to remove.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/authenticator/verdict.hpp"

namespace hallmark::milter {

/// The field as it was on the wire ("Name: value\r\n", folds as CRLF) from a header callback's
/// name and value. `leading_space`: the MTA agreed to SMFIP_HDR_LEADSPC, so the value keeps
/// the whitespace after the colon as received and DKIM's simple canonicalization sees the
/// exact bytes; without it the MTA dropped one space, which is put back.
std::string wire_field(std::string_view name, std::string_view value, bool leading_space);

/// A value for smfi_insheader/smfi_addheader from a whole field of ours ("Name: value",
/// folded with CRLF): the value alone, folds as LF as the milter protocol carries them, with
/// the space after the colon when the MTA expects us to give it (`leading_space`).
std::string milter_value(std::string_view field, bool leading_space);

/// The score header's field: "Name: -2.10; DKIM_ALLOW=-0.20 DMARC_POLICY_ALLOW=-0.50 ...",
/// folded.
std::string score_field(std::string_view name, const authenticator::Verdict& verdict);

/// Of the incoming Authentication-Results values (in header order), the 1-based indexes of
/// those that claim `authserv_id`, for smfi_chgheader; highest first, so removing one does not
/// shift the indexes of the others on an MTA that renumbers as it goes.
std::vector<int> own_auth_results_indexes(const std::vector<std::string>& values,
                                          std::string_view authserv_id);

}  // namespace hallmark::milter
