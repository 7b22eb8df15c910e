// SPDX-License-Identifier: Apache-2.0
// ImapClient: one logged-in IMAP session on one folder, for `hallmark report fetch`. libcurl
// connects, negotiates TLS (imaps://, or STARTTLS when an imap:// server offers it), checks
// the certificate and logs in; the commands after that are ours, because libcurl's own FETCH
// asks for BODY[], which marks a message \Seen before its reports are stored.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"

namespace hallmark::cli {

/// Where the reports arrive: "imap[s]://HOST[:PORT]/FOLDER" taken apart.
struct ImapLocation {
  std::string server;  // "imaps://host:993/": what libcurl connects to
  std::string folder;  // URL-decoded; "INBOX" when the URL names none
};

/// Errors: UsageError for anything but an imap:// or imaps:// URL with a host, and for a
/// URL carrying credentials or IMAP URL parameters (";UID=...").
ImapLocation parse_imap_location(std::string_view url);

struct ImapLogin {
  std::string user;
  std::string password;
  bool insecure = false;  // accept any certificate (self-signed test servers)
  /// For connecting and logging in, and the longest the server may stay silent later.
  std::chrono::seconds timeout{60};
};

/// A per-message problem: this message cannot be fetched, the session can go on.
class MessageUnavailable : public Failure {
 public:
  using Failure::Failure;
};

class ImapClient {
 public:
  /// Messages larger than this are left on the server.
  static constexpr std::size_t max_message_bytes = std::size_t{64} * 1024 * 1024;

  /// Connects, logs in and selects `location.folder` read-write.
  /// Errors: Failure naming libcurl's error and the server's last response.
  ImapClient(const ImapLocation& location, const ImapLogin& login);
  /// Logs out when the session is in a state to.
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;

  /// The folder's UIDVALIDITY (RFC 3501 2.3.1.1): while it holds, a UID names one message.
  std::uint32_t uid_validity() const noexcept { return uid_validity_; }

  /// The UIDs of messages without \Seen, ascending. Errors: Failure.
  std::vector<std::uint32_t> search_unseen();

  /// The whole message, leaving its flags alone (BODY.PEEK, RFC 3501 6.4.5).
  /// Errors: MessageUnavailable when it is larger than max_message_bytes or no longer in
  /// the folder; Failure for anything that ends the session.
  std::string fetch(std::uint32_t uid);

  /// Adds \Seen. Errors: Failure.
  void mark_seen(std::uint32_t uid);

  /// Moves the message to `folder`, creating the folder when the server says it is missing:
  /// UID MOVE (RFC 6851) when the server has it, else UID COPY, \Deleted and an expunge of
  /// that message alone (UID EXPUNGE, RFC 4315) or, without UIDPLUS, of the folder.
  /// Errors: Failure.
  void move(std::uint32_t uid, std::string_view folder);

 private:
  struct Literal {
    std::size_t at = 0;  // where it sits in `text`: just after its "{N}"
    std::string bytes;
  };
  struct Response {  // one server response: its lines joined, the literals apart
    std::string text;
    std::vector<Literal> literals;
  };
  struct Reply {
    std::vector<Response> untagged;  // without their "* "
    std::string status;              // the tagged line without the tag: "OK ...", "NO ..."
    bool ok() const;
  };
  class Connection;

  Reply exchange(std::string_view command);
  Reply command(std::string_view command);  // Failure unless the server says OK
  void load_capabilities();
  void select(const std::string& folder);
  void logout() noexcept;

  std::unique_ptr<Connection> connection_;
  std::uint64_t next_tag_ = 1;
  std::uint32_t uid_validity_ = 0;
  bool has_move_ = false;
  bool has_uidplus_ = false;
  bool in_step_ = false;  // every command sent so far has had its tagged reply
};

/// `folder` as an IMAP astring: a quoted string, in modified UTF-7 (RFC 3501 5.1.3) when it
/// is not ASCII. Errors: UsageError for invalid UTF-8, CR, LF or NUL.
std::string imap_mailbox_argument(std::string_view folder);

}  // namespace hallmark::cli
