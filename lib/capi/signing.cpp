// SPDX-License-Identifier: Apache-2.0
// Keys, DKIM signing and ARC sealing from C: a key handle, and a signer that holds a key with
// its domain and selector and keeps the last field it made.
#include <fmt/format.h>

#include "capi/handles.hpp"
#include "hallmark/arc/seal.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/sign.hpp"

struct hallmark_key {
  hallmark::dkim::PrivateKey key;
  std::string pem;
  std::string dns_record;
};

struct hallmark_signer {
  hallmark::dkim::PrivateKey key;
  std::string domain;
  std::string selector;
  std::string output;  // the last field or set made
  std::string error;
};

namespace {

using hallmark::capi::guarded;
using hallmark::capi::set_error;
using hallmark::capi::status_of;

hallmark_status make_key(hallmark::core::Expected<hallmark::dkim::PrivateKey> made,
                         hallmark_key** key) {
  if (!made) return status_of(made.error());
  auto handle =
      std::make_unique<hallmark_key>(hallmark_key{*made, made->to_pem(), made->dns_record()});
  *key = handle.release();
  return HALLMARK_OK;
}

template <class Body>
hallmark_status with_signer(hallmark_signer* signer, Body&& body) noexcept {
  if (signer == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(&signer->error, [&] { return body(*signer); });
}

hallmark_status fail(hallmark_signer& signer, hallmark_status status, std::string_view why) {
  set_error(signer.error, why);
  return status;
}

}  // namespace

extern "C" {

hallmark_status hallmark_key_generate(const char* type, unsigned bits, hallmark_key** key) {
  if (key != nullptr) *key = nullptr;
  if (type == nullptr || key == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(nullptr, [&] {
    std::string_view kind = type;
    if (kind == "rsa") {
      return make_key(hallmark::dkim::PrivateKey::generate(hallmark::dkim::KeyType::rsa,
                                                           bits == 0 ? 2048 : bits),
                      key);
    }
    if (kind == "ed25519")
      return make_key(hallmark::dkim::PrivateKey::generate(hallmark::dkim::KeyType::ed25519), key);
    return HALLMARK_ERR_INVALID_ARGUMENT;
  });
}

hallmark_status hallmark_key_load(const char* pem, size_t length, hallmark_key** key) {
  if (key != nullptr) *key = nullptr;
  if (pem == nullptr || key == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(nullptr, [&] {
    auto loaded = hallmark::dkim::PrivateKey::from_pem(std::string_view(pem, length));
    // A key that does not read is malformed input, not a bad argument.
    if (!loaded) return hallmark::capi::file_status_of(loaded.error());
    return make_key(std::move(loaded), key);
  });
}

void hallmark_key_free(hallmark_key* key) { delete key; }

const char* hallmark_key_pem(const hallmark_key* key) {
  return key == nullptr ? nullptr : key->pem.c_str();
}

const char* hallmark_key_dns_record(const hallmark_key* key) {
  return key == nullptr ? nullptr : key->dns_record.c_str();
}

hallmark_status hallmark_signer_new(const hallmark_key* key, const char* domain,
                                    const char* selector, hallmark_signer** signer) {
  if (signer != nullptr) *signer = nullptr;
  if (key == nullptr || domain == nullptr || selector == nullptr || signer == nullptr ||
      *domain == '\0' || *selector == '\0')
    return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(nullptr, [&] {
    auto handle = std::make_unique<hallmark_signer>();
    handle->key = key->key;
    handle->domain = domain;
    handle->selector = selector;
    *signer = handle.release();
    return HALLMARK_OK;
  });
}

void hallmark_signer_free(hallmark_signer* signer) { delete signer; }

const char* hallmark_signer_error(const hallmark_signer* signer) {
  return signer == nullptr ? "" : signer->error.c_str();
}

hallmark_status hallmark_dkim_sign(hallmark_signer* signer, const void* message, size_t length,
                                   const char** field) {
  if (field != nullptr) *field = nullptr;
  return with_signer(signer, [&](hallmark_signer& s) {
    if (field == nullptr) return fail(s, HALLMARK_ERR_INVALID_ARGUMENT, "field is NULL");
    if (message == nullptr && length != 0)
      return fail(s, HALLMARK_ERR_INVALID_ARGUMENT, "message is NULL");
    hallmark::dkim::SignOptions options;
    options.domain = s.domain;
    options.selector = s.selector;
    std::string_view bytes(message == nullptr ? "" : static_cast<const char*>(message), length);
    auto signature = hallmark::dkim::sign_message(bytes, s.key, std::move(options));
    if (!signature) return fail(s, status_of(signature.error()), signature.error().message);
    s.output = std::move(*signature);
    *field = s.output.c_str();
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_arc_seal(hallmark_ctx* ctx, hallmark_signer* signer, const void* message,
                                  size_t length, const hallmark_result* verdict,
                                  const char** fields) {
  if (fields != nullptr) *fields = nullptr;
  // Sealing waits for DNS: on a host's loop it may complete other messages' verdicts too.
  hallmark::capi::CtxCall call(ctx);
  return with_signer(signer, [&](hallmark_signer& s) {
    if (ctx == nullptr || fields == nullptr)
      return fail(s, HALLMARK_ERR_INVALID_ARGUMENT, "ctx or fields is NULL");
    if (message == nullptr && length != 0)
      return fail(s, HALLMARK_ERR_INVALID_ARGUMENT, "message is NULL");
    if (ctx->dns == HallmarkDns::callback)
      return fail(s, HALLMARK_ERR_STATE, "sealing waits for DNS, which a DNS callback cannot");
    hallmark::arc::SealOptions options;
    options.domain = s.domain;
    options.selector = s.selector;
    options.authserv_id = ctx->authenticator->authserv_id();
    if (verdict != nullptr) {
      std::string payload;
      for (const std::string& fragment :
           hallmark::authenticator::auth_results_fragments(verdict->verdict))
        payload += (payload.empty() ? "" : "; ") + fragment;
      options.auth_results = std::move(payload);
    }
    std::string_view bytes(message == nullptr ? "" : static_cast<const char*>(message), length);
    hallmark::dns::Resolver& resolver = ctx->authenticator->resolver();
    auto sealed = hallmark::core::sync_wait(
        hallmark::arc::seal_message(resolver, bytes, s.key, std::move(options)), resolver.pump());
    if (!sealed) return fail(s, status_of(sealed.error()), sealed.error().message);
    s.output = std::move(sealed->fields);
    *fields = s.output.c_str();
    return HALLMARK_OK;
  });
}

}  // extern "C"
