// SPDX-License-Identifier: Apache-2.0
// The containers reports arrive in: gzip streams (zlib) and zip archives (libzip), each
// decompressed under a cap so that a small bomb stops at the cap instead of filling memory.
// Library-private.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"

namespace hallmark::report::detail {

bool looks_gzip(std::string_view data) noexcept;
bool looks_zip(std::string_view data) noexcept;

/// Receives decompressed bytes in chunks; an error stops the decompression.
using ChunkSink = std::function<core::Expected<void>(std::string_view chunk)>;

/// Inflates a gzip file (every member of a multi-member file), handing the output to `sink`
/// chunk by chunk. Errors: Errc::too_long once the output passes `max_bytes`, Errc::syntax
/// for a corrupt or truncated stream (offset: the input position reached).
core::Expected<void> gunzip(std::string_view data, std::size_t max_bytes, const ChunkSink& sink);
/// The same, collected into one string.
core::Expected<std::string> gunzip(std::string_view data, std::size_t max_bytes);

struct ZipMember {
  std::string name;
  std::string data;
};

/// The files of a zip archive (directories skipped), each decompressed under `max_bytes`.
/// Errors: Errc::syntax for an archive libzip cannot open or a corrupt member, Errc::too_many
/// for more than `max_members` files, Errc::too_long for a member past `max_bytes`,
/// Errc::unsupported for encrypted members.
core::Expected<std::vector<ZipMember>> unzip(std::string_view data, std::size_t max_bytes,
                                             std::size_t max_members);

}  // namespace hallmark::report::detail
