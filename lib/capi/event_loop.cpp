// SPDX-License-Identifier: Apache-2.0
// The asynchronous side of a ctx: the host's event loop drives c-ares (watches, timeout,
// process) or brings DNS answers itself, deadlines expire, and finished verdicts are handed to
// their callbacks once no library frame is left on the stack.
#include <algorithm>
#include <chrono>
#include <climits>

#include "capi/handles.hpp"

using hallmark::capi::CtxCall;
using hallmark::capi::guarded;

void hallmark_ctx::deliver() noexcept {
  const std::shared_ptr<bool> still_alive = alive;
  while (!ready.empty()) {
    hallmark_message* message = ready.front();
    ready.pop_front();
    hallmark_result* result = nullptr;
    if (message->verdict) {
      try {
        hallmark::capi::make_result(std::move(*message->verdict), message->envelope,
                                    authenticator->authserv_id(), &result);
      } catch (...) {
        result = nullptr;  // out of memory: the header promises NULL then
      }
      message->verdict.reset();
    }
    // The callback may free the message, or any other: it is out of both queues already.
    message->done(message->done_user, message, result);
    if (!*still_alive) return;  // the callback freed the ctx: `this` is gone
  }
}

void hallmark_ctx::expire_overdue() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<hallmark_message*> overdue;
  for (hallmark_message* message : waiting)
    if (message->session->deadline() <= now) overdue.push_back(message);
  // Expiring answers the pending lookups as timeouts: the verdict completes, and the message
  // moves from `waiting` to `ready` meanwhile.
  for (hallmark_message* message : overdue) message->session->expire();
}

void hallmark_ctx::forget(hallmark_message* message) noexcept {
  waiting.erase(message);
  ready.erase(std::remove(ready.begin(), ready.end(), message), ready.end());
}

extern "C" {

size_t hallmark_ctx_watches(hallmark_ctx* ctx, hallmark_watch* watches, size_t capacity) {
  if (ctx == nullptr || ctx->cares == nullptr) return 0;
  if (watches == nullptr) capacity = 0;
  try {
    std::vector<hallmark::dns::CaresResolver::Watch> wanted = ctx->cares->watches();
    for (std::size_t i = 0; i < wanted.size() && i < capacity; ++i) {
      watches[i].fd = wanted[i].fd;
      watches[i].events = (wanted[i].readable ? HALLMARK_WATCH_READ : 0) |
                          (wanted[i].writable ? HALLMARK_WATCH_WRITE : 0);
    }
    return wanted.size();
  } catch (...) {
    return 0;
  }
}

long hallmark_ctx_timeout_ms(hallmark_ctx* ctx) {
  if (ctx == nullptr) return -1;
  using std::chrono::milliseconds;
  std::optional<milliseconds> wait;
  if (ctx->cares != nullptr) wait = ctx->cares->next_timeout();
  const auto now = std::chrono::steady_clock::now();
  for (hallmark_message* message : ctx->waiting) {
    // Rounded up: waking a little early would find nothing due and spin.
    milliseconds left = std::chrono::ceil<milliseconds>(message->session->deadline() - now);
    left = std::max(left, milliseconds(0));
    if (!wait || left < *wait) wait = left;
  }
  if (!wait) return -1;
  return static_cast<long>(std::min<long long>(wait->count(), LONG_MAX));
}

hallmark_status hallmark_ctx_process(hallmark_ctx* ctx, const int* readable, size_t readable_count,
                                     const int* writable, size_t writable_count) {
  if (ctx == nullptr || (readable == nullptr && readable_count != 0) ||
      (writable == nullptr && writable_count != 0))
    return HALLMARK_ERR_INVALID_ARGUMENT;
  CtxCall call(ctx);
  return guarded(nullptr, [&] {
    if (ctx->cares != nullptr)
      ctx->cares->process(std::span<const int>(readable, readable_count),
                          std::span<const int>(writable, writable_count));
    ctx->expire_overdue();
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_ctx_dns_answer(hallmark_ctx* ctx, unsigned long long lookup,
                                        const void* response, size_t length) {
  if (ctx == nullptr || ctx->host == nullptr || (response == nullptr && length != 0))
    return HALLMARK_ERR_INVALID_ARGUMENT;
  CtxCall call(ctx);
  return guarded(nullptr, [&] {
    std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(response), length);
    return ctx->host->answer(lookup, bytes) ? HALLMARK_OK : HALLMARK_ERR_INVALID_ARGUMENT;
  });
}

hallmark_status hallmark_ctx_dns_failure(hallmark_ctx* ctx, unsigned long long lookup,
                                         hallmark_dns_failure failure) {
  if (ctx == nullptr || ctx->host == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  hallmark::dns::Status status;
  switch (hallmark::capi::enum_number(failure)) {
    case HALLMARK_DNS_TIMEOUT: status = hallmark::dns::Status::timeout; break;
    case HALLMARK_DNS_SERVFAIL: status = hallmark::dns::Status::servfail; break;
    case HALLMARK_DNS_ERROR: status = hallmark::dns::Status::error; break;
    default: return HALLMARK_ERR_INVALID_ARGUMENT;
  }
  CtxCall call(ctx);
  return guarded(nullptr, [&] {
    return ctx->host->fail(lookup, status) ? HALLMARK_OK : HALLMARK_ERR_INVALID_ARGUMENT;
  });
}

}  // extern "C"
