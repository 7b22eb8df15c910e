// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the ARC tests: LF to CRLF, zones from name -> TXT maps, header fields split
// and edited as text (to damage real chains), and sealing or validating in one call.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "hallmark/arc.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::arc::testing {

/// Bare LF line ends become CRLF; CRLF stays as it is.
inline std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

inline std::string without_whitespace(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  return out;
}

/// A TXT value as DNS carries it: character-strings of at most 255 octets.
inline std::vector<std::string> character_strings(std::string_view value) {
  std::vector<std::string> strings;
  do {
    strings.emplace_back(value.substr(0, 255));
    value.remove_prefix(std::min<std::size_t>(value.size(), 255));
  } while (!value.empty());
  return strings;
}

/// One header field: its name and its raw value (after the colon, folds kept, no final CRLF).
struct Field {
  std::string name;
  std::string value;
};

/// A message cut into header fields and body, to edit fields and put it back together.
struct Message {
  std::vector<Field> fields;
  std::string body;  // after the blank line
  bool has_separator = true;

  static Message parse(std::string_view text) {
    Message m;
    std::size_t pos = 0;
    m.has_separator = false;
    while (pos < text.size()) {
      std::size_t eol = text.find("\r\n", pos);
      std::size_t line_end = eol == std::string_view::npos ? text.size() : eol;
      std::string_view line = text.substr(pos, line_end - pos);
      std::size_t next = eol == std::string_view::npos ? text.size() : eol + 2;
      if (line.empty()) {
        m.has_separator = true;
        m.body = std::string(text.substr(next));
        return m;
      }
      if ((line[0] == ' ' || line[0] == '\t') && !m.fields.empty()) {
        m.fields.back().value += "\r\n" + std::string(line);
      } else {
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
          m.fields.push_back({std::string(line), ""});
        } else {
          m.fields.push_back(
              {std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
        }
      }
      pos = next;
    }
    return m;
  }

  std::string text() const {
    std::string out;
    for (const Field& f : fields) out += f.name + ":" + f.value + "\r\n";
    if (has_separator) out += "\r\n" + body;
    return out;
  }
};

/// Splits a text of whole header fields ("Name: value\r\n\tfold\r\n...") into fields.
inline std::vector<Field> split_fields(std::string_view text) {
  Message m = Message::parse(text);
  return m.fields;
}

inline bool is_named(const Field& field, std::string_view name) {
  return lower(trim(field.name)) == lower(name);
}

inline bool is_arc_field(const Field& field) {
  return is_named(field, "ARC-Seal") || is_named(field, "ARC-Message-Signature") ||
         is_named(field, "ARC-Authentication-Results");
}

/// A tag=value list cut at ';' with the text of each piece kept, so one tag can be changed
/// without touching the bytes of the others.
struct TagList {
  std::vector<std::string> pieces;  // raw, between the semicolons

  static TagList parse(std::string_view value) {
    TagList list;
    std::size_t start = 0;
    for (;;) {
      std::size_t semi = value.find(';', start);
      list.pieces.emplace_back(value.substr(
          start, semi == std::string_view::npos ? std::string_view::npos : semi - start));
      if (semi == std::string_view::npos) break;
      start = semi + 1;
    }
    return list;
  }

  static std::string name_of(std::string_view piece) {
    std::size_t eq = piece.find('=');
    return trim(piece.substr(0, eq));
  }

  std::optional<std::size_t> find(std::string_view tag) const {
    for (std::size_t i = 0; i < pieces.size(); ++i)
      if (pieces[i].find('=') != std::string::npos && name_of(pieces[i]) == tag) return i;
    return std::nullopt;
  }

  std::optional<std::string> get(std::string_view tag) const {
    auto index = find(tag);
    if (!index) return std::nullopt;
    const std::string& piece = pieces[*index];
    return trim(std::string_view(piece).substr(piece.find('=') + 1));
  }

