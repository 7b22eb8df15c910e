// SPDX-License-Identifier: Apache-2.0
// The IMAP session of `hallmark report fetch`: libcurl in CONNECT_ONLY mode connects, does TLS
// and logs in (its IMAP connect phase), then this file speaks IMAP4rev1 (RFC 3501) over
// curl_easy_send/curl_easy_recv: tagged commands, responses with literals, the few commands
// a report fetcher needs.
#include "imap_client.hpp"

#include <poll.h>

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "hallmark/core/base64.hpp"
#include "printable.hpp"

namespace hallmark::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A server line without CRLF this long is not IMAP.
constexpr std::size_t max_line_bytes = 1024 * 1024;

struct UrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlDeleter {
  void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};

std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return std::nullopt;
  std::string copy(text);
  curl_free(text);
  return copy;
}

bool starts_with_word(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return false;
  return text.size() == word.size() || text[word.size()] == ' ';
}

std::optional<std::uint64_t> number_at(std::string_view text, std::size_t at) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() + at) return std::nullopt;
  return value;
}

// "{123}" or "{123+}" (and literal8 "~{123}") at the end of a line: that many bytes follow.
std::optional<std::size_t> literal_size(std::string_view line) {
  if (!line.ends_with('}')) return std::nullopt;
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (digits.ends_with('+')) digits.remove_suffix(1);
  std::size_t size = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  return size;
}

// A quoted string (RFC 3501 4.3) starting at text[at], unescaped.
std::optional<std::string> quoted_at(std::string_view text, std::size_t at) {
  if (at >= text.size() || text[at] != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '"') return out;
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    out += text[i];
  }
  return std::nullopt;
}

// One UTF-8 sequence at text[at]: its code point and length, or nothing when malformed.
std::optional<std::pair<char32_t, std::size_t>> utf8_at(std::string_view text, std::size_t at) {
  auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0 || lead > 0xf4 || at + length > text.size()) return std::nullopt;
  char32_t code = lead & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) {
    auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xc0) != 0x80) return std::nullopt;
    code = (code << 6) | (next & 0x3f);
  }
  const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < smallest[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    return std::nullopt;
  return std::pair{code, length};
}

}  // namespace

std::string imap_mailbox_argument(std::string_view folder) {
  // RFC 3501 5.1.3: printable ASCII stands for itself ("&" as "&-"); runs of anything else
  // are UTF-16BE in base64 with ',' for '/', no padding, between '&' and '-'.
  std::string encoded;
  std::string run;  // UTF-16BE bytes waiting for their base64
  auto flush = [&] {
    if (run.empty()) return;
    std::string base64 = core::base64_encode(run);
    std::ranges::replace(base64, '/', ',');
    while (base64.ends_with('=')) base64.pop_back();
    encoded += '&' + base64 + '-';
    run.clear();
  };
  auto add_unit = [&](char32_t unit) {
    run += static_cast<char>(unit >> 8);
    run += static_cast<char>(unit & 0xff);
  };
  for (std::size_t at = 0; at < folder.size();) {
    char c = folder[at];
    if (c == '\0' || c == '\r' || c == '\n')
      throw UsageError("a folder name cannot hold NUL, CR or LF");
    if (c >= 0x20 && c < 0x7f) {
      flush();
      encoded += c == '&' ? std::string("&-") : std::string(1, c);
      ++at;
      continue;
    }
    char32_t code = static_cast<unsigned char>(c);
    std::size_t length = 1;
    if (code >= 0x80) {
      auto decoded = utf8_at(folder, at);
      if (!decoded)
        throw UsageError(fmt::format("folder name '{}' is not UTF-8", printable(folder)));
      std::tie(code, length) = *decoded;
    }
    if (code >= 0x10000) {
      add_unit(0xd800 + ((code - 0x10000) >> 10));
      add_unit(0xdc00 + ((code - 0x10000) & 0x3ff));
    } else {
      add_unit(code);
    }
    at += length;
  }
  flush();
  std::string quoted = "\"";
  for (char c : encoded) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '"';
}

