// SPDX-License-Identifier: Apache-2.0
// hallmark_message: one Session, fed call by call as the SMTP transaction goes; and
// hallmark_verify(), the whole message at once.
#include <fmt/format.h>

#include "capi/handles.hpp"

namespace {

using hallmark::capi::guarded;
using hallmark::capi::set_error;
using hallmark::capi::status_of;

template <class Body>
hallmark_status with_message(hallmark_message* message, Body&& body) noexcept {
  if (message == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  hallmark::capi::CtxCall call(message->ctx);
  return guarded(&message->error, [&] { return body(*message); });
}

// Awaits the verdict of a message finished asynchronously, then queues it for delivery (the
// callback runs later, outside this frame: see hallmark_ctx::deliver()).
hallmark::core::Task<void> await_verdict(hallmark_message* message) {
  try {
    message->verdict = co_await message->session->finish();
  } catch (...) {
    message->verdict.reset();  // delivered as a NULL result: out of memory
  }
  if (message->ctx->drives_loop()) {
    message->ctx->waiting.erase(message);
    message->ctx->ready.push_back(message);
  }
}

// Hands a verdict finished within the call over at its end (zone files).
void deliver_now(hallmark_message* message) noexcept {
  hallmark_result* result = nullptr;
  if (message->verdict) {
    try {
      hallmark::capi::make_result(std::move(*message->verdict), message->envelope,
                                  message->ctx->authenticator->authserv_id(), &result);
    } catch (...) {
      result = nullptr;  // out of memory: the header promises NULL then
    }
    message->verdict.reset();
  }
  message->done(message->done_user, message, result);
}

hallmark_status fail(hallmark_message& message, hallmark_status status, std::string_view why) {
  set_error(message.error, why);
  return status;
}

// The envelope and header calls are over once the message is finished.
hallmark_status after_finish(hallmark_message& message, std::string_view call) {
  return fail(message, HALLMARK_ERR_STATE,
              fmt::format("{} after the message was {}", call,
                          message.cancelled ? "cancelled" : "finished"));
}

// Raw bytes already hold (part of) the header section: a field given now would land in the
// middle of it.
hallmark_status raw_then_fields(hallmark_message& message, std::string_view call) {
  return fail(message, HALLMARK_ERR_STATE,
              fmt::format("{} after raw message bytes: give the message one way", call));
}

hallmark_status from(hallmark_message& message, const hallmark::core::Expected<void>& done) {
  if (done) return HALLMARK_OK;
  set_error(message.error, done.error().message);
  return status_of(done.error());
}

}  // namespace

hallmark_message::~hallmark_message() {
  // Lookups are abandoned first, so the verdict task may then be destroyed wherever it waits.
  if (session) session->cancel();
  if (ctx != nullptr) ctx->forget(this);
}

extern "C" {

hallmark_status hallmark_message_new(hallmark_ctx* ctx, hallmark_message** message) {
  if (message != nullptr) *message = nullptr;
  if (ctx == nullptr || message == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(nullptr, [&] {
    auto handle = std::make_unique<hallmark_message>();
    handle->ctx = ctx;
    handle->session = ctx->authenticator->start();
    *message = handle.release();
    return HALLMARK_OK;
  });
}

void hallmark_message_free(hallmark_message* message) { delete message; }

void hallmark_message_cancel(hallmark_message* message) {
  if (message == nullptr || message->cancelled) return;
  message->session->cancel();
  message->cancelled = true;
  message->finished = true;
  // A verdict already queued for its callback is not handed over either.
  if (message->ctx != nullptr) message->ctx->forget(message);
}

const char* hallmark_message_error(const hallmark_message* message) {
  return message == nullptr ? "" : message->error.c_str();
}

hallmark_status hallmark_message_set_client(hallmark_message* message, const char* ip,
                                            const char* name) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_set_client()");
    if (ip == nullptr) return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "client address is NULL");
    auto parsed = hallmark::core::IpAddress::parse(ip);
    if (!parsed)
      return fail(m, HALLMARK_ERR_INVALID_ARGUMENT,
                  fmt::format("client address: {}", parsed.error().message));
    std::string_view client_name = name == nullptr ? std::string_view() : name;
    m.envelope.ip = *parsed;
    m.envelope.client_name = client_name;
    m.session->set_client(*parsed, client_name);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_message_set_helo(hallmark_message* message, const char* helo) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_set_helo()");
    if (helo == nullptr) return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "HELO name is NULL");
    m.envelope.helo = helo;
    m.session->set_helo(helo);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_message_set_mail_from(hallmark_message* message, const char* address) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_set_mail_from()");
    if (address == nullptr)
      return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "MAIL FROM address is NULL");
    m.envelope.mail_from = address;
    m.session->set_mail_from(address);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_message_add_recipient(hallmark_message* message, const char* address) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_add_recipient()");
    if (address == nullptr)
      return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "recipient address is NULL");
    m.envelope.recipients.emplace_back(address);
    m.session->add_recipient(address);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_message_add_header(hallmark_message* message, const char* name,
                                            size_t name_length, const char* value,
                                            size_t value_length) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_add_header()");
    if (m.headers_ended)
      return fail(m, HALLMARK_ERR_STATE,
                  "hallmark_message_add_header() after hallmark_message_end_of_headers()");
    if (m.fed) return raw_then_fields(m, "hallmark_message_add_header()");
    if (name == nullptr || name_length == 0)
      return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "header field name is NULL or empty");
    if (value == nullptr && value_length != 0)
      return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "header field value is NULL");
    return from(
        m, m.session->add_header(std::string_view(name, name_length),
                                 std::string_view(value == nullptr ? "" : value, value_length)));
  });
}

