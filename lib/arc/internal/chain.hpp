// SPDX-License-Identifier: Apache-2.0
// A message's ARC sets, found and checked for structure (RFC 8617 5.2 steps 1 to 3), and the
// header data an ARC-Seal signs (5.1.1). Shared by validation and sealing. Layer-private.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/arc/types.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::arc::detail {

/// One ARC set: its three fields (indices into the header section), parsed.
struct ChainSet {
  unsigned instance = 0;
  std::size_t seal_field = 0;
  std::size_t signature_field = 0;
  std::size_t results_field = 0;
  Seal seal;
  MessageSignature signature;
  std::optional<mail::AuthResults> results;  // the AAR payload, when it parses
  std::string results_text;                  // as written, after "i=N;"
};

/// What steps 1 to 3 of RFC 8617 5.2 found.
struct Chain {
  bool present = false;        // the message has ARC fields at all
  unsigned highest = 0;        // the highest instance among fields whose i= parses
  std::vector<ChainSet> sets;  // instances 1..N in order, when the structure is sound
  /// Set when steps 1 to 3 already fail the chain.
  std::optional<Reason> failure;
  std::string detail;
  unsigned failed_instance = 0;
};

Chain collect_chain(const mail::HeaderSection& headers);

/// Appends a set's own seal as that seal's signature hashes it: relaxed, b= emptied, no CRLF.
void append_sealed_seal(const mail::HeaderSection& headers, const ChainSet& set, std::string& out);

/// Appends one field as a seal hashes it: relaxed, with its CRLF.
void append_set_field(std::string_view raw_field, std::string& out);

/// Appends the seal field itself as its signature hashes it: relaxed, b= between `b_begin` and
/// `b_end` (offsets into `raw_field`) removed, no final CRLF.
void append_seal_field(std::string_view raw_field, std::size_t b_begin, std::size_t b_end,
                       std::string& out);

}  // namespace hallmark::arc::detail
