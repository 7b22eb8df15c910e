// SPDX-License-Identifier: Apache-2.0
// Body hashes for every distinct (canonicalization, hash, l=) among a message's signatures,
// computed in one pass over the body. Layer-private; ARC reuses it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "dkim/internal/crypto.hpp"
#include "hallmark/dkim/canonicalize.hpp"
#include "hallmark/dkim/types.hpp"

namespace hallmark::dkim::detail {

class BodyHashes {
 public:
  struct Job {
    Canonicalization canonicalization;
    Hash hash;
    std::optional<std::uint64_t> limit;
    Digest running;
    std::uint64_t hashed = 0;
    std::uint64_t canonical_length = 0;  // the whole canonical body, for checking l=
    DigestBytes digest;                  // set by finish()
  };

  /// The job computing this combination, added if new.
  std::size_t job_for(Canonicalization canonicalization, Hash hash,
                      std::optional<std::uint64_t> limit);
  void feed(std::string_view chunk);
  void finish();
  const Job& job(std::size_t index) const { return jobs_[index]; }
  bool empty() const noexcept { return jobs_.empty(); }
  std::size_t job_count() const noexcept { return jobs_.size(); }

 private:
  // Canonical bytes come in runs as long as the text allows, but every edit (a squeezed space,
  // a held line end) cuts one; short runs are gathered here so the digests are not updated a
  // few bytes at a time, which costs more than hashing them. Long runs go straight through.
  // What is gathered is hashed before feed() or finish() returns, so the buffer lives on their
  // stack: neither the heap nor a message waiting for more body or for DNS holds one.
  struct Gathered {
    static constexpr std::size_t capacity = 4096;
    static constexpr std::size_t direct = 512;  // runs this long are not copied
    std::array<char, capacity> bytes;
    std::size_t size = 0;
  };

  void collect(Gathered& gathered, Canonicalization canonicalization, const char* data,
               std::size_t size);
  void flush(Gathered& gathered, Canonicalization canonicalization);
  void emit(Canonicalization canonicalization, const char* data, std::size_t size);

  std::vector<Job> jobs_;
  std::optional<BodyCanonicalizer> simple_;
  std::optional<BodyCanonicalizer> relaxed_;
  bool finished_ = false;
};

}  // namespace hallmark::dkim::detail