hallmark_status hallmark_message_end_of_headers(hallmark_message* message) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_end_of_headers()");
    if (m.headers_ended)
      return fail(m, HALLMARK_ERR_STATE, "hallmark_message_end_of_headers() called twice");
    if (m.fed) return raw_then_fields(m, "hallmark_message_end_of_headers()");
    hallmark_status status = from(m, m.session->end_of_headers());
    if (status == HALLMARK_OK) m.headers_ended = true;
    return status;
  });
}

hallmark_status hallmark_message_feed(hallmark_message* message, const void* bytes, size_t length) {
  return with_message(message, [&](hallmark_message& m) {
    if (m.finished) return after_finish(m, "hallmark_message_feed()");
    if (bytes == nullptr && length != 0)
      return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "message bytes are NULL");
    if (m.fields_given && !m.headers_ended)
      return fail(m, HALLMARK_ERR_STATE,
                  "hallmark_message_feed() after header fields given one by one needs "
                  "hallmark_message_end_of_headers() first");
    if (length == 0) return HALLMARK_OK;
    if (!m.headers_ended) m.fed = true;
    return from(m, m.session->feed(std::string_view(static_cast<const char*>(bytes), length)));
  });
}

hallmark_status hallmark_message_finish(hallmark_message* message, hallmark_result** result) {
  if (result != nullptr) *result = nullptr;
  return with_message(message, [&](hallmark_message& m) {
    if (result == nullptr) return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "result is NULL");
    if (m.finished) return after_finish(m, "hallmark_message_finish()");
    if (m.ctx->dns == HallmarkDns::callback)
      return fail(m, HALLMARK_ERR_STATE,
                  "with a DNS callback only the host brings answers: use "
                  "hallmark_message_finish_async()");
    m.finished = true;
    return hallmark::capi::make_result(m.session->finish_blocking(), m.envelope,
                                       m.ctx->authenticator->authserv_id(), result);
  });
}

hallmark_status hallmark_message_finish_async(hallmark_message* message, hallmark_done_fn done,
                                              void* user) {
  bool verdict_in = false;
  hallmark_status status = with_message(message, [&](hallmark_message& m) {
    if (done == nullptr) return fail(m, HALLMARK_ERR_INVALID_ARGUMENT, "callback is NULL");
    if (m.finished) return after_finish(m, "hallmark_message_finish_async()");
    if (!m.ctx->allows_async())
      return fail(m, HALLMARK_ERR_STATE,
                  "asynchronous calls need hallmark_options_set_event_loop(), a DNS callback "
                  "or zone files");
    m.finished = true;
    m.done = done;
    m.done_user = user;
    if (m.ctx->drives_loop()) m.ctx->waiting.insert(&m);
    m.verdict_task = await_verdict(&m);
    // May complete at once (every answer at hand). With a loop, the verdict is then delivered
    // when this call returns, by with_message's CtxCall.
    m.verdict_task.start_detached(std::noop_coroutine());
    if (!m.ctx->drives_loop()) {
      // Zone files answer inside each lookup, so the verdict is in; were anything left, the
      // deadline's rule ends it.
      if (!m.verdict_task.done()) m.session->expire();
      verdict_in = true;
    }
    return HALLMARK_OK;
  });
  // Outside every library frame: the callback may free the message.
  if (status == HALLMARK_OK && verdict_in) deliver_now(message);
  return status;
}

hallmark_status hallmark_verify(hallmark_ctx* ctx, const void* message, size_t length,
                                const char* ip, const char* helo, const char* mail_from,
                                hallmark_result** result) {
  if (result != nullptr) *result = nullptr;
  if (ctx == nullptr || result == nullptr || (message == nullptr && length != 0))
    return HALLMARK_ERR_INVALID_ARGUMENT;
  if (ctx->dns == HallmarkDns::callback) return HALLMARK_ERR_STATE;
  hallmark::capi::CtxCall call(ctx);
  return guarded(nullptr, [&] {
    // Through a session, as a message handle goes: an unknown MAIL FROM (NULL) is then not
    // mistaken for the null reverse path (""), and both ways give the same verdict.
    std::unique_ptr<hallmark::authenticator::Session> session = ctx->authenticator->start();
    hallmark::authenticator::Envelope envelope;
    if (ip != nullptr) {
      auto parsed = hallmark::core::IpAddress::parse(ip);
      if (!parsed) return HALLMARK_ERR_INVALID_ARGUMENT;
      envelope.ip = *parsed;
      session->set_client(*parsed);
    }
    if (helo != nullptr) {
      envelope.helo = helo;
      session->set_helo(helo);
    }
    if (mail_from != nullptr) {
      envelope.mail_from = mail_from;
      session->set_mail_from(mail_from);
    }
    std::string_view bytes(message == nullptr ? "" : static_cast<const char*>(message), length);
    // A header section past the limits is not an error of the call: the verdict reports it.
    (void)session->feed(bytes);
    return hallmark::capi::make_result(session->finish_blocking(), envelope,
                                       ctx->authenticator->authserv_id(), result);
  });
}

}  // extern "C"
