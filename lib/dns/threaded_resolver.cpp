// SPDX-License-Identifier: Apache-2.0
// ThreadedResolver: requests cross to the resolver's thread through a locked queue and an
// eventfd that wakes its poll(); that thread owns the c-ares channel (c-ares channels are not
// safe to share between threads) and runs every completion; waiting threads sleep on a
// condition variable signalled after each completion.
#include "hallmark/dns/threaded_resolver.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hallmark::dns {
namespace {

struct Request {
  std::string name;
  Type type;
  Resolver::Completion done;
};

}  // namespace

struct ThreadedResolver::Impl {
  std::unique_ptr<CaresResolver> cares;  // touched by the resolver's thread only
  int wake_fd = -1;
  std::thread thread;

  std::mutex mutex;
  std::deque<Request> requests;  // waiting for the resolver's thread to take them
  bool stopping = false;
  std::condition_variable completed;
  std::uint64_t completions = 0;
  std::atomic<std::size_t> pending{0};

  ~Impl() {
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void wake() const {
    std::uint64_t one = 1;
    // A full counter (never in practice) still leaves the descriptor readable: nothing lost.
    static_cast<void>(::write(wake_fd, &one, sizeof one));
  }

  void finished_one() {
    pending.fetch_sub(1, std::memory_order_acq_rel);
    {
      std::lock_guard lock(mutex);
      ++completions;
    }
    completed.notify_all();
  }

  void start(Request request) {
    cares->lookup(request.name, request.type,
                  [this, done = std::move(request.done)](AnswerPtr answer) {
                    done(std::move(answer));
                    finished_one();
                  });
  }

  void run() {
    for (;;) {
      std::deque<Request> taken;
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
        taken.swap(requests);
      }
      for (Request& request : taken) start(std::move(request));

      std::vector<pollfd> fds{pollfd{wake_fd, POLLIN, 0}};
      for (const CaresResolver::Watch& watch : cares->watches())
        fds.push_back(pollfd{
            watch.fd,
            static_cast<short>((watch.readable ? POLLIN : 0) | (watch.writable ? POLLOUT : 0)), 0});
      std::optional<std::chrono::milliseconds> timeout = cares->next_timeout();
      int wait = timeout ? static_cast<int>(std::min<std::int64_t>(timeout->count(), INT_MAX)) : -1;
      int ready = ::poll(fds.data(), fds.size(), wait);
      if (ready < 0 && errno != EINTR) break;
      std::vector<int> readable;
      std::vector<int> writable;
      for (std::size_t i = 1; ready > 0 && i < fds.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLERR | POLLHUP) && fds[i].events & POLLIN)
          readable.push_back(fds[i].fd);
        if (fds[i].revents & (POLLOUT | POLLERR | POLLHUP) && fds[i].events & POLLOUT)
          writable.push_back(fds[i].fd);
      }
      if (ready > 0 && (fds[0].revents & POLLIN)) {
        std::uint64_t count = 0;
        static_cast<void>(::read(wake_fd, &count, sizeof count));
      }
      // Also expires timed-out tries when nothing was readable.
      cares->process(readable, writable);
    }
    // Lookups still in c-ares complete with Status::error as the channel goes, here, on this
    // thread; requests never taken are answered the same way.
    cares.reset();
    std::deque<Request> left;
    {
      std::lock_guard lock(mutex);
      left.swap(requests);
    }
    for (Request& request : left) {
      request.done(std::make_shared<const Answer>(Answer::with_status(
          std::move(request.name), request.type, Status::error, "resolver is shutting down")));
      finished_one();
    }
  }
};

core::Expected<std::unique_ptr<ThreadedResolver>> ThreadedResolver::create(CaresOptions options) {
  core::Expected<std::unique_ptr<CaresResolver>> cares = CaresResolver::create(std::move(options));
  if (!cares) return std::unexpected(cares.error());
  auto impl = std::make_unique<Impl>();
  impl->cares = std::move(*cares);
  impl->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->wake_fd < 0)
    return core::fail(core::Errc::io, std::string("eventfd: ") + std::strerror(errno));
  Impl* raw = impl.get();
  try {
    impl->thread = std::thread([raw] { raw->run(); });
  } catch (const std::system_error& error) {
    return core::fail(core::Errc::io, std::string("resolver thread: ") + error.what());
  }
  return std::unique_ptr<ThreadedResolver>(new ThreadedResolver(std::move(impl)));
}

ThreadedResolver::ThreadedResolver(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

ThreadedResolver::~ThreadedResolver() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake();
  impl_->thread.join();
}

void ThreadedResolver::lookup(std::string_view name, Type type, Completion done) {
  impl_->pending.fetch_add(1, std::memory_order_acq_rel);
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) {
      impl_->requests.push_back(Request{std::string(name), type, std::move(done)});
      done = nullptr;
    }
  }
  if (done) {
    done(std::make_shared<const Answer>(
        Answer::with_status(std::string(name), type, Status::error, "resolver is shutting down")));
    impl_->finished_one();
    return;
  }
  impl_->wake();
}

bool ThreadedResolver::pump_once() {
  return pump_once_until(std::chrono::steady_clock::time_point::max());
}

bool ThreadedResolver::pump_once_until(std::chrono::steady_clock::time_point limit) {
  std::unique_lock lock(impl_->mutex);
  if (impl_->pending.load(std::memory_order_acquire) == 0) return false;
  std::uint64_t seen = impl_->completions;
  auto changed = [&] { return impl_->completions != seen; };
  if (limit == std::chrono::steady_clock::time_point::max())
    impl_->completed.wait(lock, changed);
  else
    impl_->completed.wait_until(lock, limit, changed);
  return true;
}

std::size_t ThreadedResolver::pending() const noexcept {
  return impl_->pending.load(std::memory_order_acquire);
}

}  // namespace hallmark::dns
