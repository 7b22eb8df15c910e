// SPDX-License-Identifier: Apache-2.0
// hallmark_spf_check(): the envelope's checks alone, through a session that never gets a
// message.
#include "capi/handles.hpp"

extern "C" {

hallmark_status hallmark_spf_check(hallmark_ctx* ctx, const char* ip, const char* helo,
                                   const char* mail_from, hallmark_result** result) {
  if (result != nullptr) *result = nullptr;
  if (ctx == nullptr || ip == nullptr || result == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  if (ctx->dns == HallmarkDns::callback) return HALLMARK_ERR_STATE;
  hallmark::capi::CtxCall call(ctx);
  return hallmark::capi::guarded(nullptr, [&] {
    auto parsed = hallmark::core::IpAddress::parse(ip);
    if (!parsed) return HALLMARK_ERR_INVALID_ARGUMENT;
    hallmark::authenticator::Envelope envelope;
    envelope.ip = *parsed;
    if (helo != nullptr) envelope.helo = helo;
    if (mail_from != nullptr) envelope.mail_from = mail_from;
    std::unique_ptr<hallmark::authenticator::Session> session = ctx->authenticator->start();
    session->set_client(*parsed);
    if (helo != nullptr) session->set_helo(helo);
    if (mail_from != nullptr) session->set_mail_from(mail_from);
    return hallmark::capi::make_result(session->finish_envelope_blocking(), envelope,
                                       ctx->authenticator->authserv_id(), result);
  });
}

}  // extern "C"