  /// Replaces the value, keeping the whitespace before the tag name. False if absent.
  bool set(std::string_view tag, std::string_view value) {
    auto index = find(tag);
    if (!index) return false;
    std::string& piece = pieces[*index];
    std::size_t lead = piece.find_first_not_of(" \t\r\n");
    piece = piece.substr(0, lead) + std::string(tag) + "=" + std::string(value);
    return true;
  }

  bool remove(std::string_view tag) {
    auto index = find(tag);
    if (!index) return false;
    pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(*index));
    return true;
  }

  void add(std::string_view tag, std::string_view value) {
    pieces.insert(pieces.begin(), std::string(tag) + "=" + std::string(value));
    if (pieces.size() > 1) pieces[1] = " " + trim(pieces[1]);
  }

  std::string text() const {
    std::string out;
    for (std::size_t i = 0; i < pieces.size(); ++i) out += (i ? ";" : "") + pieces[i];
    return out;
  }
};

/// The instance an ARC field claims, or 0 when its i= cannot be read.
inline unsigned instance_of(const Field& field) {
  auto value = TagList::parse(field.value).get("i");
  if (!value || value->empty() || value->size() > 6) return 0;
  unsigned n = 0;
  for (char c : *value) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

/// The index of the first field named `name` whose i= is `instance`.
inline std::optional<std::size_t> find_arc_field(const Message& m, std::string_view name,
                                                 unsigned instance) {
  for (std::size_t i = 0; i < m.fields.size(); ++i)
    if (is_named(m.fields[i], name) && instance_of(m.fields[i]) == instance) return i;
  return std::nullopt;
}

/// A zone publishing `record` at each name.
inline void publish(dns::ZoneResolver& zone, std::string_view name, std::string_view record) {
  zone.add_txt(name, character_strings(record));
}

/// Validates with a fresh key cache, so tests that publish different keys under one name do
/// not see each other's.
inline Result validate(dns::Resolver& resolver, const std::string& message,
                       VerifyOptions options = {}) {
  dkim::KeyCache cache;
  options.key_cache = &cache;
  return core::sync_wait(verify_message(resolver, message, options), resolver.pump());
}

inline std::string describe(const Result& r) {
  std::string out =
      std::string(to_string(r.outcome)) + " reason=" + std::string(to_string(r.reason)) +
      " failed_instance=" + std::to_string(r.failed_instance) + " detail=\"" + r.detail + "\"";
  for (const SetResult& set : r.sets)
    if (!set.detail.empty()) out += " [i=" + std::to_string(set.instance) + ": " + set.detail + "]";
  return out;
}

/// One hop's sealer: the domain and selector its key is published under, its authserv-id.
struct Hop {
  std::string domain;
  std::string selector = "arc";
  std::string authserv_id;
  dkim::Canonicalization header = dkim::Canonicalization::relaxed;
  dkim::Canonicalization body = dkim::Canonicalization::relaxed;
  std::int64_t now = 1700000000;
};

/// Seals `message` as `hop` would and returns the message with the new set on top; on a
/// sealing error, records a test failure and returns the message unchanged.
inline std::string seal(dns::Resolver& resolver, const std::string& message,
                        const dkim::PrivateKey& key, const Hop& hop,
                        std::string auth_results = "spf=pass smtp.mailfrom=alice@example.com",
                        Sealed* out = nullptr) {
  SealOptions options;
  options.domain = hop.domain;
  options.selector = hop.selector;
  options.authserv_id = hop.authserv_id;
  options.auth_results = std::move(auth_results);
  options.header_canonicalization = hop.header;
  options.body_canonicalization = hop.body;
  std::int64_t now = hop.now;
  options.now = [now] { return now; };
  dkim::KeyCache cache;
  options.verify.key_cache = &cache;
  core::Expected<Sealed> sealed =
      core::sync_wait(seal_message(resolver, message, key, options), resolver.pump());
  if (!sealed) {
    ADD_FAILURE() << "sealing for " << hop.domain << " failed: " << sealed.error().message;
    return message;
  }
  if (out != nullptr) *out = *sealed;
  return sealed->fields + message;
}

}  // namespace hallmark::arc::testing
