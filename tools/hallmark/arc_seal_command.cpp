// SPDX-License-Identifier: Apache-2.0
// `hallmark arc-seal`: adds this host's ARC set (RFC 8617 5.1) to a message with
// arc::seal_message and writes it back out, the three fields on top of the message bytes.
// The results it records are given, or computed here from the SMTP envelope: SPF, DKIM and
// DMARC, as the receiving side of a forwarder would.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/arc/seal.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dmarc/author.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/spf/auth_results.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "message_input.hpp"
#include "resolver_setup.hpp"
#include "signing_flags.hpp"

namespace hallmark::cli {

const std::string_view arc_seal_usage =
    "usage: hallmark arc-seal --key PEM --domain D --selector S --authserv-id ID\n"
    "                         [--auth-results TEXT | --ip IP --helo NAME --mail-from ADDR]\n"
    "                         [OPTIONS] [MESSAGE|-]\n"
    "Writes the sealed message to standard output: the ARC-Seal, ARC-Message-Signature and\n"
    "ARC-Authentication-Results fields, then the message exactly as read. A message whose\n"
    "chain already failed is written unchanged, with a note on standard error.\n"
    "  MESSAGE             the message file; '-' or none reads standard input\n"
    "  --key PEM           the sealing key: PKCS#8 or PKCS#1 PEM\n"
    "  --domain D          the sealing domain (d= of the seal and the message signature)\n"
    "  --selector S        the selector (s=); the key is published at S._domainkey.D\n"
    "  --authserv-id ID    this host's name in ARC-Authentication-Results\n"
    "  --auth-results TEXT the results to record, as after 'authserv-id;' in\n"
    "                      Authentication-Results ('spf=pass smtp.mailfrom=a@b; dkim=...')\n"
    "  --ip IP, --helo NAME, --mail-from ADDR\n"
    "                      without --auth-results: the SMTP envelope the message came with;\n"
    "                      SPF, DKIM and DMARC are evaluated and recorded ('' is the null\n"
    "                      reverse path)\n"
    "  --headers a:b:c     fields the message signature covers when present (default: those\n"
    "                      DKIM signs plus DKIM-Signature)\n"
    "  --algorithm A       rsa-sha256 (default) or ed25519-sha256\n"
    "  --timestamp EPOCH   seal as of this time (t=, seconds since 1970)\n";

namespace {

// The whole message: sealing validates the incoming chain, then hashes the body for the
// message signature and the header section for the seal, so it is held in memory. The cap
// keeps a wrong path (a device) from exhausting it; 64 MB is past what mail systems accept.
std::string read_message(MessageInput& input) {
  constexpr std::size_t max_size = 64 * 1024 * 1024;
  std::string message;
  for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    message.append(chunk);
    if (message.size() > max_size)
      throw Failure(fmt::format("{}: larger than {} bytes", input.name(), max_size));
  }
  return message;
}

struct Envelope {
  core::IpAddress ip;
  std::string helo;
  std::string mail_from;
};

// Either --auth-results or the whole envelope: results half made up would be recorded as if
// they were this host's assessment.
std::optional<Envelope> envelope_flags(const Args& args) {
  bool given = args.has("ip") || args.has("helo") || args.has("mail-from");
  if (args.has("auth-results")) {
    if (given) throw UsageError("--auth-results and --ip/--helo/--mail-from cannot be combined");
    return std::nullopt;
  }
  std::optional<std::string> ip = args.value("ip");
  std::optional<std::string> helo = args.value("helo");
  // value() reads "--mail-from ''" as empty, which is the null reverse path.
  if (!ip || !helo || !args.has("mail-from"))
    throw UsageError("give --auth-results, or --ip, --helo and --mail-from to compute them");
  auto address = core::IpAddress::parse(*ip);
  if (!address) throw UsageError(address.error().message);
  return Envelope{*address, *helo, args.value("mail-from").value_or("")};
}

std::string join(const std::vector<std::string>& fragments) {
  std::string out;
  for (const std::string& fragment : fragments) {
    if (!out.empty()) out += "; ";
    out += fragment;
  }
  return out;
}

// This host's assessment of the message as it arrived: SPF for the envelope, every DKIM
// signature, and DMARC from those identifiers. The fragments are the ones the verbs print.
std::string computed_auth_results(dns::Resolver& resolver, std::string_view message,
                                  const Envelope& envelope) {
  spf::Result spf = core::sync_wait(
      spf::check_mail_from(resolver, spf::Envelope{envelope.ip, envelope.helo, envelope.mail_from}),
      resolver.pump());
  std::vector<dkim::Result> dkim =
      core::sync_wait(dkim::verify_message(resolver, message), resolver.pump());
  core::Expected<mail::Message> parsed = mail::parse_message(message);
  if (!parsed) throw Failure(fmt::format("the message: {}", parsed.error().message));

  dmarc::Identifiers identifiers;
  identifiers.spf_domain = dmarc::spf_domain(envelope.mail_from, envelope.helo);
  identifiers.spf_pass = spf.outcome == spf::Outcome::pass;
  for (const dkim::Result& r : dkim)
    if (r.outcome == dkim::Outcome::pass) identifiers.dkim_domains.push_back(r.domain);
  dmarc::Result dmarc = core::sync_wait(
      dmarc::evaluate(resolver, parsed->headers, std::move(identifiers)), resolver.pump());

  std::vector<std::string> fragments = {spf::auth_results_fragment(spf)};
  for (std::string& fragment : dkim::auth_results_fragments(dkim))
    fragments.push_back(std::move(fragment));
  fragments.push_back(dmarc::auth_results_fragment(dmarc));
  return join(fragments);
}

arc::SealOptions seal_options(const Args& args) {
  arc::SealOptions options;
  options.domain = name_flag(args, "domain", "a domain name");
  options.selector = name_flag(args, "selector", "a selector");
  options.authserv_id = required(args, "authserv-id");
  options.algorithm = algorithm_flag(args);
  if (std::optional<std::string> text = args.value("headers"))
    options.headers = parse_header_names(*text);
  if (std::optional<unsigned> timestamp = args.number("timestamp")) {
    std::int64_t pinned = *timestamp;
    options.now = [pinned] { return pinned; };
  }
  return options;
}

// Said here, naming the key file: seal_message() would blame the message.
void check_key_type(const std::string& path, const dkim::PrivateKey& key,
                    std::optional<dkim::Algorithm> algorithm) {
  if (!algorithm && key.type() == dkim::KeyType::ed25519)
    throw Failure(
        fmt::format("{}: an Ed25519 key seals only with --algorithm ed25519-sha256 "
                    "(RFC 8617 names only rsa-sha256)",
                    path));
  if (algorithm && dkim::key_type_of(*algorithm) != key.type())
    throw Failure(
        fmt::format("{}: this key cannot make {} signatures", path, dkim::to_string(*algorithm)));
}

// The fields come folded with CRLF, the wire form; a message stored with bare LF gets them
// with bare LF, so its header section does not mix line ends (as dkim-sign does).
bool bare_lf(std::string_view message) {
  std::size_t lf = message.find('\n');
  return lf != std::string_view::npos && (lf == 0 || message[lf - 1] != '\r');
}

}  // namespace

