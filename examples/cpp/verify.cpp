// SPDX-License-Identifier: Apache-2.0
// verify (C++): the native API end to end. Verifies every message of an envelopes file at
// once with one Authenticator, a Session per SMTP transaction and
// Session::finish_all_blocking(), then prints each verdict's disposition, score, tags and
// Authentication-Results field.
//
//   verify_cpp [--zone FILE]... [--server ADDR:PORT]... ENVELOPES
//
// ENVELOPES has one message a line, "MESSAGE IP HELO MAIL_FROM RCPT" (examples/demo/envelopes;
// MESSAGE relative to the envelopes file, MAIL_FROM "<>" for the null reverse path, "#" lines
// are comments). With --zone, DNS answers come from the zone files only; with --server, from
// those servers; otherwise from the system's resolvers. Exit status 0 with the verdicts, 1
// when a file cannot be read or the resolver not set up, 2 for bad arguments.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <hallmark/hallmark.hpp>

namespace {

namespace auth = hallmark::authenticator;

struct Entry {
  std::string file;  // as the envelopes file names it
  std::filesystem::path path;
  auth::Envelope envelope;
};

void print_error(std::string_view what, const hallmark::core::Error& error) {
  std::fprintf(stderr, "verify_cpp: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               error.message.c_str());
}

// The envelopes file's message lines; nullopt after printing why it cannot be read.
std::optional<std::vector<Entry>> read_envelopes(const std::filesystem::path& envelopes) {
  std::ifstream in(envelopes);
  if (!in) {
    std::fprintf(stderr, "verify_cpp: cannot read %s\n", envelopes.c_str());
    return std::nullopt;
  }
  std::vector<Entry> entries;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string file, ip, helo, mail_from, rcpt, extra;
    if (!(fields >> file) || file.starts_with('#')) continue;
    if (!(fields >> ip >> helo >> mail_from >> rcpt) || fields >> extra) {
      std::fprintf(stderr, "%s:%d: want MESSAGE IP HELO MAIL_FROM RCPT\n", envelopes.c_str(),
                   number);
      return std::nullopt;
    }
    auto address = hallmark::core::IpAddress::parse(ip);
    if (!address) {
      print_error(ip, address.error());
      return std::nullopt;
    }
    Entry entry{file, envelopes.parent_path() / file, {}};
    entry.envelope.ip = *address;
    entry.envelope.helo = helo;
    entry.envelope.mail_from = mail_from == "<>" ? "" : mail_from;  // the null reverse path
    entry.envelope.recipients.push_back(rcpt);
    entries.push_back(std::move(entry));
  }
  return entries;
}

// Streams the file into the session in chunks, as an MTA hands DATA over while it arrives:
// DKIM, ARC and DMARC lookups start once the header section is in, while the body still comes.
bool feed_file(auth::Session& session, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "verify_cpp: cannot read %s\n", path.c_str());
    return false;
  }
  char chunk[4096];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    auto fed = session.feed(std::string_view(chunk, static_cast<std::size_t>(in.gcount())));
    if (!fed) {
      print_error(path.native(), fed.error());
      return false;
    }
  }
  return true;
}

void print_verdict(const Entry& entry, const auth::Verdict& verdict) {
  std::string_view disposition = hallmark::dmarc::to_string(verdict.disposition);
  std::printf("%s: disposition %.*s, score %.2f\n", entry.file.c_str(),
              static_cast<int>(disposition.size()), disposition.data(), verdict.score);
  for (const auth::ScoredTag& scored : verdict.tags) {
    std::string_view name = auth::to_string(scored.tag);
    std::printf("  %-28.*s %6.2f\n", static_cast<int>(name.size()), name.data(), scored.score);
  }
  std::printf("%s\n\n", verdict.authentication_results.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  auth::ResolverConfig resolver;
  std::filesystem::path envelopes;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--zone" && i + 1 < argc) {
      resolver.zone_files.emplace_back(argv[++i]);
    } else if (arg == "--server" && i + 1 < argc) {
      resolver.cares.servers.emplace_back(argv[++i]);
    } else if (!arg.starts_with('-') && envelopes.empty()) {
      envelopes = arg;
    } else {
      envelopes.clear();
      break;
    }
  }
  if (envelopes.empty()) {
    std::fprintf(stderr, "usage: verify_cpp [--zone FILE]... [--server ADDR:PORT]... ENVELOPES\n");
    return 2;
  }
  std::optional<std::vector<Entry>> entries = read_envelopes(envelopes);
  if (!entries) return 1;

  // One authenticator per process, shared by every thread: resolver (zone files, or c-ares
  // on a thread of its own behind a cache), caches and options. An MTA sets its name as
  // options.authserv_id, and its allow lists and trusted ARC sealers here too.
  auth::Options options;
  auto authenticator = auth::Authenticator::create(options, resolver);
  if (!authenticator) {
    print_error("authenticator", authenticator.error());
    return 1;
  }

  // A session per SMTP transaction, each fed as its envelope and bytes come: SPF starts at
  // MAIL FROM, the other lookups at the end of the header section. All of them are in flight
  // before anything waits, so the batch takes as long as its slowest message, not the sum.
  std::vector<std::unique_ptr<auth::Session>> sessions;
  for (const Entry& entry : *entries) {
    std::unique_ptr<auth::Session> session = (*authenticator)->start();
    session->set_client(*entry.envelope.ip);
    session->set_helo(entry.envelope.helo);
    session->set_mail_from(entry.envelope.mail_from);
    for (const std::string& rcpt : entry.envelope.recipients) session->add_recipient(rcpt);
    if (!feed_file(*session, entry.path)) return 1;
    sessions.push_back(std::move(session));
  }

  // Waits for every verdict at once, each session within its own deadline (pending lookups
  // then count as timeouts: temperror, never pass). Verdicts come in the order given.
  std::vector<auth::Session*> waiting;
  for (const std::unique_ptr<auth::Session>& session : sessions) waiting.push_back(session.get());
  std::vector<auth::Verdict> verdicts = auth::Session::finish_all_blocking(waiting);

  for (std::size_t i = 0; i < entries->size(); ++i) print_verdict((*entries)[i], verdicts[i]);
  return 0;
}
