// SPDX-License-Identifier: Apache-2.0
// What the C API's opaque handles hold, and the guard every entry point runs its body in so
// that no C++ exception reaches a C caller. Layer-private.
#pragma once

#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/hallmark.h"

/// The files an authenticator reads at creation and again on reload.
struct HallmarkListFiles {
  std::string scores;
  std::string allow_dmarc;
  std::string allow_spf_dkim;
  std::string trusted_arc;
};

struct hallmark_options {
  hallmark::authenticator::Options options;
  hallmark::authenticator::ResolverConfig resolver;
  HallmarkListFiles files;
  std::string error;
};

struct hallmark_ctx {
  std::unique_ptr<hallmark::authenticator::Authenticator> authenticator;
  HallmarkListFiles files;
};

struct hallmark_message {
  hallmark_ctx* ctx = nullptr;
  std::unique_ptr<hallmark::authenticator::Session> session;
  // Kept for the result's JSON (Received-SPF names the envelope's identities).
  hallmark::authenticator::Envelope envelope;
  // The message comes one way or the other: raw bytes from the start (fed), or fields one by
  // one and then the body (fields_given, then headers_ended).
  bool fed = false;
  bool fields_given = false;
  bool headers_ended = false;
  bool finished = false;
  std::string error;
};

struct hallmark_result {
  hallmark::authenticator::Verdict verdict;
  std::string json;
  // C strings for the names the accessors return, made once with the result.
  std::vector<std::string> tag_names;
  std::string spf, spf_domain, spf_helo, arc, dmarc, dmarc_domain, dmarc_policy, iprev;
  std::vector<std::string> dkim, dkim_domains, dkim_selectors;
};

namespace hallmark::capi {

/// Stores `text` as a handle's last error; never throws (an error text that cannot be stored
/// leaves the old one).
void set_error(std::string& slot, std::string_view text) noexcept;

/// The C status for a library error in what a call was given.
hallmark_status status_of(const core::Error& error) noexcept;
/// The C status for an error in a file's contents (zone, score or list file): a value the
/// file holds is malformed input, not a bad argument of the call.
hallmark_status file_status_of(const core::Error& error) noexcept;

/// Runs `body` (returning hallmark_status), turning an exception into a status and its text
/// into `error` (may be null).
template <class Body>
hallmark_status guarded(std::string* error, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    if (error != nullptr) set_error(*error, "out of memory");
    return HALLMARK_ERR_NO_MEMORY;
  } catch (const std::exception& e) {
    if (error != nullptr) set_error(*error, e.what());
    return HALLMARK_ERR_INTERNAL;
  } catch (...) {
    if (error != nullptr) set_error(*error, "unexpected failure");
    return HALLMARK_ERR_INTERNAL;
  }
}

/// The verdict as a result handle, with its JSON and names made.
hallmark_status make_result(authenticator::Verdict verdict, const authenticator::Envelope& envelope,
                            const std::string& receiver, hallmark_result** result);

}  // namespace hallmark::capi
