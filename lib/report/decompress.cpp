// SPDX-License-Identifier: Apache-2.0
// gzip through zlib's inflate and zip through libzip, both reading in bounded chunks so the
// output is counted as it is produced: the declared sizes in a hostile archive mean nothing.
#include "report/internal/decompress.hpp"

#include <zip.h>
#include <zlib.h>

#include <array>
#include <climits>
#include <fmt/format.h>
#include <memory>

namespace hallmark::report::detail {
namespace {

constexpr std::size_t chunk_bytes = 64 * 1024;

core::Expected<void> append_capped(std::string& out, std::string_view chunk,
                                   std::size_t max_bytes) {
  if (out.size() + chunk.size() > max_bytes)
    return core::fail(core::Errc::too_long,
                      fmt::format("decompressed data exceeds {} bytes", max_bytes));
  out.append(chunk);
  return {};
}

struct ZipArchiveCloser {
  void operator()(zip_t* archive) const noexcept { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const noexcept { zip_fclose(file); }
};

}  // namespace

bool looks_gzip(std::string_view data) noexcept {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

bool looks_zip(std::string_view data) noexcept {
  // A local file header, or the end record of an empty archive.
  return data.starts_with(std::string_view("PK\x03\x04", 4)) ||
         data.starts_with(std::string_view("PK\x05\x06", 4));
}

core::Expected<void> gunzip(std::string_view data, std::size_t max_bytes, const ChunkSink& sink) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
    return core::fail(core::Errc::io, "zlib could not start inflating");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&stream, inflateEnd);
  std::array<char, chunk_bytes> out{};
  std::size_t produced = 0;
  std::size_t consumed = 0;
  while (consumed < data.size()) {
    std::size_t available = std::min<std::size_t>(data.size() - consumed, UINT_MAX);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    stream.avail_in = static_cast<uInt>(available);
    int status = Z_OK;
    do {
      stream.next_out = reinterpret_cast<Bytef*>(out.data());
      stream.avail_out = static_cast<uInt>(out.size());
      status = inflate(&stream, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
        return core::fail(core::Errc::syntax,
                          fmt::format("corrupt gzip data: {}", stream.msg ? stream.msg : "inflate"),
                          consumed + (available - stream.avail_in));
      std::size_t got = out.size() - stream.avail_out;
      produced += got;
      if (produced > max_bytes)
        return core::fail(core::Errc::too_long,
                          fmt::format("gzip data expands past {} bytes", max_bytes),
                          consumed + (available - stream.avail_in));
      if (got > 0)
        if (auto sunk = sink(std::string_view(out.data(), got)); !sunk) return sunk;
    } while (stream.avail_out == 0 && status != Z_STREAM_END);
    consumed += available - stream.avail_in;
    if (status == Z_STREAM_END) {
      // Another member may follow (RFC 1952 allows several); trailing zero padding is common
      // from tape-era tools and ends the data.
      std::string_view rest = data.substr(consumed);
      if (rest.find_first_not_of('\0') == std::string_view::npos) return {};
      if (!looks_gzip(rest))
        return core::fail(core::Errc::syntax, "data follows the end of the gzip stream", consumed);
      if (inflateReset(&stream) != Z_OK)
        return core::fail(core::Errc::io, "zlib could not restart inflating", consumed);
    } else if (stream.avail_in == available) {
      break;  // no progress: inflate wants input that is not there
    }
  }
  return core::fail(core::Errc::syntax, "the gzip data is truncated", data.size());
}

core::Expected<std::string> gunzip(std::string_view data, std::size_t max_bytes) {
  std::string out;
  auto inflated = gunzip(data, max_bytes, [&](std::string_view chunk) {
    return append_capped(out, chunk, max_bytes);
  });
  if (!inflated) return std::unexpected(inflated.error());
  return out;
}

core::Expected<std::vector<ZipMember>> unzip(std::string_view data, std::size_t max_bytes,
                                             std::size_t max_members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return core::fail(core::Errc::io, "libzip could not read the buffer");
  }
  std::unique_ptr<zip_t, ZipArchiveCloser> archive(
      zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!archive) {
    std::string reason = zip_error_strerror(&error);
    zip_source_free(source);
    zip_error_fini(&error);
    return core::fail(core::Errc::syntax, fmt::format("not a readable zip archive: {}", reason));
  }
  zip_error_fini(&error);
  std::vector<ZipMember> members;
  zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t index = 0; index < entries; ++index) {
    auto entry = static_cast<zip_uint64_t>(index);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive.get(), entry, 0, &stat) != 0)
      return core::fail(core::Errc::syntax, fmt::format("zip entry {} is unreadable", index));
    std::string name = (stat.valid & ZIP_STAT_NAME) && stat.name ? stat.name : "";
    if (name.ends_with('/')) continue;  // a directory
    if (members.size() >= max_members)
      return core::fail(core::Errc::too_many,
                        fmt::format("the zip archive holds more than {} files", max_members));
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE)
      return core::fail(core::Errc::unsupported,
                        fmt::format("zip member '{}' is encrypted", name.substr(0, 200)));
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive.get(), entry, 0));
    if (!file)
      return core::fail(core::Errc::syntax,
                        fmt::format("zip member '{}' cannot be opened: {}", name.substr(0, 200),
                                    zip_strerror(archive.get())));
    ZipMember member{std::move(name), {}};
    std::array<char, chunk_bytes> buffer{};
    for (;;) {
      zip_int64_t got = zip_fread(file.get(), buffer.data(), buffer.size());
      if (got < 0)
        return core::fail(core::Errc::syntax,
                          fmt::format("zip member '{}' is corrupt: {}", member.name.substr(0, 200),
                                      zip_file_strerror(file.get())));
      if (got == 0) break;
      if (auto kept = append_capped(member.data,
                                    std::string_view(buffer.data(), static_cast<std::size_t>(got)),
                                    max_bytes);
          !kept)
        return core::fail(core::Errc::too_long, fmt::format("zip member '{}' expands past {} bytes",
                                                            member.name.substr(0, 200), max_bytes));
    }
    members.push_back(std::move(member));
  }
  return members;
}

}  // namespace hallmark::report::detail
