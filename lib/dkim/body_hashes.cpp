// SPDX-License-Identifier: Apache-2.0
// One pass over the body feeding every body-hash job (RFC 6376 3.7, l= of 3.5).
#include "dkim/internal/body_hashes.hpp"

#include <cstring>

namespace hallmark::dkim::detail {

std::size_t BodyHashes::job_for(Canonicalization canonicalization, Hash hash,
                                std::optional<std::uint64_t> limit) {
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    const Job& job = jobs_[i];
    if (job.canonicalization == canonicalization && job.hash == hash && job.limit == limit)
      return i;
  }
  jobs_.push_back(Job{canonicalization, hash, limit, Digest(hash), 0, 0, {}});
  std::optional<BodyCanonicalizer>& canonicalizer =
      canonicalization == Canonicalization::simple ? simple_ : relaxed_;
  if (!canonicalizer) canonicalizer.emplace(canonicalization);
  return jobs_.size() - 1;
}

void BodyHashes::emit(Canonicalization canonicalization, const char* data, std::size_t size) {
  for (Job& job : jobs_) {
    if (job.canonicalization != canonicalization) continue;
    job.canonical_length += size;
    std::size_t take = size;
    if (job.limit) {
      std::uint64_t room = *job.limit - job.hashed;
      if (room < take) take = static_cast<std::size_t>(room);
    }
    if (take == 0) continue;
    job.running.update(data, take);
    job.hashed += take;
  }
}

void BodyHashes::collect(Gathered& gathered, Canonicalization canonicalization, const char* data,
                         std::size_t size) {
  if (size < Gathered::direct && gathered.size + size <= Gathered::capacity) {
    std::memcpy(gathered.bytes.data() + gathered.size, data, size);
    gathered.size += size;
    return;
  }
  flush(gathered, canonicalization);
  if (size < Gathered::direct) {
    std::memcpy(gathered.bytes.data(), data, size);
    gathered.size = size;
  } else {
    emit(canonicalization, data, size);
  }
}

void BodyHashes::flush(Gathered& gathered, Canonicalization canonicalization) {
  if (gathered.size == 0) return;
  emit(canonicalization, gathered.bytes.data(), gathered.size);
  gathered.size = 0;
}

void BodyHashes::feed(std::string_view chunk) {
  if (finished_) return;
  Gathered gathered;
  if (simple_) {
    simple_->feed(chunk, [&](const char* data, std::size_t size) {
      collect(gathered, Canonicalization::simple, data, size);
    });
    flush(gathered, Canonicalization::simple);
  }
  if (relaxed_) {
    relaxed_->feed(chunk, [&](const char* data, std::size_t size) {
      collect(gathered, Canonicalization::relaxed, data, size);
    });
    flush(gathered, Canonicalization::relaxed);
  }
}

void BodyHashes::finish() {
  if (finished_) return;
  finished_ = true;
  Gathered gathered;
  if (simple_) {
    simple_->finish([&](const char* data, std::size_t size) {
      collect(gathered, Canonicalization::simple, data, size);
    });
    flush(gathered, Canonicalization::simple);
  }
  if (relaxed_) {
    relaxed_->finish([&](const char* data, std::size_t size) {
      collect(gathered, Canonicalization::relaxed, data, size);
    });
    flush(gathered, Canonicalization::relaxed);
  }
  for (Job& job : jobs_) job.digest = job.running.finish();
}

}  // namespace hallmark::dkim::detail
