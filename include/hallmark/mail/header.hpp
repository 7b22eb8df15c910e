// SPDX-License-Identifier: Apache-2.0
// RFC 5322 header sections: fields as views into the caller's buffer, lookup by name, and the
// split of a whole message into header section and body.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::mail {

/// One header field. Every view points into the buffer that was parsed (the caller's message,
/// or a MessageParser's header buffer) and lives as long as that buffer.
struct HALLMARK_API HeaderField {
  /// The field name as written, without the whitespace of the obsolete `name WSP ":"` form.
  std::string_view name;
  /// Everything after the colon up to the field's final line terminator, still folded: the
  /// CRLF (or bare LF) of each continuation line stays in, as DKIM relaxed canonicalization
  /// wants to see it. Use unfolded_value() for the logical value.
  std::string_view value;
  /// The whole field exactly as received, continuation lines and the final CRLF or LF
  /// included (DKIM simple canonicalization hashes these bytes). The last field of a message
  /// with no body may have no terminator.
  std::string_view raw;
  /// Byte position of the field in the parsed input.
  std::size_t offset = 0;
  /// RFC 5322 4.5.8 obsolete syntax: whitespace stood between the name and the colon.
  bool space_before_colon = false;

  /// The value with each line break of a fold removed (RFC 5322 3.2.2) and leading and
  /// trailing whitespace trimmed. Bytes other than CR and LF are kept as they are.
  std::string unfolded_value() const;
  /// Whether the name equals `other`, ignoring ASCII case (RFC 5322 1.2.2).
  bool name_is(std::string_view other) const noexcept;
};

/// How the header section ended: our reading where RFC 5322 leaves it open.
enum class HeaderEnd : std::uint8_t {
  blank_line,      // the normal case: an empty line (CRLF or bare LF) before the body
  malformed_line,  // a line that is neither a field nor a continuation starts the body
  end_of_input,    // the message has no body and no blank line
};

/// Bounds on what a sender can make the parser hold. Both whole-message parsing and
/// MessageParser enforce them identically, so a message either parses both ways or fails
/// both ways with the same error. Only the first max_header_bytes + 1 bytes are looked at: a
/// header section not known to have ended by then is too long, even if its last line would
/// later have turned out to be the first body line.
struct HALLMARK_API Limits {
  /// Bytes of the header section, blank line included. Exim caps headers at 1 MiB,
  /// Postfix and Sendmail far lower (100 KB, 32 KB); 2 MiB lets everything those accept, and a
  /// single 1 MiB field beside an ordinary header, through, while bounding per-message memory.
  std::size_t max_header_bytes = 2 * 1024 * 1024;
  /// Number of fields. Real mail has tens to a few hundred (long Received and ARC chains
  /// reach ~300); 10,000 leaves ample headroom and caps the field table near 0.6 MB, where a
  /// flood of tiny fields inside max_header_bytes would otherwise make it tens of MB.
  std::size_t max_fields = 10'000;
};

/// The fields of a header section in order of appearance, with name lookup. Holds views, not
/// copies: it must not outlive the buffer it was parsed from.
class HALLMARK_API HeaderSection {
 public:
  HeaderSection() = default;
  HeaderSection(std::vector<HeaderField> fields, std::string_view raw, HeaderEnd ended_by);

  std::span<const HeaderField> fields() const noexcept { return fields_; }
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  const HeaderField& operator[](std::size_t index) const { return fields_[index]; }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }

  /// Every field called `name` (ASCII case-insensitive), top to bottom.
  std::vector<const HeaderField*> all(std::string_view name) const;
  /// Every field called `name`, bottom to top: the order in which RFC 6376 5.4.2 has a
  /// verifier pick instances for the h= tag.
  std::vector<const HeaderField*> all_bottom_up(std::string_view name) const;
  /// The topmost field called `name`, or nullptr.
  const HeaderField* find(std::string_view name) const noexcept;
  /// The bottom-most field called `name`, or nullptr.
  const HeaderField* find_last(std::string_view name) const noexcept;
  /// How many fields are called `name`.
  std::size_t count(std::string_view name) const noexcept;

  /// The header section exactly as received, from the first byte to the start of the body,
  /// the blank line included.
  std::string_view raw() const noexcept { return raw_; }
  HeaderEnd ended_by() const noexcept { return ended_by_; }

 private:
  std::vector<HeaderField> fields_;
  std::string_view raw_;
  HeaderEnd ended_by_ = HeaderEnd::end_of_input;
};

/// A message split into its header section and its body, both views into the input.
struct HALLMARK_API Message {
  HeaderSection headers;
  std::string_view body;
};

/// Splits a whole message (CRLF, bare LF or mixed line endings) into fields and body. Tolerates
/// what real mail contains (see HeaderEnd for lines that are not fields); only the limits
/// can fail it. Errors: Errc::too_long when the header section exceeds
/// limits.max_header_bytes (offset = that limit), Errc::too_many when it has more than
/// limits.max_fields fields (offset = the first field past the limit).
HALLMARK_API core::Expected<Message> parse_message(std::string_view message,
                                                   const Limits& limits = {});

/// The result would point into a string about to be destroyed: keep the message in a variable.
template <class String>
requires std::same_as<std::remove_cvref_t<String>, std::string> &&
    (!std::is_lvalue_reference_v<String>)
        core::Expected<Message> parse_message(String&& message, const Limits& limits = {}) = delete;

}  // namespace hallmark::mail
