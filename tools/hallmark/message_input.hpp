// SPDX-License-Identifier: Apache-2.0
// The MESSAGE argument of the verbs that read a message: a file, or standard input for "-" or
// none, read in bounded chunks so no verb needs the whole message in memory.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace hallmark::cli {

class MessageInput {
 public:
  /// Bytes handed out per read(): large enough that a message takes few system calls, small
  /// enough that memory stays flat whatever the message size.
  static constexpr std::size_t chunk_size = 64 * 1024;

  /// Opens positional[0] ("-" or none means standard input). Throws UsageError for more than
  /// one argument, Failure naming the file when it cannot be opened.
  explicit MessageInput(const std::vector<std::string>& positional);
  ~MessageInput();
  MessageInput(const MessageInput&) = delete;
  MessageInput& operator=(const MessageInput&) = delete;

  /// The next bytes, at most chunk_size; empty at the end. The view lasts until the next
  /// call. Throws Failure naming the input on a read error (a directory, an I/O error).
  std::string_view read();
  /// Whether rewind() can work: the input is a regular file, not a pipe or a terminal, where
  /// the bytes already read are gone.
  bool rewindable() const { return regular_; }
  /// Goes back to the first byte read; false when the input is not rewindable or seeking fails.
  bool rewind();
  /// The file name, or "standard input", for messages.
  const std::string& name() const { return name_; }

 private:
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  bool regular_ = false;
  off_t start_ = 0;
  std::string name_;
  std::vector<char> buffer_;
};

/// `chunk` without a leading mbox separator line ("From sender date", no colon), which
/// saved mailboxes and some tools put before the header section; it is not part of the
/// message, and the header parser would otherwise take it as the start of the body.
std::string_view skip_mbox_separator(std::string_view chunk);

}  // namespace hallmark::cli
