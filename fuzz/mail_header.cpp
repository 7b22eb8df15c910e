// SPDX-License-Identifier: Apache-2.0
// Fuzzes parse_message(): checks that the fields, separator and body tile the input exactly.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hallmark/mail/header.hpp"

namespace {

using hallmark::mail::HeaderEnd;
using hallmark::mail::HeaderField;
using hallmark::mail::Limits;
using hallmark::mail::Message;

void check(std::string_view text, const Limits& limits) {
  hallmark::core::Expected<Message> message = hallmark::mail::parse_message(text, limits);
  if (!message) return;
  const auto& headers = message->headers;
  if (headers.size() > limits.max_fields) std::abort();
  if (headers.raw().size() > limits.max_header_bytes) std::abort();
  // Header section + body is the input, byte for byte, at the same address.
  if (headers.raw().data() != text.data() ||
      headers.raw().size() + message->body.size() != text.size() ||
      message->body.data() != text.data() + headers.raw().size())
    std::abort();
  // Fields are contiguous from the start; what follows them is the separator.
  std::size_t at = 0;
  for (const HeaderField& field : headers) {
    if (field.offset != at || field.raw.data() != text.data() + at) std::abort();
    if (field.name.empty() || field.name.find(':') != std::string_view::npos) std::abort();
    if (field.raw.substr(0, field.name.size()) != field.name) std::abort();
    if (field.value.data() < field.raw.data() ||
        field.value.data() + field.value.size() > field.raw.data() + field.raw.size())
      std::abort();
    if (field.unfolded_value().find('\n') != std::string::npos) std::abort();
    if (headers.find(field.name) == nullptr || headers.count(field.name) == 0) std::abort();
    at += field.raw.size();
  }
  std::string_view separator = headers.raw().substr(at);
  bool blank = separator == "\n" || separator == "\r\n";
  if ((headers.ended_by() == HeaderEnd::blank_line) != blank) std::abort();
  if (headers.ended_by() != HeaderEnd::blank_line && !separator.empty()) std::abort();
  if (headers.ended_by() == HeaderEnd::end_of_input && !message->body.empty()) std::abort();
}

}  // namespace

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text, Limits{});
  check(text, Limits{.max_header_bytes = 64, .max_fields = 4});
  return 0;
}
