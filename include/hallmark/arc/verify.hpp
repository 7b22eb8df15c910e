// SPDX-License-Identifier: Apache-2.0
// ARC chain validation (RFC 8617 5.2) over a streamed message: the structure is checked at
// the end of the header section, where every key lookup starts at once; the newest AMS's body
// hash is computed while the body arrives; the verdict comes at the end. Memory does not grow
// with the body.
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "hallmark/arc/types.hpp"
#include "hallmark/core/error.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"

namespace hallmark::dkim::detail {
class BodyHashes;
}

namespace hallmark::arc {

struct VerifyOptions {
  /// Compute Result::oldest_pass (RFC 8617 5.2 step 5): one more AMS verification and body
  /// hash per older instance.
  bool oldest_pass = false;
  /// RFC 8301 3.1 applies to ARC as to DKIM: rsa-sha1 is not accepted unless asked for.
  bool allow_sha1 = false;
  /// RFC 8301 3.2: RSA keys below 1024 bits are not valid.
  unsigned min_rsa_bits = 1024;
  /// Decoded keys; the process-wide DKIM key cache when null (keys are the same records).
  dkim::KeyCache* key_cache = nullptr;
  /// Bounds on the header section.
  mail::Limits limits;
};

/// Streaming validator. Feed the raw message with feed() (any chunking), or drive it as a
/// mail::MessageHandler; then co_await finish(). Destroying it with lookups pending is safe
/// only on the thread that pumps the resolver (as for dkim::Verifier).
class HALLMARK_API Verifier final : public mail::MessageHandler {
 public:
  /// `resolver` must outlive the verifier.
  explicit Verifier(dns::Resolver& resolver, VerifyOptions options = {});
  /// For the library's own composition (the authenticator): the AMS body hashes come from
  /// `shared`, the same one-pass hashes the DKIM verifier uses, which the caller feeds and
  /// finishes; on_body() then does nothing.
  Verifier(dns::Resolver& resolver, VerifyOptions options, dkim::detail::BodyHashes& shared);
  ~Verifier() override;
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  /// Raw message bytes. Errors: those of mail::MessageParser.
  core::Expected<void> feed(std::string_view bytes);
  core::Task<Result> finish();

  void on_end_of_headers(const mail::HeaderSection& headers) override;
  void on_body(std::string_view chunk) override;
  void on_end() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Validates the chain of a whole message held in memory; `message` must outlive the task.
HALLMARK_API core::Task<Result> verify_message(dns::Resolver& resolver, std::string_view message,
                                               VerifyOptions options = {});

/// The task would read a string destroyed before it runs: keep the message in a variable.
template <class String>
requires std::same_as<std::remove_cvref_t<String>, std::string> &&
    (!std::is_lvalue_reference_v<String>)core::Task<Result> verify_message(
        dns::Resolver& resolver, String&& message, VerifyOptions options = {}) = delete;

/// "arc=pass (i=2 sealed by lists.example.org, example.net)" with header.oldest-pass when
/// computed (RFC 8617 10.2); a failure gives its reason and instance as a comment.
HALLMARK_API std::string auth_results_fragment(const Result& result);

}  // namespace hallmark::arc