int run_arc_seal(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"key", "domain", "selector", "authserv-id", "auth-results", "headers", "algorithm",
                 "timestamp", "ip", "helo", "mail-from"});
  Args args(std::move(argv), valued, {});
  std::string key_path = required(args, "key");
  arc::SealOptions options = seal_options(args);
  std::optional<Envelope> envelope = envelope_flags(args);
  if (!envelope) options.auth_results = required(args, "auth-results");
  MessageInput input(args.positional());
  dkim::PrivateKey key = load_private_key(key_path);
  check_key_type(key_path, key, options.algorithm);
  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);

  std::string whole = read_message(input);
  // A leading mbox separator is not part of the message: it stays first, above the fields.
  std::string_view message = skip_mbox_separator(whole);
  std::string_view separator = std::string_view(whole).substr(0, whole.size() - message.size());
  if (envelope) options.auth_results = computed_auth_results(*resolver, message, *envelope);

  core::Expected<arc::Sealed> sealed = core::sync_wait(
      arc::seal_message(*resolver, message, std::move(key), std::move(options)), resolver->pump());
  if (!sealed) throw Failure(fmt::format("{}: {}", input.name(), sealed.error().message));
  if (sealed->fields.empty())
    fmt::print(stderr, "hallmark arc-seal: not sealed: {}\n", sealed->skipped);
  write_out(separator);
  write_out(bare_lf(message) ? with_bare_lf(sealed->fields) : sealed->fields);
  write_out(message);
  if (std::fflush(stdout) != 0)
    throw Failure(fmt::format("standard output: {}", std::strerror(errno)));
  return 0;
}

}  // namespace hallmark::cli
