// SPDX-License-Identifier: Apache-2.0
// Fuzzes parse_address_list(): every mailbox it returns must parse back to itself.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/mail/address.hpp"

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = hallmark::mail::parse_address_list(text);
  if (!list) {
    if (list.error().message.empty() || list.error().offset > text.size()) std::abort();
    return 0;
  }
  // Re-serialise as angle addresses; local parts and domains are kept as written (less
  // CFWS), so they must come back unchanged.
  std::string again;
  for (const hallmark::mail::Mailbox& mailbox : *list) {
    if (mailbox.local_part.empty() || mailbox.domain.empty()) std::abort();
    if (mailbox.address != mailbox.local_part + "@" + mailbox.domain) std::abort();
    if (mailbox.offset >= text.size()) std::abort();
    again += "<" + mailbox.address + ">, ";
  }
  if (list->empty()) return 0;  // only empty groups
  auto reparsed = hallmark::mail::parse_address_list(again);
  if (!reparsed || reparsed->size() != list->size()) std::abort();
  for (std::size_t i = 0; i < list->size(); ++i)
    if ((*reparsed)[i].address != (*list)[i].address) std::abort();
  return 0;
}
