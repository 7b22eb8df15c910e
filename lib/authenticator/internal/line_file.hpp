// SPDX-License-Identifier: Apache-2.0
// Line-oriented configuration files (score tables, allow lists): a size cap, reading a whole
// file under it, and lines with "#" comments and surrounding blanks removed. Layer-private.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "hallmark/core/error.hpp"

namespace hallmark::authenticator::detail {

/// The largest list or table accepted, in octets. Real files are a few kilobytes; the cap keeps
/// a wrong path (a log, /dev/zero) or a hostile file from costing unbounded memory and time.
inline constexpr std::size_t max_line_file = std::size_t{1} << 20;

/// Errc::too_long when `text` is over max_line_file octets.
inline core::Expected<void> check_line_file_size(std::string_view text) {
  if (text.size() > max_line_file)
    return core::fail(
        core::Errc::too_long,
        fmt::format("input is {} octets, more than the {} accepted", text.size(), max_line_file),
        max_line_file);
  return {};
}

/// `text` for a message: at most `limit` octets, anything but printable ASCII escaped as \xNN,
/// so an error about a hostile or binary file is still one printable, bounded line.
inline std::string quote_line_text(std::string_view text, std::size_t limit = 40) {
  std::string out;
  std::size_t end = text.size() < limit ? text.size() : limit;
  for (std::size_t i = 0; i < end; ++i) {
    auto octet = static_cast<unsigned char>(text[i]);
    if (octet >= 0x20 && octet < 0x7f && octet != '\\')
      out += static_cast<char>(octet);
    else
      out += fmt::format("\\x{:02x}", octet);
  }
  if (end < text.size()) out += "...";
  return out;
}

/// The whole of the file at `path`, refusing one over max_line_file octets after reading at
/// most one chunk past the cap. Errc::io or Errc::too_long, naming the path.
inline core::Expected<std::string> read_line_file(const std::string& path) {
  std::error_code ec;
  // An ifstream opens a directory on Linux and only fails on the first read, with no errno
  // worth showing.
  if (std::filesystem::is_directory(path, ec))
    return core::fail(core::Errc::io, fmt::format("{}: is a directory", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::Errc::io, fmt::format("{}: {}", path, std::strerror(errno)));
  std::string text;
  char chunk[16384];
  while (text.size() <= max_line_file) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) return core::fail(core::Errc::io, fmt::format("{}: read error", path));
  if (text.size() > max_line_file)
    return core::fail(core::Errc::too_long,
                      fmt::format("{}: more than the {} octets accepted", path, max_line_file),
                      max_line_file);
  return text;
}

/// read_line_file() then `parse`; a parse error gets the path in front of its message, as
/// compilers do, so an operator with several lists knows which one to fix.
template <class Parse>
auto load_line_file(const std::string& path, Parse parse) -> decltype(parse(std::string_view())) {
  core::Expected<std::string> text = read_line_file(path);
  if (!text) return std::unexpected(std::move(text.error()));
  auto parsed = parse(std::string_view(*text));
  if (!parsed) parsed.error().message = fmt::format("{}: {}", path, parsed.error().message);
  return parsed;
}

/// One line that has something on it.
struct Line {
  std::size_t number = 0;    // 1-based, for messages
  std::size_t offset = 0;    // of the line's first octet in the whole text, for Error::offset
  std::string_view content;  // without its "#" comment and surrounding SP, HTAB and CR
};

/// The lines of a text, split at LF (a CR before it is dropped with the blanks, so CRLF files
/// read the same), skipping those left empty once comments and blanks are removed. "#" starts
/// a comment anywhere: neither tag names, numbers nor domain names contain one.
class LineReader {
 public:
  explicit LineReader(std::string_view text) noexcept : text_(text) {}

  /// The next line with content; false at the end of the text.
  bool next(Line& line) noexcept {
    while (!done_) {
      std::size_t start = position_;
      std::size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) {
        end = text_.size();
        done_ = true;
      }
      position_ = end + 1;
      ++number_;
      std::string_view content = text_.substr(start, end - start);
      if (std::size_t hash = content.find('#'); hash != std::string_view::npos)
        content = content.substr(0, hash);
      content = trim(content);
      if (content.empty()) continue;
      line = Line{number_, start, content};
      return true;
    }
    return false;
  }

  static constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

  static constexpr std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
  }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t number_ = 0;
  bool done_ = false;
};

}  // namespace hallmark::authenticator::detail
