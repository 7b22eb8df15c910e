// SPDX-License-Identifier: Apache-2.0
// DKIM verification (RFC 6376 6, RFC 8301, RFC 8463) over a streamed message: key lookups
// for every signature start when the header section ends, body hashes are computed in one
// pass while the body arrives, and memory does not grow with the body.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"

namespace hallmark::dkim {

namespace detail {
class BodyHashes;
}

/// What becomes of a signature that verifies but whose l= leaves part of the body unsigned.
/// Anyone on the path can append to such a message, even a MIME part that mail readers show
/// instead of the signed text (RFC 6376 8.2), so a pass would vouch for content the signer
/// never saw.
enum class UnsignedBody : std::uint8_t {
  accept,   // pass (the pre-RFC 8301 reading); Result::unsigned_body_octets says how much
  neutral,  // neutral/body_not_covered: not a forgery, but no pass for DMARC to align with
  fail,     // fail/body_not_covered
};
HALLMARK_API std::string_view to_string(UnsignedBody policy) noexcept;

struct VerifyOptions {
  /// DKIM-Signature fields verified per message; the rest get permerror/too_many_signatures.
  std::size_t max_signatures = 10;
  /// RFC 8301 3.1: rsa-sha1 signatures are not valid unless a site chooses otherwise.
  bool allow_sha1 = false;
  /// RFC 8301 3.2: RSA keys below 1024 bits are not valid.
  unsigned min_rsa_bits = 1024;
  /// A signature whose l= does not cover the whole body: neutral by default, which keeps
  /// appended content from riding on someone else's pass while a list footer is not taken
  /// for a forgery.
  UnsignedBody unsigned_body = UnsignedBody::neutral;
  /// Tolerance for t= in the future and x= in the past, for clocks that disagree.
  std::int64_t clock_skew_seconds = 300;
  /// Seconds since the epoch; the system clock when empty. Tests pin it.
  std::function<std::int64_t()> now;
  /// Decoded keys; the process-wide cache when null.
  KeyCache* key_cache = nullptr;
  /// Bounds on the header section.
  mail::Limits limits;
};

/// Streaming verifier. Feed the raw message with feed() (any chunking), or drive it as a
/// mail::MessageHandler from a parser of your own; then co_await finish(). Awaiting
/// finish() (or destroying the verifier) while lookups are pending is safe only on the
/// thread that pumps the resolver.
class HALLMARK_API Verifier final : public mail::MessageHandler {
 public:
  /// `resolver` must outlive the verifier.
  explicit Verifier(dns::Resolver& resolver, VerifyOptions options = {});
  /// For the library's own composition (the authenticator, with ARC): body hashes come from
  /// `shared`, which the caller feeds and finishes, so one pass over the body serves every
  /// signature of every protocol; on_body() then does nothing.
  Verifier(dns::Resolver& resolver, VerifyOptions options, detail::BodyHashes& shared);
  ~Verifier() override;
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  /// Raw message bytes. Errors: those of mail::MessageParser (header section too large...).
  core::Expected<void> feed(std::string_view bytes);
  /// One result per DKIM-Signature field, in header order; empty for an unsigned message.
  core::Task<std::vector<Result>> finish();

  void on_end_of_headers(const mail::HeaderSection& headers) override;
  void on_body(std::string_view chunk) override;
  void on_end() override;

 private:
  // Feeds the message whole: it outlives the verification, so its header section needs no copy.
  friend core::Task<std::vector<Result>> verify_message(dns::Resolver& resolver,
                                                        std::string_view message,
                                                        VerifyOptions options);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Verifies a whole message held in memory; `message` is read when the task runs and must
/// outlive it (it is not copied: messages can be large).
HALLMARK_API core::Task<std::vector<Result>> verify_message(dns::Resolver& resolver,
                                                            std::string_view message,
                                                            VerifyOptions options = {});

/// The task would read a string destroyed before it runs: keep the message in a variable.
template <class String>
requires std::same_as<std::remove_cvref_t<String>, std::string> &&
    (!std::is_lvalue_reference_v<String>)core::Task<std::vector<Result>> verify_message(
        dns::Resolver& resolver, String&& message, VerifyOptions options = {}) = delete;

}  // namespace hallmark::dkim
