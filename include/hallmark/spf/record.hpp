// SPDX-License-Identifier: Apache-2.0
// Parsing SPF records (RFC 7208 4.5, 4.6, 5, 6) and macro-strings (RFC 7208 7.1).
#pragma once

#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::spf {

/// Whether a TXT record's text is an SPF record: "v=spf1" (any case) followed by a space
/// or the end (RFC 7208 4.5). Records that are not are none of SPF's business.
HALLMARK_API bool is_spf_record(std::string_view text) noexcept;

/// Parses a whole record, "v=spf1 ..." included. Any syntax error anywhere is an error
/// (Errc::syntax, or Errc::duplicate_tag for a second redirect= or exp=) whose message names
/// the offending term; check_host() turns it into permerror (RFC 7208 4.6).
HALLMARK_API core::Expected<Record> parse_record(std::string_view text);

/// Where a macro-string appears decides what it may contain (RFC 7208 7.1, 12).
enum class MacroContext : std::uint8_t {
  domain_spec,  // a mechanism or modifier target: no spaces, no c/r/t, must end a domain
  modifier,     // an unknown modifier's value: any macro-string
  explanation,  // the TXT text fetched by exp=: spaces allowed, c/r/t allowed
};

/// Parses a macro-string. Errors: Errc::syntax naming the bad '%' sequence or character.
HALLMARK_API core::Expected<MacroString> parse_macro_string(std::string_view text,
                                                            MacroContext context);

/// The record in normal form, one space between terms: "+a/24//64 -all redirect=x.example".
HALLMARK_API std::string to_string(const Record& record);
HALLMARK_API std::string to_string(const Mechanism& mechanism);

}  // namespace hallmark::spf
