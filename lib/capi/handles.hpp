// SPDX-License-Identifier: Apache-2.0
// What the C API's opaque handles hold, and the guard every entry point runs its body in so
// that no C++ exception reaches a C caller. Layer-private.
#pragma once

#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "capi/host_resolver.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/cares_resolver.hpp"
#include "hallmark/hallmark.h"

/// The files an authenticator reads at creation and again on reload.
struct HallmarkListFiles {
  std::string scores;
  std::string allow_dmarc;
  std::string allow_spf_dkim;
  std::string trusted_arc;
};

/// Where a ctx's DNS answers come from, which decides the calls it allows.
enum class HallmarkDns {
  thread,      // hallmark's c-ares thread: blocking calls from any thread
  zone,        // zone files: answered at once, so blocking and asynchronous calls both work
  event_loop,  // c-ares on the host's loop: one thread, both kinds of calls
  callback,    // the host's own DNS: one thread, asynchronous calls only
};

struct hallmark_options {
  hallmark::authenticator::Options options;
  hallmark::authenticator::ResolverConfig resolver;
  HallmarkListFiles files;
  bool event_loop = false;
  hallmark_dns_start_fn dns_start = nullptr;
  void* dns_user = nullptr;
  std::string error;
};

struct hallmark_ctx {
  HallmarkDns dns = HallmarkDns::thread;
  // The resolvers a ctx drives itself (event loop, callback), declared before the
  // authenticator that uses them so they outlive it.
  std::unique_ptr<hallmark::dns::CaresResolver> cares;
  std::unique_ptr<hallmark::capi::HostResolver> host;
  std::unique_ptr<hallmark::dns::CachingResolver> cache;
  std::unique_ptr<hallmark::authenticator::Authenticator> authenticator;
  HallmarkListFiles files;
  // Messages finished asynchronously: verdict still pending, and verdict in but not yet
  // handed to the callback (that happens outside the coroutines, see deliver()).
  std::unordered_set<hallmark_message*> waiting;
  std::deque<hallmark_message*> ready;
  // Calls under way on the ctx's thread: verdicts are handed over only when the outermost
  // returns, never from inside a coroutine the callback could destroy by freeing its message.
  int depth = 0;
  // False once the ctx is freed: a callback may free it (shutting down after the last
  // message), and the delivery loop that called it must then stop touching it.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  hallmark_ctx() = default;
  hallmark_ctx(const hallmark_ctx&) = delete;
  hallmark_ctx& operator=(const hallmark_ctx&) = delete;
  ~hallmark_ctx() { *alive = false; }

  /// Whether answers come from a loop the host drives on one thread: verdicts finished
  /// asynchronously then wait in the queues below for the call that completes them.
  bool drives_loop() const noexcept {
    return dns == HallmarkDns::event_loop || dns == HallmarkDns::callback;
  }
  bool allows_async() const noexcept { return dns != HallmarkDns::thread; }
  /// Whether hallmark_message_finish_async() may be used: not with hallmark's DNS thread,
  /// whose answers arrive on a thread the host does not know. With zone files the verdict is
  /// in before the call returns, and any thread may make it.
  /// Hands every ready verdict to its callback.
  void deliver() noexcept;
  /// Expires the waiting messages whose deadline has passed.
  void expire_overdue();
  /// A message is going away: it leaves both queues.
  void forget(hallmark_message* message) noexcept;
};

namespace hallmark::capi {

/// Marks a call on a ctx whose host drives the loop; the outermost one delivers what became
/// ready. Other ctxs are shared by threads and keep no count.
class CtxCall {
 public:
  explicit CtxCall(hallmark_ctx* ctx) noexcept
      : ctx_(ctx != nullptr && ctx->drives_loop() ? ctx : nullptr) {
    if (ctx_ != nullptr) ++ctx_->depth;
  }
  ~CtxCall() {
    if (ctx_ != nullptr && --ctx_->depth == 0) ctx_->deliver();
  }
  CtxCall(const CtxCall&) = delete;
  CtxCall& operator=(const CtxCall&) = delete;

 private:
  hallmark_ctx* ctx_;
};

}  // namespace hallmark::capi

struct hallmark_message {
  hallmark_message() = default;
  hallmark_message(const hallmark_message&) = delete;
  hallmark_message& operator=(const hallmark_message&) = delete;
  /// Cancels the session first, so that the verdict task below may be destroyed mid-way.
  ~hallmark_message();

  hallmark_ctx* ctx = nullptr;
  std::unique_ptr<hallmark::authenticator::Session> session;
  // hallmark_message_finish_async(): the task awaiting the verdict, and where it goes.
  hallmark::core::Task<void> verdict_task;
  std::optional<hallmark::authenticator::Verdict> verdict;
  hallmark_done_fn done = nullptr;
  void* done_user = nullptr;
  // Kept for the result's JSON (Received-SPF names the envelope's identities).
  hallmark::authenticator::Envelope envelope;
  // The message comes one way or the other: raw bytes from the start (fed), or fields one by
  // one and then the body (fields_given, then headers_ended).
  bool fed = false;
  bool fields_given = false;
  bool headers_ended = false;
  bool finished = false;
  bool cancelled = false;
  std::string error;
};

struct hallmark_result {
  hallmark::authenticator::Verdict verdict;
  // What the JSON and Received-SPF need, kept so that they are made only when asked for (the
  // JSON costs about as much as a cached verification): once, as readers may be many threads.
  hallmark::authenticator::Envelope envelope;
  std::string receiver;
  mutable std::once_flag json_once;
  mutable std::string json;
  mutable std::once_flag received_spf_once;
  mutable std::string received_spf;
  // C strings for the names the accessors return, made once with the result.
  std::vector<std::string> tag_names;
  std::string spf, spf_domain, spf_helo, arc, dmarc, dmarc_domain, dmarc_policy, iprev;
  std::vector<std::string> dkim, dkim_domains, dkim_selectors;
};

namespace hallmark::capi {

/// The number a C caller passed as an enum: its bytes, as reading the value as the C++ enum
/// type would be undefined for a number outside the enum (a caller's mistake to report).
template <class Enum>
int enum_number(const Enum& value) noexcept {
  static_assert(sizeof(Enum) == sizeof(int));
  int number;
  std::memcpy(&number, &value, sizeof number);
  return number;
}

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
