// SPDX-License-Identifier: Apache-2.0
// `hallmark report fetch` against a real Dovecot on 127.0.0.1: report e-mails (XML, .xml.gz,
// .zip, TLS) and ordinary mail in a Maildir, fetched into a SQLite store. What the tests read
// back is the server's own state: Maildir file names carry the flags (":2,S" once \Seen) and
// moved messages sit in the other folder's directory.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "hallmark/report/store.hpp"
#include "report/report_fixtures.hpp"
#include "support/child_process.hpp"
#include "support/dovecot_server.hpp"

extern char** environ;

namespace hallmark::cli {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace hallmark::report::fixtures;

std::string plain_xml_email(std::string_view report_id) {
  return report_email({{"text/xml; name=\"report.xml\"", aggregate_xml(report_id), "7bit",
                        "attachment; filename=\"report.xml\""}});
}

std::string gzip_email(std::string_view report_id) {
  return report_email({{"application/gzip; name=\"report.xml.gz\"",
                        base64_lines(gzip(aggregate_xml(report_id))), "base64", ""}});
}

std::string zip_email(std::string_view report_id) {
  return report_email(
      {{"application/zip; name=\"report.zip\"",
        base64_lines(zip({{"report.xml", aggregate_xml(report_id)}})), "base64", ""}});
}

std::string tls_email() {
  return "From: tlsrpt@sender.example\r\nTo: tlsrpt@example.com\r\n"
         "Subject: Report Domain: example.com\r\nMessage-ID: <tls-7@sender.example>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain\r\n\r\nTLS report.\r\n"
         "--b1\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; "
         "filename=\"sender.example!example.com!1!2!tls-7.json.gz\""
         "\r\n\r\n" +
         base64_lines(gzip(tls_json)) + "--b1--\r\n";
}

const std::string ordinary_email =
    "From: alice@example.com\r\nTo: dmarc@example.com\r\nSubject: lunch?\r\n"
    "Message-ID: <lunch@example.com>\r\n\r\nAre you free on Thursday?\r\n";

class ReportFetch : public testing::Test {
 protected:
  // Without Dovecot the tests skip, or fail when CI is set.
  bool start(test_support::DovecotOptions options = {}) {
    auto server = test_support::DovecotServer::start(std::move(options));
    if (!server) {
      if (server.error().code == core::Errc::unsupported && std::getenv("CI") == nullptr) {
        skip(server.error().message);
        return false;
      }
      ADD_FAILURE() << server.error().message;
      return false;
    }
    server_ = std::move(*server);
    password_file_ = dir_.write("password", server_->password() + "\n");
    return true;
  }

  static void skip(const std::string& why) { GTEST_SKIP() << why; }

  void deliver(std::string_view message, std::string_view label) {
    core::Expected<std::string> name = server_->deliver(message, label);
    ASSERT_TRUE(name) << name.error().message;
  }

  std::vector<std::string> login_args(std::vector<std::string> more = {}) const {
    std::vector<std::string> args = {"report", "fetch",         "--imap",          server_->url(),
                                     "--user", server_->user(), "--password-file", password_file_};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  RunResult fetch(std::vector<std::string> more = {}) const {
    RunResult run = run_cli(login_args(std::move(more)));
    EXPECT_THAT(run.out + run.err, Not(HasSubstr(server_->password())));
    return run;
  }

  RunResult fetch_into_store(std::vector<std::string> more = {}) const {
    more.insert(more.begin(), {"--store", store_path()});
    return fetch(std::move(more));
  }

  std::string store_path() const { return (dir_.path() / "reports.sqlite").string(); }

  std::uint64_t stored(std::string_view kind) const {
    auto store = report::Store::open(store_path());
    if (!store) {
      ADD_FAILURE() << store.error().message;
      return 0;
    }
    core::Expected<std::uint64_t> count = (*store)->count_reports(kind);
    EXPECT_TRUE(count) << (count ? "" : count.error().message);
    return count.value_or(0);
  }

  // The Maildir flags of the message delivered as `label`: "S" once \Seen, "" before;
  // "(absent)" when it is not in that folder.
  std::string flags(std::string_view label, std::string_view folder = "INBOX") const {
    std::string tag = "_" + std::string(label) + ".";
    for (const std::string& name : server_->messages(folder)) {
      if (name.find(tag) == std::string::npos) continue;
      std::size_t at = name.find(":2,");
      return at == std::string::npos ? "" : name.substr(at + 3);
    }
    return "(absent)";
  }

  test_support::TempDir dir_;
  std::unique_ptr<test_support::DovecotServer> server_;
  std::string password_file_;
};

TEST_F(ReportFetch, StoresReportsAndMarksOnlyThemSeen) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  deliver(gzip_email("gzip-1"), "gzip");
  deliver(zip_email("zip-1"), "zip");
  deliver(tls_email(), "tls");
  deliver(ordinary_email, "ordinary");

