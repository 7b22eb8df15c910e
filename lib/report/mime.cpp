// SPDX-License-Identifier: Apache-2.0
// The MIME entity tree of a report e-mail. Headers come from mail/'s RFC 5322 parser; this
// file adds what MIME puts on top: Content-Type with its parameters (RFC 2045 5.1, RFC 2231
// continuations and charset-encoded values), multipart boundaries (RFC 2046 5.1.1) and the
// two transfer encodings.
#include "report/internal/mime.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <map>

#include "core/internal/ascii.hpp"
#include "hallmark/core/base64.hpp"
#include "hallmark/core/domain.hpp"

namespace hallmark::report::detail {
namespace {

using core::detail::is_fws;
using core::detail::trim_fws;

// Parameters on one header field beyond this are ignored: real fields carry two or three.
constexpr std::size_t max_parameters = 64;
// RFC 2046 5.1.1 caps boundaries at 70 characters; some generators run a little longer.
constexpr std::size_t max_boundary_bytes = 200;

bool is_tspecial_or_space(char c) noexcept {
  return std::string_view("()<>@,;:\\\"/[]?= \t\r\n").find(c) != std::string_view::npos;
}

std::string_view skip_comments_and_space(std::string_view text) {
  for (;;) {
    text = trim_fws(text);
    if (!text.starts_with('(')) return text;
    // A comment, possibly nested, with quoted pairs (RFC 5322 3.2.2).
    std::size_t depth = 0;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '(') {
        ++depth;
      } else if (text[i] == ')' && --depth == 0) {
        break;
      }
    }
    text.remove_prefix(std::min(i + 1, text.size()));
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 2231 4: charset'language'percent-encoded. The charset is dropped: file names and
// parameters that matter here are ASCII, and the bytes are kept as they are otherwise.
std::string percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

struct Section {
  std::string name;  // lowercased, without the RFC 2231 suffixes
  unsigned index = 0;
  bool encoded = false;
  std::string value;
};

// Reads "value *(; name=value)" after the field's main token. Quoted strings keep their
// content with quoted pairs undone; sections of one RFC 2231 parameter are joined in order.
std::vector<std::pair<std::string, std::string>> read_parameters(std::string_view text) {
  std::vector<Section> sections;
  while (sections.size() < max_parameters) {
    auto semicolon = text.find(';');
    if (semicolon == std::string_view::npos) break;
    text = skip_comments_and_space(text.substr(semicolon + 1));
    auto equals = text.find('=');
    if (equals == std::string_view::npos) break;
    std::string_view name = trim_fws(text.substr(0, equals));
    text = skip_comments_and_space(text.substr(equals + 1));
    std::string value;
    if (text.starts_with('"')) {
      std::size_t i = 1;
      for (; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        if (text[i] != '\r' && text[i] != '\n') value.push_back(text[i]);
      }
      text.remove_prefix(std::min(i + 1, text.size()));
    } else {
      std::size_t i = 0;
      while (i < text.size() && text[i] != ';' && !is_fws(text[i]) && text[i] != '(') ++i;
      value.assign(text.substr(0, i));
      text.remove_prefix(i);
    }
    if (name.empty() || std::ranges::any_of(name, is_tspecial_or_space)) continue;
    Section section{core::to_lower_ascii(name), 0, false, std::move(value)};
    if (section.name.ends_with('*')) {
      section.encoded = true;
      section.name.pop_back();
    }
    if (auto star = section.name.rfind('*'); star != std::string::npos) {
      std::string_view digits = std::string_view(section.name).substr(star + 1);
      unsigned index = 0;
      auto [end, code] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (code == std::errc{} && end == digits.data() + digits.size() && !digits.empty()) {
        section.index = index;
        section.name.resize(star);
      }
    }
    sections.push_back(std::move(section));
  }
  std::stable_sort(sections.begin(), sections.end(), [](const Section& a, const Section& b) {
    return a.name != b.name ? a.name < b.name : a.index < b.index;
  });
  std::vector<std::pair<std::string, std::string>> parameters;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const Section& section = sections[i];
    std::string_view value = section.value;
    if (section.encoded && section.index == 0) {
      // The first encoded section starts with charset'language'.
      auto first = value.find('\'');
      auto second = first == std::string_view::npos ? first : value.find('\'', first + 1);
      if (second != std::string_view::npos) value.remove_prefix(second + 1);
    }
    std::string decoded = section.encoded ? percent_decoded(value) : std::string(value);
    if (i > 0 && sections[i - 1].name == section.name)
      parameters.back().second += decoded;
    else
      parameters.emplace_back(section.name, std::move(decoded));
  }
  return parameters;
}

std::string_view find_parameter(const std::vector<std::pair<std::string, std::string>>& list,
                                std::string_view name) noexcept {
  for (const auto& [key, value] : list)
    if (key == name) return value;
  return {};
}

std::string main_token(std::string_view value) {
  value = skip_comments_and_space(value);
  std::size_t end = 0;
  while (end < value.size() && value[end] != ';' && !is_fws(value[end]) && value[end] != '(') ++end;
  return core::to_lower_ascii(value.substr(0, end));
}

struct Walk {
  const MimeLimits& limits;
  std::size_t parts = 0;

