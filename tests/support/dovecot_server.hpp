// SPDX-License-Identifier: Apache-2.0
// DovecotServer: a throwaway IMAP server (Dovecot) on 127.0.0.1 with one user and a Maildir
// the test fills directly, so IMAP clients are tested against a real server, never the
// Internet.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"

namespace hallmark::test_support {

struct DovecotOptions {
  std::string user = "reports";
  std::string password = "correct horse";
  /// imaps:// with a self-signed certificate for 127.0.0.1 made by `openssl req`, instead
  /// of plain imap://.
  bool tls = false;
  /// Replaces what the server announces after login (Dovecot's imap_capability), to play an
  /// older server: "IMAP4rev1" hides MOVE and UIDPLUS. Empty: Dovecot's own list.
  std::string capabilities;
};

/// One Dovecot master (`dovecot -F`, in the foreground, in its own process group) serving IMAP
/// on 127.0.0.1 at a free port, with its configuration, sockets, state and log in a fresh
/// temporary directory, and one user in a passwd-file whose mail is `HOME/Maildir`.
///
/// Dovecot refuses to give mail processes UID 0, so when the tests run as root (CI) the mail
/// belongs to `nobody` (the master still runs as root, its login and internal processes as
/// Debian's `dovenull` and `dovecot`); otherwise everything runs as the current user.
class DovecotServer {
 public:
  /// Makes the directory, the user and an empty Maildir, and starts Dovecot, waiting until
  /// it greets on its port. Errors: Errc::unsupported when Dovecot (or, for TLS, openssl) is
  /// missing; Errc::io when a file cannot be made or Dovecot exits or stays silent past
  /// `deadline` (the message carries its log).
  static core::Expected<std::unique_ptr<DovecotServer>> start(
      DovecotOptions options = {}, std::chrono::milliseconds deadline = std::chrono::seconds(10));

  /// Stops Dovecot and removes the directory.
  ~DovecotServer();
  DovecotServer(const DovecotServer&) = delete;
  DovecotServer& operator=(const DovecotServer&) = delete;

  /// Stops Dovecot (SIGTERM to its process group, SIGKILL after 5 s), keeping the mail.
  void stop() noexcept;
  /// Starts a new Dovecot on the same directory and mail, on the same port if it is free.
  /// Errors: as start().
  core::Expected<void> resume(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  bool running() const noexcept { return pid_ > 0; }

  std::uint16_t port() const noexcept { return port_; }
  /// "imap://127.0.0.1:PORT/FOLDER" (imaps:// with DovecotOptions::tls).
  std::string url(std::string_view folder = "INBOX") const;
  const std::string& user() const noexcept { return options_.user; }
  const std::string& password() const noexcept { return options_.password; }

  /// A folder's Maildir: HOME/Maildir for INBOX, HOME/Maildir/.NAME for others (Maildir++).
  std::filesystem::path maildir(std::string_view folder = "INBOX") const;
  /// Puts `message` into the folder's new/ as a delivery agent would (tmp/ then rename), the
  /// file name holding `label`; returns that name. Works while the server is stopped.
  /// Errors: Errc::io.
  core::Expected<std::string> deliver(std::string_view message, std::string_view label,
                                      std::string_view folder = "INBOX") const;
  /// The file names in the folder's new/ and cur/ (in cur/ with ":2,FLAGS"), sorted.
  std::vector<std::string> messages(std::string_view folder = "INBOX") const;

  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// Dovecot's log and what it wrote to its standard error, for failure messages.
  std::string log() const;

 private:
  DovecotServer(std::filesystem::path directory, DovecotOptions options, uid_t mail_uid,
                gid_t mail_gid) noexcept;
  core::Expected<void> launch(std::uint16_t port, std::chrono::milliseconds deadline);

  std::filesystem::path directory_;
  DovecotOptions options_;
  uid_t mail_uid_;
  gid_t mail_gid_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

/// The Dovecot binary: $HALLMARK_DOVECOT if set, else /usr/sbin/dovecot; empty when there is
/// none. Debian's package is `dovecot-imapd`.
std::string find_dovecot();

}  // namespace hallmark::test_support