ImapLocation parse_imap_location(std::string_view text) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) throw Failure("out of memory");
  std::string given(text);
  if (CURLUcode error = curl_url_set(url.get(), CURLUPART_URL, given.c_str(), 0);
      error != CURLUE_OK)
    throw UsageError(
        fmt::format("--imap '{}' is not a URL: {}", printable(text), curl_url_strerror(error)));
  std::string scheme = url_part(url.get(), CURLUPART_SCHEME).value_or("");
  if (scheme != "imap" && scheme != "imaps")
    throw UsageError(
        fmt::format("--imap takes an imap:// or imaps:// URL, not '{}'", printable(text)));
  if (url_part(url.get(), CURLUPART_USER) || url_part(url.get(), CURLUPART_PASSWORD))
    throw UsageError("--imap: put the user in --user and the password in --password-file");
  if (url_part(url.get(), CURLUPART_QUERY) || url_part(url.get(), CURLUPART_FRAGMENT) ||
      url_part(url.get(), CURLUPART_PATH).value_or("").find(';') != std::string::npos)
    throw UsageError("--imap names a folder, without IMAP URL parameters (;UID=...) or query");
  if (url_part(url.get(), CURLUPART_HOST).value_or("").empty())
    throw UsageError(fmt::format("--imap '{}' names no host", printable(text)));

  ImapLocation location;
  std::optional<std::string> path = url_part(url.get(), CURLUPART_PATH, CURLU_URLDECODE);
  if (!path) throw UsageError(fmt::format("--imap '{}': bad folder name", printable(text)));
  std::string_view folder = *path;
  if (folder.starts_with('/')) folder.remove_prefix(1);
  if (folder.ends_with('/')) folder.remove_suffix(1);
  location.folder = folder.empty() ? "INBOX" : std::string(folder);
  imap_mailbox_argument(location.folder);  // a usage error now rather than after logging in
  curl_url_set(url.get(), CURLUPART_PATH, "/", 0);
  location.server = url_part(url.get(), CURLUPART_URL).value_or(given);
  return location;
}

// The transport: libcurl's connection after its IMAP connect phase, with a read buffer.
class ImapClient::Connection {
 public:
  Connection(const ImapLocation& location, const ImapLogin& login) : silence_(login.timeout) {
    static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (initialised != CURLE_OK) throw Failure("cannot initialise libcurl");
    curl_.reset(curl_easy_init());
    if (!curl_) throw Failure("cannot initialise libcurl");
    CURL* curl = curl_.get();
    long seconds = static_cast<long>(login.timeout.count());
    curl_easy_setopt(curl, CURLOPT_URL, location.server.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(curl, CURLOPT_USERNAME, login.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, login.password.c_str());
    // Stop after connecting and logging in: the session is ours from there.
    curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, seconds);
    curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, seconds);
    // imap:// upgrades with STARTTLS when the server offers it (then verifies as imaps://
    // does); a server that does not stays plain text, as on a loopback test server.
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    if (login.insecure) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_.data());
    // The debug hook is how the server's own words reach error messages; it keeps only what
    // the server sent, never what we sent (that holds the credentials).
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, &Connection::on_debug);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, this);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    if (CURLcode result = curl_easy_perform(curl); result != CURLE_OK) {
      std::string why = error_[0] != '\0' ? std::string(error_.data()) : curl_easy_strerror(result);
      if (!server_said_.empty()) why += "; the server said: " + server_said_;
      throw Failure(fmt::format("{} (user {}): {}", location.server, printable(login.user), why));
    }
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
    if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &socket_) != CURLE_OK ||
        socket_ == CURL_SOCKET_BAD)
      throw Failure(fmt::format("{}: libcurl gave no connection", location.server));
  }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      std::size_t sent = 0;
      CURLcode result = curl_easy_send(curl_.get(), bytes.data(), bytes.size(), &sent);
      if (result == CURLE_AGAIN) {
        wait_for(POLLOUT);
        continue;
      }
      if (result != CURLE_OK)
        throw Failure(fmt::format("sending to the IMAP server: {}", curl_easy_strerror(result)));
      bytes.remove_prefix(sent);
    }
  }

  std::string read_line() {
    std::size_t scanned = start_;
    for (;;) {
      std::size_t end = buffer_.find('\n', scanned);
      if (end != std::string::npos) {
        std::string line = buffer_.substr(start_, end - start_);
        start_ = end + 1;
        compact();
        if (line.ends_with('\r')) line.pop_back();
        server_said_ = printable(line.substr(0, 300));
        return line;
      }
      if (buffer_.size() - start_ > max_line_bytes)
        throw Failure(
            fmt::format("the IMAP server sent a line longer than {} bytes", max_line_bytes));
      scanned = buffer_.size();
      receive();
    }
  }

  void set_patience(std::chrono::seconds silence) { silence_ = silence; }

  std::string read_bytes(std::size_t count) {
    std::string out;
    out.reserve(count);
    while (out.size() < count) {
      if (start_ == buffer_.size()) receive();
      std::size_t take = std::min(count - out.size(), buffer_.size() - start_);
      out.append(buffer_, start_, take);
      start_ += take;
      compact();
    }
    return out;
  }

 private:
  static int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* self) {
    if (type != CURLINFO_HEADER_IN) return 0;
    std::string_view line(data, size);
    while (line.ends_with('\n') || line.ends_with('\r')) line.remove_suffix(1);
    // Without the tag: "NO [AUTHENTICATIONFAILED] Authentication failed."
    if (std::size_t space = line.find(' '); space != std::string_view::npos && !line.empty() &&
                                            line.front() != '*' && line.front() != '+')
      line.remove_prefix(space + 1);
    if (!line.empty())
      static_cast<Connection*>(self)->server_said_ = printable(line.substr(0, 300));
    return 0;
  }

  void compact() {
    if (start_ == buffer_.size()) {
      buffer_.clear();
      start_ = 0;
    } else if (start_ > 1024 * 1024) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
  }

  // Appends what the server sent next, waiting for it if need be.
  void receive() {
    std::array<char, 64 * 1024> chunk;
    for (;;) {
      std::size_t got = 0;
      CURLcode result = curl_easy_recv(curl_.get(), chunk.data(), chunk.size(), &got);
      if (result == CURLE_AGAIN) {
        wait_for(POLLIN);
        continue;
      }
      if (result != CURLE_OK)
        throw Failure(fmt::format("reading from the IMAP server: {}", curl_easy_strerror(result)));
      if (got == 0)
        throw Failure(fmt::format("the IMAP server closed the connection; it last said: {}",
                                  server_said_.empty() ? "nothing" : server_said_));
      buffer_.append(chunk.data(), got);
      return;
    }
  }

  // Only after libcurl said CURLE_AGAIN: what TLS has already decrypted is read before this.
  void wait_for(short events) {
    Clock::time_point until = Clock::now() + silence_;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) break;
      pollfd entry{static_cast<int>(socket_), events, 0};
      int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
      if (ready > 0) return;
      if (ready < 0 && errno != EINTR)
        throw Failure(fmt::format("waiting for the IMAP server: {}", std::strerror(errno)));
      // EINTR: a stop signal ends the run after this message, not inside it.
    }
    throw Failure(fmt::format("the IMAP server stayed silent for {} s; it last said: {}",
                              silence_.count(), server_said_.empty() ? "nothing" : server_said_));
  }

  std::unique_ptr<CURL, CurlDeleter> curl_;
  curl_socket_t socket_ = CURL_SOCKET_BAD;
  std::chrono::seconds silence_;
  std::string buffer_;
  std::size_t start_ = 0;
  std::string server_said_;
  std::array<char, CURL_ERROR_SIZE> error_{};
};