  core::Expected<MimeEntity> entity(std::string_view text, std::string path, std::size_t depth,
                                    bool in_digest) {
    if (++parts > limits.max_parts)
      return core::fail(core::Errc::too_many,
                        fmt::format("the message has more than {} MIME parts", limits.max_parts));
    auto message = mail::parse_message(text);
    if (!message) return std::unexpected(message.error());
    MimeEntity entity;
    entity.path = std::move(path);
    entity.headers = std::move(message->headers);
    entity.body = message->body;
    entity.content_type = in_digest ? "message/rfc822" : "text/plain";
    entity.transfer_encoding = "7bit";
    if (const auto* type = entity.headers.find("Content-Type")) {
      std::string value = type->unfolded_value();
      std::string token = main_token(value);
      if (token.find('/') != std::string::npos) entity.content_type = std::move(token);
      entity.parameters = read_parameters(value);
    }
    if (const auto* encoding = entity.headers.find("Content-Transfer-Encoding"))
      entity.transfer_encoding = main_token(encoding->unfolded_value());
    if (const auto* disposition = entity.headers.find("Content-Disposition"))
      entity.filename = find_parameter(read_parameters(disposition->unfolded_value()), "filename");
    if (entity.filename.empty()) entity.filename = entity.parameter("name");

    std::string_view boundary = entity.parameter("boundary");
    if (!entity.content_type.starts_with("multipart/") || boundary.empty() ||
        boundary.size() > max_boundary_bytes)
      return entity;
    if (depth + 1 > limits.max_depth)
      return core::fail(core::Errc::too_long,
                        fmt::format("MIME parts nest deeper than {}", limits.max_depth));
    bool digest = entity.content_type == "multipart/digest";
    std::vector<std::string_view> bodies = split_multipart(entity.body, boundary);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      std::string child_path =
          entity.path.empty() ? fmt::format("{}", i + 1) : fmt::format("{}.{}", entity.path, i + 1);
      auto child = this->entity(bodies[i], std::move(child_path), depth + 1, digest);
      if (!child) return std::unexpected(child.error());
      entity.children.push_back(std::move(*child));
    }
    return entity;
  }

