// SPDX-License-Identifier: Apache-2.0
// `hallmark dkim-sign`: signs a message with dkim::Signer and writes it back out with the
// DKIM-Signature field on top, the message bytes unchanged below it.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/dkim/sign.hpp"
#include "message_input.hpp"
#include "signing_flags.hpp"

namespace hallmark::cli {

const std::string_view dkim_sign_usage =
    "usage: hallmark dkim-sign --key PEM --domain D --selector S [OPTIONS] [MESSAGE|-]\n"
    "  MESSAGE             the message file; '-' or none reads standard input\n"
    "  --key PEM           the private key: PKCS#8 or PKCS#1 PEM, or a base64 Ed25519 seed\n"
    "  --domain D          the signing domain (d=)\n"
    "  --selector S        the selector (s=); the key is published at S._domainkey.D\n"
    "  --algorithm A       rsa-sha256 or ed25519-sha256 (default: the one for the key)\n"
    "  --canonicalization H/B\n"
    "                      simple or relaxed for header/body (default relaxed/relaxed);\n"
    "                      one name alone leaves the body simple, as c= does\n"
    "  --headers a:b:c     fields to sign when present (default: From, Reply-To, Subject,\n"
    "                      Date, To, Cc, Message-ID, MIME and list fields); From always\n"
    "  --oversign          list each signed field once more than it occurs, so an added\n"
    "                      instance breaks the signature\n"
    "  --body-length       add l= (RFC 6376 8.2 explains why it is risky)\n"
    "  --expire SECONDS    add x=, SECONDS after the signing time\n"
    "  --auid ADDR         the identity i=, within the signing domain\n"
    "  --now EPOCH         sign as of this time (seconds since 1970)\n"
    "The signed message goes to standard output: the DKIM-Signature field, then the\n"
    "message exactly as read.\n";

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

dkim::Canonicalization parse_one_canonicalization(std::string_view name) {
  if (name == "simple") return dkim::Canonicalization::simple;
  if (name == "relaxed") return dkim::Canonicalization::relaxed;
  throw UsageError(fmt::format("--canonicalization: '{}' is neither simple nor relaxed", name));
}

void set_canonicalization(std::string_view text, dkim::SignOptions& options) {
  std::size_t slash = text.find('/');
  options.header_canonicalization = parse_one_canonicalization(text.substr(0, slash));
  // RFC 6376 3.5: "c=relaxed" alone means relaxed header, simple body; the flag reads the same.
  options.body_canonicalization = slash == std::string_view::npos
                                      ? dkim::Canonicalization::simple
                                      : parse_one_canonicalization(text.substr(slash + 1));
}

dkim::SignOptions sign_options(const Args& args) {
  dkim::SignOptions options;
  options.domain = name_flag(args, "domain", "a domain name");
  options.selector = name_flag(args, "selector", "a selector");
  options.algorithm = algorithm_flag(args);
  if (std::optional<std::string> text = args.value("canonicalization"))
    set_canonicalization(*text, options);
  if (std::optional<std::string> text = args.value("headers"))
    options.headers = parse_header_names(*text);
  options.oversign = args.has("oversign");
  options.body_length = args.has("body-length");
  if (std::optional<unsigned> seconds = args.number("expire")) {
    if (*seconds == 0) throw UsageError("--expire must be at least one second");
    options.expire_after = *seconds;
  }
  options.auid = args.value("auid");
  if (std::optional<unsigned> now = args.number("now")) {
    std::int64_t pinned = *now;
    options.now = [pinned] { return pinned; };
  }
  return options;
}

// The field comes folded with CRLF, the wire form. A message stored with bare LF (a Unix
// mbox, a file from an editor) would come out with mixed line ends, so the field follows the
// message's first line end: it becomes the first header line, and the header section is
// where a reader notices. A message without any line end keeps CRLF. The signature stays
// valid either way: verifiers treat a bare LF as CRLF, which is what the signer hashed.
class LineEndProbe {
 public:
  void see(std::string_view chunk) {
    if (decided_) return;
    std::size_t lf = chunk.find('\n');
    if (lf == std::string_view::npos) {
      if (!chunk.empty()) last_ = chunk.back();
      return;
    }
    char before = lf > 0 ? chunk[lf - 1] : last_;
    bare_lf_ = before != '\r';
    decided_ = true;
  }
  bool bare_lf() const { return bare_lf_; }

 private:
  bool decided_ = false;
  bool bare_lf_ = false;
  char last_ = '\0';
};

}  // namespace

int run_dkim_sign(std::vector<std::string_view> argv) {
  Args args(std::move(argv),
            {"key", "domain", "selector", "algorithm", "canonicalization", "headers", "expire",
             "auid", "now"},
            {"oversign", "body-length"});
  std::string key_path = required(args, "key");
  dkim::SignOptions options = sign_options(args);
  MessageInput input(args.positional());
  dkim::PrivateKey key = load_private_key(key_path);
  if (options.algorithm && dkim::key_type_of(*options.algorithm) != key.type())
    throw Failure(fmt::format("{}: this key cannot make {} signatures", key_path,
                              dkim::to_string(*options.algorithm)));

  // The message must be written after the field that depends on all of it. A regular file is
  // read twice; anything else (a pipe) is copied to a temporary file on the way, so memory
  // stays flat whatever the message size.
  File spool;
  if (!input.rewindable()) {
    spool.reset(std::tmpfile());
    if (!spool) throw Failure(fmt::format("temporary file: {}", std::strerror(errno)));
  }
  dkim::Signer signer(std::move(key), std::move(options));
  LineEndProbe line_end;
  std::uint64_t size = 0;
  for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    core::Expected<void> fed = signer.feed(chunk);
    if (!fed) throw Failure(fmt::format("{}: {}", input.name(), fed.error().message));
    line_end.see(chunk);
    size += chunk.size();
    if (spool && std::fwrite(chunk.data(), 1, chunk.size(), spool.get()) != chunk.size())
      throw Failure(fmt::format("temporary file: {}", std::strerror(errno)));
  }
  core::Expected<std::string> field = signer.finish();
  if (!field) throw Failure(fmt::format("{}: {}", input.name(), field.error().message));

  write_out(line_end.bare_lf() ? with_bare_lf(*field) : *field);
  std::uint64_t copied = 0;
  if (spool) {
    std::rewind(spool.get());
    std::vector<char> buffer(MessageInput::chunk_size);
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), spool.get())) {
      write_out({buffer.data(), n});
      copied += n;
    }
  } else {
    if (!input.rewind()) throw Failure(fmt::format("{}: cannot read it again", input.name()));
    for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
      write_out(chunk);
      copied += chunk.size();
    }
  }
  // A file that changed between the two reads would leave a signature over other bytes.
  if (copied != size)
    throw Failure(fmt::format("{}: changed while it was being signed", input.name()));
  if (std::fflush(stdout) != 0)
    throw Failure(fmt::format("standard output: {}", std::strerror(errno)));
  return 0;
}

}  // namespace hallmark::cli
