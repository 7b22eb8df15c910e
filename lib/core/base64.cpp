// SPDX-License-Identifier: Apache-2.0
// Table-driven base64 decoding and encoding for DKIM signatures, body hashes and public keys.
#include "hallmark/core/base64.hpp"

#include <array>

#include "core/internal/base64.hpp"

#include <fmt/format.h>

namespace hallmark::core {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Table values: 0..63 a digit, then the three other classes. Every class above 63 has bit 6
// set, which lets the fast path test four characters with one OR.
constexpr std::uint8_t space = 64;
constexpr std::uint8_t pad = 65;
constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  // RFC 6376 3.5: b=, bh= and p= may be folded, and FWS is SP, HTAB and CRLF.
  table[' '] = table['\t'] = table['\r'] = table['\n'] = space;
  table['='] = pad;
  return table;
}
constexpr std::array<std::uint8_t, 256> decode_table = make_decode_table();

std::string describe(unsigned char octet) {
  if (octet > 0x20 && octet < 0x7f) return fmt::format("'{}'", static_cast<char>(octet));
  return fmt::format("0x{:02x}", octet);
}

Error bad_character(std::string_view text, std::size_t offset) {
  return Error{Errc::bad_encoding,
               fmt::format("invalid character {} at offset {} in base64",
                           describe(static_cast<unsigned char>(text[offset])), offset),
               offset};
}

// Counts the '=' from `first` (the first one) to the end; only white space may sit between.
Expected<std::size_t> count_padding(std::string_view text, std::size_t first) {
  std::size_t count = 0;
  for (std::size_t i = first; i < text.size(); ++i) {
    std::uint8_t value = decode_table[static_cast<unsigned char>(text[i])];
    if (value == space) continue;
    if (value == pad) {
      if (++count > 2)
        return fail(Errc::bad_encoding, fmt::format("too much '=' padding at offset {}", i), i);
      continue;
    }
    if (value < 64)
      return fail(Errc::bad_encoding, fmt::format("base64 data after '=' padding at offset {}", i),
                  i);
    return std::unexpected(bad_character(text, i));
  }
  return count;
}

// RFC 4648 4: a final quantum of 2 or 3 digits carries 1 or 2 bytes and takes 2 or 1 '='.
Expected<void> check_tail(std::string_view text, unsigned held, std::size_t last_digit,
                          std::size_t padding, std::size_t first_pad) {
  if (held == 1)
    return fail(Errc::bad_encoding,
                fmt::format("base64 ends in a lone character at offset {}", last_digit),
                last_digit);
  std::size_t needed = held == 0 ? 0 : 4 - held;
  if (padding == needed) return {};
  if (padding == 0)
    return fail(Errc::bad_encoding,
                fmt::format("base64 is missing {} '=' padding at offset {}", needed, text.size()),
                text.size());
  return fail(Errc::bad_encoding,
              fmt::format("base64 has {} '=' padding where {} belong, at offset {}", padding,
                          needed, first_pad),
              first_pad);
}

}  // namespace

namespace detail {

Expected<std::size_t> base64_decode_into(std::string_view text, char* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  char* next = out;
  std::uint32_t quantum = 0;
  unsigned held = 0;
  std::size_t last_digit = 0;
  std::size_t i = 0;
  while (i < size) {
    // Fast path: four digits with no white space in between, the bulk of any signature.
    if (held == 0 && size - i >= 4) {
      unsigned a = decode_table[in[i]], b = decode_table[in[i + 1]];
      unsigned c = decode_table[in[i + 2]], d = decode_table[in[i + 3]];
      if ((a | b | c | d) < 64) {
        std::uint32_t value = a << 18 | b << 12 | c << 6 | d;
        *next++ = static_cast<char>(value >> 16);
        *next++ = static_cast<char>(value >> 8);
        *next++ = static_cast<char>(value);
        i += 4;
        continue;
      }
    }
    std::uint8_t value = decode_table[in[i]];
    if (value == pad) break;
    if (value == space) {
      ++i;
      continue;
    }
    if (value > 63) return std::unexpected(bad_character(text, i));
    quantum = quantum << 6 | value;
    last_digit = i++;
    if (++held == 4) {
      *next++ = static_cast<char>(quantum >> 16);
      *next++ = static_cast<char>(quantum >> 8);
      *next++ = static_cast<char>(quantum);
      quantum = 0;
      held = 0;
    }
  }
  std::size_t first_pad = i;
  Expected<std::size_t> padding = count_padding(text, first_pad);
  if (!padding) return std::unexpected(std::move(padding.error()));
  Expected<void> tail = check_tail(text, held, last_digit, *padding, first_pad);
  if (!tail) return std::unexpected(std::move(tail.error()));
  if (held == 2) *next++ = static_cast<char>(quantum >> 4);
  if (held == 3) {
    *next++ = static_cast<char>(quantum >> 10);
    *next++ = static_cast<char>(quantum >> 2);
  }
  return static_cast<std::size_t>(next - out);
}

}  // namespace detail

Expected<std::string> base64_decode(std::string_view text) {
  std::string out(detail::base64_decoded_bound(text.size()), '\0');
  Expected<std::size_t> size = detail::base64_decode_into(text, out.data());
  if (!size) return std::unexpected(std::move(size.error()));
  out.resize(*size);
  return out;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '=');
  char* next = out.data();
  std::size_t i = 0;
  for (; bytes.size() - i >= 3; i += 3) {
    std::uint32_t value =
        std::uint32_t{bytes[i]} << 16 | std::uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    *next++ = alphabet[value >> 18];
    *next++ = alphabet[(value >> 12) & 0x3f];
    *next++ = alphabet[(value >> 6) & 0x3f];
    *next++ = alphabet[value & 0x3f];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  std::uint32_t value = std::uint32_t{bytes[i]} << 16;
  if (rest == 2) value |= std::uint32_t{bytes[i + 1]} << 8;
  *next++ = alphabet[value >> 18];
  *next++ = alphabet[(value >> 12) & 0x3f];
  if (rest == 2) *next = alphabet[(value >> 6) & 0x3f];  // the rest stays '='
  return out;
}

std::string base64_encode(std::string_view bytes) {
  return base64_encode(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace hallmark::core