  // RFC 2046 5.1.1: a delimiter is "--boundary" at the start of a line, then optional
  // whitespace; the line break before it belongs to it. A missing close delimiter (a truncated
  // message) ends the last part at the end of the body.
  static std::vector<std::string_view> split_multipart(std::string_view body,
                                                       std::string_view boundary) {
    std::vector<std::string_view> parts;
    std::string delimiter = fmt::format("--{}", boundary);
    std::size_t part_start = std::string_view::npos;
    std::size_t search = 0;
    for (;;) {
      std::size_t at = body.find(delimiter, search);
      if (at == std::string_view::npos) break;
      search = at + delimiter.size();
      if (at != 0 && body[at - 1] != '\n') continue;
      std::string_view after = body.substr(at + delimiter.size());
      bool close = after.starts_with("--");
      if (close) after.remove_prefix(2);
      std::size_t line_end = after.find('\n');
      std::string_view rest_of_line = after.substr(0, line_end);
      if (!trim_fws(rest_of_line).empty()) continue;  // a longer boundary that shares a prefix
      if (part_start != std::string_view::npos) {
        std::size_t part_end = at;
        if (part_end > part_start && body[part_end - 1] == '\n') --part_end;
        if (part_end > part_start && body[part_end - 1] == '\r') --part_end;
        parts.push_back(body.substr(part_start, part_end - part_start));
      }
      if (close || line_end == std::string_view::npos) return parts;
      part_start = static_cast<std::size_t>(after.data() - body.data()) + line_end + 1;
    }
    if (part_start != std::string_view::npos) parts.push_back(body.substr(part_start));
    return parts;
  }
};

core::Expected<std::string> quoted_printable_decoded(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  while (!text.empty()) {
    std::size_t line_end = text.find('\n');
    std::string_view line = text.substr(0, line_end);
    bool had_break = line_end != std::string_view::npos;
    text = had_break ? text.substr(line_end + 1) : std::string_view{};
    if (line.ends_with('\r')) line.remove_suffix(1);
    // RFC 2045 6.7 (3): trailing whitespace was added in transport and is removed.
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft_break = line.ends_with('=');
    if (soft_break) line.remove_suffix(1);
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '=') {
        int high = i + 1 < line.size() ? hex_value(line[i + 1]) : -1;
        int low = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
        if (high >= 0 && low >= 0) {
          out.push_back(static_cast<char>(high * 16 + low));
          i += 2;
          continue;
        }
      }
      out.push_back(line[i]);  // a stray '=' is kept, as RFC 2045 6.7 suggests
    }
    if (had_break && !soft_break) out += "\r\n";
    if (out.size() > max_bytes)
      return core::fail(core::Errc::too_long,
                        fmt::format("the decoded part exceeds {} bytes", max_bytes));
  }
  return out;
}

}  // namespace

std::string_view MimeEntity::parameter(std::string_view name) const noexcept {
  return find_parameter(parameters, name);
}

std::string MimeEntity::describe() const {
  std::string where = path.empty() ? "the message body" : fmt::format("part {}", path);
  if (!filename.empty()) where += fmt::format(" ({})", std::string_view(filename).substr(0, 200));
  return where;
}

core::Expected<MimeEntity> parse_mime(std::string_view message, const MimeLimits& limits) {
  Walk walk{limits};
  return walk.entity(message, "", 0, false);
}

core::Expected<std::string> decoded_body(const MimeEntity& entity, std::size_t max_bytes) {
  const std::string& encoding = entity.transfer_encoding;
  if (encoding == "base64") {
    if (entity.body.size() / 4 * 3 > max_bytes)
      return core::fail(core::Errc::too_long,
                        fmt::format("the decoded part exceeds {} bytes", max_bytes));
    auto decoded = core::base64_decode(entity.body);
    if (!decoded)
      return core::fail(
          core::Errc::bad_encoding,
          fmt::format("{}: bad base64: {}", entity.describe(), decoded.error().message),
          decoded.error().offset);
    return std::move(*decoded);
  }
  if (encoding == "quoted-printable") return quoted_printable_decoded(entity.body, max_bytes);
  if (encoding == "7bit" || encoding == "8bit" || encoding == "binary" || encoding.empty()) {
    if (entity.body.size() > max_bytes)
      return core::fail(core::Errc::too_long, fmt::format("the part exceeds {} bytes", max_bytes));
    return std::string(entity.body);
  }
  return core::fail(core::Errc::unsupported,
                    fmt::format("{}: unknown transfer encoding '{}'", entity.describe(),
                                std::string_view(encoding).substr(0, 40)));
}

}  // namespace hallmark::report::detail