  RunResult run = fetch_into_store();
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, ContainsRegex("left alone: UID [0-9]+: no report"));
  EXPECT_THAT(run.err, HasSubstr("5 messages fetched, 4 reports stored (4 new, 0 already "
                                 "stored), 1 left alone"));
  EXPECT_EQ(stored("dmarc-aggregate"), 3u);
  EXPECT_EQ(stored("tls"), 1u);
  for (const char* label : {"plain", "gzip", "zip", "tls"}) EXPECT_EQ(flags(label), "S") << label;
  EXPECT_EQ(flags("ordinary"), "");
}

TEST_F(ReportFetch, SecondRunStoresNothingTwice) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  deliver(ordinary_email, "ordinary");
  RunResult first = fetch_into_store();
  ASSERT_EQ(first.status, 0) << first.err;

  // Nothing new: only the ordinary message, still unseen, is looked at again.
  RunResult second = fetch_into_store();
  EXPECT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("1 message fetched, 0 reports stored (0 new, 0 already "
                                    "stored), 1 left alone"));

  // The same report arriving again, as reporters resend: fetched, not stored twice.
  deliver(plain_xml_email("plain-1"), "again");
  RunResult third = fetch_into_store();
  EXPECT_EQ(third.status, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("2 messages fetched, 1 report stored (0 new, 1 already "
                                   "stored), 1 left alone"));
  EXPECT_EQ(stored("dmarc-aggregate"), 1u);
  EXPECT_EQ(flags("again"), "S");
  EXPECT_EQ(flags("ordinary"), "");
}

TEST_F(ReportFetch, DoneFolderReceivesTheHandledMessages) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  deliver(tls_email(), "tls");
  deliver(ordinary_email, "ordinary");

  // Created on first use, its name in modified UTF-7 on the wire and on disk (RFC 3501 5.1.3).
  RunResult run = fetch_into_store({"--done", "Erledigt-\u00dc"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(stored("dmarc-aggregate"), 1u);
  EXPECT_EQ(stored("tls"), 1u);
  EXPECT_EQ(server_->messages("Erledigt-&ANw-").size(), 2u);
  EXPECT_EQ(flags("plain"), "(absent)");
  EXPECT_EQ(flags("tls"), "(absent)");
  EXPECT_EQ(flags("ordinary"), "");
}

TEST_F(ReportFetch, MovesByCopyAndExpungeWhenTheServerHasNoMove) {
  // An older server: no MOVE, no UIDPLUS.
  test_support::DovecotOptions options;
  options.capabilities = "IMAP4rev1 LITERAL+";
  if (!start(options)) return;
  deliver(gzip_email("gzip-1"), "gzip");
  deliver(ordinary_email, "ordinary");

  RunResult run = fetch_into_store({"--done", "Processed"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(stored("dmarc-aggregate"), 1u);
  EXPECT_EQ(server_->messages("Processed").size(), 1u);
  EXPECT_EQ(flags("gzip"), "(absent)");
  EXPECT_EQ(flags("ordinary"), "");
}

TEST_F(ReportFetch, LosesNothingAcrossAServerRestart) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  deliver(ordinary_email, "ordinary");
  RunResult first = fetch_into_store();
  ASSERT_EQ(first.status, 0) << first.err;

  server_->stop();
  deliver(zip_email("zip-1"), "zip");
  core::Expected<void> resumed = server_->resume();
  ASSERT_TRUE(resumed) << resumed.error().message;

  RunResult second = fetch_into_store();
  EXPECT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("1 report stored (1 new, 0 already stored)"));
  EXPECT_EQ(stored("dmarc-aggregate"), 2u);
  EXPECT_EQ(flags("plain"), "S");
  EXPECT_EQ(flags("zip"), "S");
  EXPECT_EQ(flags("ordinary"), "");
}

TEST_F(ReportFetch, LeavesAReportThatDoesNotParseUnseen) {
  if (!start()) return;
  deliver(report_email({{"text/xml; name=\"report.xml\"", "<feedback><report_metadata>", "7bit",
                         "attachment; filename=\"report.xml\""}}),
          "broken");
  RunResult run = fetch_into_store();
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_THAT(run.err, ContainsRegex("left alone: UID [0-9]+: part [^:]*report\\.xml"));
  EXPECT_THAT(run.err, HasSubstr("1 message fetched, 0 reports stored"));
  EXPECT_EQ(flags("broken"), "");
}

TEST_F(ReportFetch, PrintsJsonLinesWithoutAStore) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  deliver(tls_email(), "tls");
  deliver(ordinary_email, "ordinary");

  RunResult run = fetch();
  EXPECT_EQ(run.status, 0) << run.err;
  std::istringstream lines(run.out);
  std::vector<std::string> kinds;
  for (std::string line; std::getline(lines, line);)
    kinds.push_back(nlohmann::json::parse(line).at("kind").get<std::string>());
  EXPECT_THAT(kinds, testing::UnorderedElementsAre("dmarc-aggregate", "tls"));
  EXPECT_THAT(run.err, HasSubstr("3 messages fetched, 2 reports printed, 1 left alone"));
  EXPECT_EQ(flags("plain"), "S");
  EXPECT_EQ(flags("ordinary"), "");
}

