// SPDX-License-Identifier: Apache-2.0
// hallmark_ctx: an Authenticator with a resolver of its own, and its list files, read at
// creation and on reload.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "capi/handles.hpp"

namespace {

using hallmark::authenticator::AllowList;
using hallmark::authenticator::AllowListPtr;
using hallmark::authenticator::ScoreTable;
using hallmark::capi::file_status_of;
using hallmark::capi::guarded;
using hallmark::capi::set_error;
using hallmark::capi::status_of;

/// What the list files held, all read before anything is applied.
struct LoadedFiles {
  std::optional<ScoreTable> scores;
  AllowListPtr allow_dmarc;
  AllowListPtr allow_spf_dkim;
  AllowListPtr trusted_arc;
};

// Reads every file named; on the first that fails, its status and the reason (naming it).
hallmark_status load_files(const HallmarkListFiles& files, LoadedFiles& loaded,
                           std::string& error) {
  if (!files.scores.empty()) {
    auto scores = ScoreTable::load(files.scores);
    if (!scores) {
      error = fmt::format("score file {}: {}", files.scores, scores.error().message);
      return file_status_of(scores.error());
    }
    loaded.scores = std::move(*scores);
  }
  struct List {
    const std::string& path;
    AllowListPtr& into;
  };
  for (const List& list : {List{files.allow_dmarc, loaded.allow_dmarc},
                           List{files.allow_spf_dkim, loaded.allow_spf_dkim},
                           List{files.trusted_arc, loaded.trusted_arc}}) {
    if (list.path.empty()) continue;
    auto parsed = AllowList::load(list.path);
    if (!parsed) {
      error = fmt::format("list file {}: {}", list.path, parsed.error().message);
      return file_status_of(parsed.error());
    }
    list.into = std::make_shared<const AllowList>(std::move(*parsed));
  }
  return HALLMARK_OK;
}

void write_error(std::string_view text, char* buffer, std::size_t size) noexcept {
  if (buffer == nullptr || size == 0) return;
  std::size_t n = std::min(text.size(), size - 1);
  if (n > 0) std::memcpy(buffer, text.data(), n);
  buffer[n] = '\0';
}

}  // namespace

extern "C" {

hallmark_status hallmark_ctx_new(hallmark_options* options, hallmark_ctx** ctx) {
  if (ctx != nullptr) *ctx = nullptr;
  if (options == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(&options->error, [&] {
    if (ctx == nullptr) {
      set_error(options->error, "ctx is NULL");
      return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    LoadedFiles loaded;
    if (hallmark_status s = load_files(options->files, loaded, options->error); s != HALLMARK_OK)
      return s;
    hallmark::authenticator::Options settings = options->options;
    if (loaded.scores) settings.scores = std::move(*loaded.scores);
    settings.allow_dmarc = std::move(loaded.allow_dmarc);
    settings.allow_spf_dkim = std::move(loaded.allow_spf_dkim);
    settings.trusted_arc_sealers = std::move(loaded.trusted_arc);
    auto handle = std::make_unique<hallmark_ctx>();
    handle->files = options->files;
    if (!options->resolver.zone_files.empty() ||
        (!options->event_loop && options->dns_start == nullptr)) {
      auto made =
          hallmark::authenticator::Authenticator::create(std::move(settings), options->resolver);
      if (!made) {
        set_error(options->error, made.error().message);
        // With zone files, no DNS server is used: the error is in a file.
        return options->resolver.zone_files.empty() ? status_of(made.error())
                                                    : file_status_of(made.error());
      }
      handle->dns = options->resolver.zone_files.empty() ? HallmarkDns::thread : HallmarkDns::zone;
      handle->authenticator = std::move(*made);
    } else {
      hallmark::dns::Resolver* upstream = nullptr;
      if (options->dns_start != nullptr) {
        handle->dns = HallmarkDns::callback;
        handle->host =
            std::make_unique<hallmark::capi::HostResolver>(options->dns_start, options->dns_user);
        handle->host->set_ctx(handle.get());
        upstream = handle->host.get();
      } else {
        auto cares = hallmark::dns::CaresResolver::create(options->resolver.cares);
        if (!cares) {
          set_error(options->error, cares.error().message);
          return status_of(cares.error());
        }
        handle->dns = HallmarkDns::event_loop;
        handle->cares = std::move(*cares);
        upstream = handle->cares.get();
      }
      handle->cache =
          std::make_unique<hallmark::dns::CachingResolver>(*upstream, options->resolver.cache);
      handle->authenticator = std::make_unique<hallmark::authenticator::Authenticator>(
          *handle->cache, std::move(settings));
    }
    *ctx = handle.release();
    return HALLMARK_OK;
  });
}

void hallmark_ctx_free(hallmark_ctx* ctx) { delete ctx; }

hallmark_status hallmark_ctx_reload(hallmark_ctx* ctx, char* error, size_t error_size) {
  std::string text;
  hallmark_status status = [&] {
    if (ctx == nullptr) {
      text = "ctx is NULL";
      return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return guarded(&text, [&] {
      LoadedFiles loaded;
      if (hallmark_status s = load_files(ctx->files, loaded, text); s != HALLMARK_OK) return s;
      // A list whose file is not configured stays as it is (null keeps the current one).
      ctx->authenticator->reload(std::move(loaded.allow_dmarc), std::move(loaded.allow_spf_dkim),
                                 std::move(loaded.trusted_arc));
      if (loaded.scores) ctx->authenticator->reload(std::move(*loaded.scores));
      return HALLMARK_OK;
    });
  }();
  write_error(status == HALLMARK_OK ? std::string_view() : std::string_view(text), error,
              error_size);
  return status;
}

}  // extern "C"
