// SPDX-License-Identifier: Apache-2.0
// `hallmark report fetch --imap URL --user U --password-file F`: the reports arriving in a
// mailbox, into the store (or onto standard output as JSON lines). Each unseen message is
// fetched without touching its flags; only once its reports are stored is it marked \Seen or
// moved, so stopping anywhere loses nothing, and the store, idempotent by report identity,
// keeps a message fetched twice from counting twice. Mail that holds no report, or a report
// that does not parse, is left unseen for a person to read.
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "hallmark/report/parse.hpp"
#include "hallmark/report/store.hpp"
#include "imap_client.hpp"
#include "json/report_json.hpp"
#include "printable.hpp"
#include "report_commands.hpp"

namespace hallmark::cli {

namespace {

volatile std::sig_atomic_t stop_signal = 0;

void on_stop_signal(int signal) { stop_signal = signal; }

// SIGINT and SIGTERM end the run after the message in hand. No SA_RESTART: the sleep between
// polls ends at once. SIGPIPE is ignored so a server hanging up mid-TLS is an error, not death.
void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void sleep_unless_stopped(std::chrono::seconds period) {
  auto until = std::chrono::steady_clock::now() + period;
  while (stop_signal == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(200), until - std::chrono::steady_clock::now()));
}

// The first line of the file, without its line end. It is never printed.
std::string read_password(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure(fmt::format("--password-file {}: {}", path, std::strerror(errno)));
  std::string password;
  std::getline(in, password);
  if (password.ends_with('\r')) password.pop_back();
  if (password.empty())
    throw Failure(fmt::format("--password-file {}: the first line, the password, is empty", path));
  return password;
}

std::string count(std::uint64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

struct Tally {
  std::uint64_t fetched = 0;
  std::uint64_t added = 0;
  std::uint64_t already_stored = 0;
  std::uint64_t printed = 0;
  std::uint64_t left_alone = 0;
};

struct Settings {
  ImapLocation location;
  ImapLogin login;
  std::optional<std::string> done_folder;
};

class Fetcher {
 public:
  Fetcher(Settings settings, report::Store* store)
      : settings_(std::move(settings)), store_(store) {}

  /// One pass over the folder's unseen messages, counted into `tally` as it goes.
  /// Errors: Failure from the IMAP session, the store or standard output.
  void poll(Tally& tally) {
    ImapClient client(settings_.location, settings_.login);
    if (client.uid_validity() != uid_validity_) {
      uid_validity_ = client.uid_validity();
      left_alone_.clear();
    }
    for (std::uint32_t uid : client.search_unseen()) {
      if (stop_signal != 0) break;
      // With --watch, what was left alone stays so without being fetched every period.
      if (left_alone_.contains(uid)) continue;
      handle(client, uid, tally);
    }
  }

  void print_summary(const Tally& tally) const {
    std::string kept = store_ != nullptr
                           ? fmt::format("{} stored ({} new, {} already stored)",
                                         count(tally.added + tally.already_stored, "report"),
                                         tally.added, tally.already_stored)
                           : fmt::format("{} printed", count(tally.printed, "report"));
    fmt::print(stderr, "hallmark report fetch: {} fetched, {}, {} left alone\n",
               count(tally.fetched, "message"), kept, tally.left_alone);
  }

  bool saw_parse_errors() const noexcept { return parse_errors_; }

 private:
  void handle(ImapClient& client, std::uint32_t uid, Tally& tally) {
    std::string message;
    try {
      message = client.fetch(uid);
    } catch (const MessageUnavailable& why) {
      leave_alone(uid, why.what(), tally);
      return;
    }
    ++tally.fetched;
    report::ParseOutcome outcome = report::parse_reports(message);
    // The reports that did parse are kept even when another part failed: storing again
    // later, once someone has looked at the message, changes nothing.
    for (const report::Report& report : outcome.reports) keep(report, uid, tally);
    if (!outcome.errors.empty()) {
      parse_errors_ = true;
      for (const report::PartError& error : outcome.errors)
        fmt::print(stderr, "hallmark report fetch: left alone: UID {}: {}: {} (offset {})\n", uid,
                   printable(error.part), printable(error.error.message), error.error.offset);
      left_alone_.insert(uid);
      ++tally.left_alone;
      return;
    }
    if (outcome.reports.empty()) {
      leave_alone(uid, "no report", tally);
      return;
    }
    if (store_ == nullptr) {
      // Standard output is the store here: what did not reach it must stay unseen.
      if (std::fflush(stdout) != 0 || std::ferror(stdout))
        throw Failure("cannot write to standard output");
    }
    if (settings_.done_folder)
      client.move(uid, *settings_.done_folder);
    else
      client.mark_seen(uid);
  }

  void keep(const report::Report& report, std::uint32_t uid, Tally& tally) {
    if (store_ == nullptr) {
      fmt::print("{}\n", json::to_json_text(report));
      ++tally.printed;
      return;
    }
    core::Expected<report::Store::Saved> saved = store_->save(report);
    if (!saved)
      throw Failure(fmt::format("cannot store a report from UID {}: {}", uid,
                                printable(saved.error().message)));
    ++(*saved == report::Store::Saved::added ? tally.added : tally.already_stored);
  }

  void leave_alone(std::uint32_t uid, std::string_view why, Tally& tally) {
    fmt::print(stderr, "hallmark report fetch: left alone: UID {}: {}\n", uid, why);
    left_alone_.insert(uid);
    ++tally.left_alone;
  }

  Settings settings_;
  report::Store* store_;
  std::uint32_t uid_validity_ = 0;
  std::set<std::uint32_t> left_alone_;  // UIDs at uid_validity_
  bool parse_errors_ = false;
};

}  // namespace

int run_report_fetch(const std::vector<std::string_view>& argv) {
  Args args(argv, {"imap", "user", "password-file", "store", "done", "watch"}, {"insecure"});
  if (!args.positional().empty())
    throw UsageError(fmt::format("unexpected argument '{}'", printable(args.positional().front())));
  std::optional<std::string> url = args.value("imap");
  if (!url) throw UsageError("--imap imaps://HOST[:PORT]/FOLDER is required");
  std::optional<std::string> user = args.value("user");
  if (!user) throw UsageError("--user is required");
  std::optional<std::string> password_file = args.value("password-file");
  if (!password_file) throw UsageError("--password-file is required");
  std::optional<unsigned> watch = args.number("watch");
  if (watch && *watch == 0) throw UsageError("--watch takes a number of seconds above 0");

  // Filled member by member: GCC 12 at -O3 takes the aggregate form's empty login for a read
  // of uninitialised strings (-Wmaybe-uninitialized).
  Settings settings;
  settings.location = parse_imap_location(*url);
  settings.done_folder = args.value("done");
  if (settings.done_folder) {
    imap_mailbox_argument(*settings.done_folder);  // a usage error now, not after login
    if (*settings.done_folder == settings.location.folder)
      throw UsageError("--done names the folder the reports are fetched from");
  }
  settings.login.user = *user;
  settings.login.password = read_password(*password_file);
  settings.login.insecure = args.has("insecure");

  std::unique_ptr<report::Store> store;
  if (std::optional<std::string> location = args.value("store")) {
    core::Expected<std::unique_ptr<report::Store>> opened = report::Store::open(*location);
    if (!opened) throw Failure(fmt::format("--store {}: {}", *location, opened.error().message));
    store = std::move(*opened);
  }

  install_signal_handlers();
  Fetcher fetcher(std::move(settings), store.get());
  for (bool first = true;; first = false) {
    Tally tally;
    try {
      fetcher.poll(tally);
    } catch (const Failure& error) {
      // With --watch, a server restarting or unreachable for a while is waited out; a
      // first poll that fails is a configuration to fix.
      if (!watch || first) {
        if (tally.fetched + tally.left_alone > 0) fetcher.print_summary(tally);
        throw;
      }
      fmt::print(stderr, "hallmark report fetch: {}; trying again in {} s\n", error.what(), *watch);
    }
    if (!watch) {
      fetcher.print_summary(tally);
      return fetcher.saw_parse_errors() ? 1 : 0;
    }
    if (tally.fetched + tally.left_alone > 0) fetcher.print_summary(tally);
    sleep_unless_stopped(std::chrono::seconds(*watch));
    if (stop_signal != 0) return 0;
  }
}

}  // namespace hallmark::cli
