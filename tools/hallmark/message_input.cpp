// SPDX-License-Identifier: Apache-2.0
// Reads a verb's MESSAGE argument (file or standard input) in fixed-size chunks.
#include "message_input.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "args.hpp"

namespace hallmark::cli {

MessageInput::MessageInput(const std::vector<std::string>& positional) : buffer_(chunk_size) {
  if (positional.size() > 1) throw UsageError("give one MESSAGE file, or '-' for standard input");
  if (positional.empty() || positional[0] == "-") {
    file_ = stdin;
    name_ = "standard input";
  } else {
    name_ = positional[0];
    file_ = std::fopen(name_.c_str(), "rb");
    if (file_ == nullptr) throw Failure(fmt::format("{}: {}", name_, std::strerror(errno)));
    owned_ = true;
  }
  struct stat info {};
  regular_ = fstat(fileno(file_), &info) == 0 && S_ISREG(info.st_mode);
  // Standard input redirected from a file may start past its first byte; rewind() returns
  // to where this input started, not to the file's start.
  if (regular_) start_ = ftello(file_);
  if (start_ < 0) regular_ = false;
}

MessageInput::~MessageInput() {
  if (owned_) std::fclose(file_);
}

std::string_view MessageInput::read() {
  std::size_t n = std::fread(buffer_.data(), 1, buffer_.size(), file_);
  // A short read is either the end or an error; reading a directory fails here (EISDIR),
  // not at fopen().
  if (n < buffer_.size() && std::ferror(file_))
    throw Failure(fmt::format("{}: {}", name_, std::strerror(errno)));
  return {buffer_.data(), n};
}

bool MessageInput::rewind() {
  if (!regular_) return false;
  std::clearerr(file_);
  return fseeko(file_, start_, SEEK_SET) == 0;
}

std::string_view skip_mbox_separator(std::string_view chunk) {
  if (!chunk.starts_with("From ")) return chunk;
  std::size_t end = chunk.find('\n');
  return end == std::string_view::npos ? chunk : chunk.substr(end + 1);
}

}  // namespace hallmark::cli