bool ImapClient::Reply::ok() const { return starts_with_word(status, "OK"); }

ImapClient::ImapClient(const ImapLocation& location, const ImapLogin& login)
    : connection_(std::make_unique<Connection>(location, login)) {
  try {
    load_capabilities();
    select(location.folder);
  } catch (const Failure&) {
    logout();
    throw;
  }
}

ImapClient::~ImapClient() { logout(); }

void ImapClient::logout() noexcept {
  // A polite LOGOUT, unless a command broke off half-way: the session is then out of step.
  if (!in_step_) return;
  try {
    connection_->set_patience(std::chrono::seconds(5));
    exchange("LOGOUT");
  } catch (const std::exception&) {
    // The server hung up first, or is gone: nothing is lost either way.
  }
  in_step_ = false;
}

ImapClient::Reply ImapClient::exchange(std::string_view command) {
  std::string tag = fmt::format("H{}", next_tag_++);
  in_step_ = false;
  connection_->send(fmt::format("{} {}\r\n", tag, command));
  Reply reply;
  for (;;) {
    Response response;
    for (;;) {
      std::string line = connection_->read_line();
      response.text += line;
      std::optional<std::size_t> size = literal_size(line);
      if (!size) break;
      if (*size > max_message_bytes + 1)
        throw Failure(fmt::format("the IMAP server sent a literal of {} bytes", *size));
      response.literals.push_back({response.text.size(), connection_->read_bytes(*size)});
    }
    if (response.text.starts_with("* ")) {
      response.text.erase(0, 2);
      for (Literal& literal : response.literals) literal.at -= 2;
      reply.untagged.push_back(std::move(response));
    } else if (response.text.starts_with(tag) && response.text.size() > tag.size() &&
               response.text[tag.size()] == ' ') {
      reply.status = response.text.substr(tag.size() + 1);
      in_step_ = true;
      return reply;
    }
    // Anything else ("+" continuation requests: this client sends no literals) is ignored.
  }
}

ImapClient::Reply ImapClient::command(std::string_view command) {
  Reply reply = exchange(command);
  if (!reply.ok())
    throw Failure(fmt::format("IMAP {} failed: {}", command, printable(reply.status)));
  return reply;
}

