// SPDX-License-Identifier: Apache-2.0
// hallmark-milter: SPF, DKIM, ARC and DMARC for Postfix or Sendmail in one milter.
//
// Threads: libmilter serves the SMTP connections from its worker pool (smfi_main on a thread
// of ours); the main thread waits for signals. SIGHUP re-reads the allow lists and the score
// table. SIGTERM and SIGINT let the messages in flight finish, refusing new ones with a
// temporary failure, and only then stop libmilter: its worker pool stops serving every
// connection at smfi_stop(), so stopping first would strand the messages in flight.
// libmilter's own signal thread waits for the same signals (and would stop the milter on
// SIGHUP); a signal sent to the process goes to the main thread, which waits for it too, as
// the kernel offers a process's signal to its main thread first.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <libmilter/mfapi.h>

#include "callbacks.hpp"
#include "config.hpp"
#include "hallmark/version.h"
#include "logger.hpp"
#include "runtime.hpp"

namespace {

using namespace hallmark::milter;

constexpr std::string_view usage =
    "usage: hallmark-milter [-c FILE] [--check]\n"
    "  -c, --config FILE  the configuration (default /etc/hallmark/milter.conf)\n"
    "  --check            load the configuration and every file it names, then exit\n"
    "  --version          print the version\n";

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Runs libmilter until it stops; its result is read once `done` is set.
struct MilterThread {
  std::atomic<bool> done{false};
  int result = MI_SUCCESS;
  std::thread thread;

  void start() {
    thread = std::thread([this] {
      result = smfi_main();
      done.store(true);
    });
  }
};

// Waits, bounded, for the messages in flight to reach their end of message.
void drain(Runtime& runtime) {
  auto limit =
      std::chrono::steady_clock::now() + runtime.config().deadline + std::chrono::seconds(30);
  while (runtime.in_flight() > 0 && std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (runtime.in_flight() > 0)
    runtime.logger().warning(
        fmt::format("stopping with {} messages unfinished", runtime.in_flight()));
}

int run(Runtime& runtime) {
  const Config& config = runtime.config();
  std::string socket = config.socket;
  if (smfi_setconn(socket.data()) != MI_SUCCESS) {
    runtime.logger().error(fmt::format("socket {}: libmilter refuses it", socket));
    return 1;
  }
  smfiDesc description = filter_description();
  if (smfi_register(description) != MI_SUCCESS) {
    runtime.logger().error("libmilter refused the filter description");
    return 1;
  }
  // Opened here, not inside smfi_main, so a socket that cannot be opened is a clear error at
  // start rather than a thread that silently ends. `true`: remove a stale Unix socket.
  if (smfi_opensocket(true) != MI_SUCCESS) {
    runtime.logger().error(
        fmt::format("socket {}: cannot listen: {}", socket, std::strerror(errno)));
    return 1;
  }
  runtime.logger().info(
      fmt::format("hallmark-milter {} listening on {}", HALLMARK_VERSION_STRING, socket));

  sigset_t signals = handled_signals();
  MilterThread milter;
  milter.start();
  bool stop_asked = false;
  while (!milter.done.load()) {
    timespec wait{0, 200'000'000};
    int signal = sigtimedwait(&signals, nullptr, &wait);
    if (signal == SIGHUP) {
      if (hallmark::core::Expected<void> reloaded = runtime.reload(); reloaded)
        runtime.logger().info("reloaded the allow lists and the score table");
      else
        runtime.logger().error(
            fmt::format("reload failed, the previous lists stay: {}", reloaded.error().message));
    } else if (signal == SIGTERM || signal == SIGINT) {
      runtime.logger().info(
          fmt::format("stopping on {}", signal == SIGTERM ? "SIGTERM" : "SIGINT"));
      stop_asked = true;
      runtime.begin_stopping();
      drain(runtime);
      smfi_stop();
      break;
    }
  }
  milter.thread.join();
  if (!stop_asked) {
    // libmilter stopped by itself (its own signal thread, or a listener failure): say so, and
    // exit with a failure so a supervisor restarts us.
    runtime.logger().error("libmilter stopped unasked");
    return 1;
  }
  runtime.logger().info("stopped");
  return milter.result == MI_SUCCESS ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = "/etc/hallmark/milter.conf";
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "-c" || arg == "--config") && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check") {
      check_only = true;
    } else if (arg == "--version") {
      fmt::print("hallmark-milter {}\n", HALLMARK_VERSION_STRING);
      return 0;
    } else if (arg == "-h" || arg == "--help") {
      fmt::print("{}", usage);
      return 0;
    } else {
      fmt::print(stderr, "hallmark-milter: unknown argument '{}'\n{}", arg, usage);
      return 2;
    }
  }

  Logger logger;
  hallmark::core::Expected<Config> config = load_config(config_path);
  if (!config) {
    logger.error(config.error().message);
    return 1;
  }
  // Blocked before any thread starts, so every thread (libmilter's, c-ares') inherits it and
  // only the threads waiting for these signals receive them.
  sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto runtime = Runtime::create(std::move(*config), logger);
  if (!runtime) {
    logger.error(runtime.error().message);
    return 1;
  }
  if (check_only) {
    fmt::print("{}: ok\n", config_path);
    return 0;
  }
  logger.open((*runtime)->config());
  Runtime::set_current(runtime->get());
  int status = run(**runtime);
  // libmilter leaves a thread per idle connection behind smfi_main; they may still call back
  // into the runtime, so the process ends here without destroying it under them.
  std::fflush(nullptr);
  _exit(status);
}