TEST_F(ReportFetch, WrongPasswordFailsWithoutShowingIt) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  const std::string wrong = "not-the-password-4711";
  password_file_ = dir_.write("wrong", wrong + "\n");

  RunResult run = fetch_into_store();
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.err, HasSubstr("Login denied"));
  EXPECT_THAT(run.err, HasSubstr("AUTHENTICATIONFAILED"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr(wrong)));
  EXPECT_EQ(flags("plain"), "");
}

TEST_F(ReportFetch, ImapsChecksTheCertificateUnlessInsecure) {
  test_support::DovecotOptions options;
  options.tls = true;
  if (!start(options)) return;
  deliver(plain_xml_email("plain-1"), "plain");

  RunResult checked = fetch_into_store();
  EXPECT_EQ(checked.status, 1);
  EXPECT_THAT(checked.err, HasSubstr("certificate"));

  RunResult insecure = fetch_into_store({"--insecure"});
  EXPECT_EQ(insecure.status, 0) << insecure.err;
  EXPECT_EQ(stored("dmarc-aggregate"), 1u);
  EXPECT_EQ(flags("plain"), "S");
}

TEST_F(ReportFetch, RejectsAUrlThatIsNotImap) {
  RunResult run = run_cli({"report", "fetch", "--imap", "https://mail.example/INBOX", "--user", "u",
                           "--password-file", dir_.write("password", "secret\n")});
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.err, HasSubstr("imap:// or imaps://"));
}

// The CLI as a long-running process, standard output and error into files.
class Watcher {
 public:
  Watcher(std::vector<std::string> args, const std::filesystem::path& dir)
      : out_(dir / "watch.out"), err_(dir / "watch.err") {
    args.insert(args.begin(), HALLMARK_CLI_PATH);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Watcher() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  bool started() const { return pid_ > 0; }
  // Sends `signal` and waits for the exit status (-1 if it did not exit by itself in 10 s).
  int stop(int signal) {
    ::kill(pid_, signal);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string err() const {
    std::ifstream in(err_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
};

TEST_F(ReportFetch, WatchPollsUntilSigterm) {
  if (!start()) return;
  deliver(plain_xml_email("plain-1"), "plain");
  Watcher watcher(login_args({"--store", store_path(), "--watch", "1"}), dir_.path());
  ASSERT_TRUE(watcher.started());
  // \Seen only once stored: the flag is the sign the store has it.
  auto wait_until_seen = [&](std::string_view label) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (flags(label) != "S" && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return flags(label) == "S";
  };
  ASSERT_TRUE(wait_until_seen("plain")) << watcher.err();
  deliver(gzip_email("gzip-1"), "gzip");
  ASSERT_TRUE(wait_until_seen("gzip")) << watcher.err();

  EXPECT_EQ(watcher.stop(SIGTERM), 0) << watcher.err();
  EXPECT_EQ(stored("dmarc-aggregate"), 2u);
  EXPECT_THAT(watcher.err(), HasSubstr("1 message fetched, 1 report stored (1 new"));
}

}  // namespace
}  // namespace hallmark::cli