void ImapClient::load_capabilities() {
  // Asked again after login: servers announce more then (Dovecot adds MOVE and UIDPLUS).
  Reply reply = command("CAPABILITY");
  for (const Response& response : reply.untagged) {
    if (!starts_with_word(response.text, "CAPABILITY")) continue;
    std::string_view rest = response.text;
    for (std::size_t at = 0; at < rest.size();) {
      std::size_t end = std::min(rest.find(' ', at), rest.size());
      std::string word(rest.substr(at, end - at));
      std::ranges::transform(word, word.begin(), [](unsigned char c) { return std::toupper(c); });
      has_move_ = has_move_ || word == "MOVE";
      has_uidplus_ = has_uidplus_ || word == "UIDPLUS";
      at = end + 1;
    }
  }
}

void ImapClient::select(const std::string& folder) {
  Reply reply = command("SELECT " + imap_mailbox_argument(folder));
  for (const Response& response : reply.untagged) {
    constexpr std::string_view code = "OK [UIDVALIDITY ";
    if (response.text.starts_with(code))
      uid_validity_ = static_cast<std::uint32_t>(number_at(response.text, code.size()).value_or(0));
  }
}

std::vector<std::uint32_t> ImapClient::search_unseen() {
  Reply reply = command("UID SEARCH UNSEEN");
  std::vector<std::uint32_t> uids;
  for (const Response& response : reply.untagged) {
    if (!starts_with_word(response.text, "SEARCH")) continue;
    std::string_view text = response.text;
    for (std::size_t at = text.find(' '); at != std::string_view::npos; at = text.find(' ', at)) {
      ++at;
      if (std::optional<std::uint64_t> uid = number_at(text, at); uid && *uid <= UINT32_MAX)
        uids.push_back(static_cast<std::uint32_t>(*uid));
    }
  }
  std::ranges::sort(uids);
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

std::string ImapClient::fetch(std::uint32_t uid) {
  // One byte more than the cap, so a message over it shows without reading all of it.
  Reply reply =
      command(fmt::format("UID FETCH {} (BODY.PEEK[]<0.{}>)", uid, max_message_bytes + 1));
  for (Response& response : reply.untagged) {
    // "7 FETCH (UID 42 BODY[]<0> {1234})": a FETCH of this UID carrying the body. Flag
    // updates other sessions cause arrive as FETCH responses too, without a body.
    std::string_view text = response.text;
    std::size_t open = text.find(" FETCH (");
    if (open == std::string_view::npos) continue;
    std::size_t uid_at = text.find("UID ", open);
    if (uid_at == std::string_view::npos || number_at(text, uid_at + 4) != uid) continue;
    std::size_t at = text.find("BODY[]", open);
    if (at == std::string_view::npos) continue;
    at += 6;
    if (at < text.size() && text[at] == '<') at = text.find('>', at) + 1;
    if (at == 0 || at >= text.size() || text[at] != ' ') continue;
    ++at;
    std::string body;
    if (text.substr(at).starts_with("NIL")) {
      body.clear();
    } else if (std::optional<std::string> quoted = quoted_at(text, at)) {
      body = std::move(*quoted);
    } else {
      std::size_t close = text.find('}', at);
      auto literal = std::ranges::find(response.literals, close + 1, &Literal::at);
      if (close == std::string_view::npos || literal == response.literals.end()) continue;
      body = std::move(literal->bytes);
    }
    if (body.size() > max_message_bytes)
      throw MessageUnavailable(fmt::format("larger than {} MiB", max_message_bytes >> 20));
    return body;
  }
  throw MessageUnavailable("no longer in the folder");
}

void ImapClient::mark_seen(std::uint32_t uid) {
  command(fmt::format("UID STORE {} +FLAGS.SILENT (\\Seen)", uid));
}

void ImapClient::move(std::uint32_t uid, std::string_view folder) {
  std::string target = imap_mailbox_argument(folder);
  std::string transfer = fmt::format("UID {} {} {}", has_move_ ? "MOVE" : "COPY", uid, target);
  Reply reply = exchange(transfer);
  if (!reply.ok() && reply.status.find("[TRYCREATE]") != std::string::npos) {
    // RFC 3501 6.4.7: the folder does not exist. Someone may create it meanwhile; the retry
    // tells.
    exchange("CREATE " + target);
    reply = exchange(transfer);
  }
  if (!reply.ok())
    throw Failure(fmt::format("IMAP {} failed: {}", transfer, printable(reply.status)));
  if (has_move_) return;
  command(fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", uid));
  // Without UIDPLUS, EXPUNGE also removes what others marked \Deleted in this folder.
  command(has_uidplus_ ? fmt::format("UID EXPUNGE {}", uid) : std::string("EXPUNGE"));
}

}  // namespace hallmark::cli
