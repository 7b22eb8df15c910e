// SPDX-License-Identifier: Apache-2.0
// `hallmark verify`: the whole verdict for one or more messages through one Authenticator:
// SPF for the envelope given, DKIM, ARC, DMARC, iprev when asked, local policy, tags, score,
// disposition and the Authentication-Results field. Several messages are verified
// concurrently and reported in argument order.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "auth_results_output.hpp"
#include "commands.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "message_input.hpp"
#include "printable.hpp"
#include "resolver_setup.hpp"
#include "json/result_json.hpp"

namespace hallmark::cli {

const std::string_view verify_usage =
    "usage: hallmark verify [--ip IP] [--helo NAME] [--mail-from ADDR] [--rcpt ADDR]...\n"
    "                       [--zone FILE]... [--authserv-id ID] [--allow-dmarc FILE]\n"
    "                       [--allow-spf-dkim FILE] [--trusted-arc FILE] [--scores FILE]\n"
    "                       [--iprev] [--json] [MESSAGE|-]...\n"
    "  MESSAGE             message files, verified concurrently and reported in order;\n"
    "                      '-' or none reads one message from standard input\n"
    "  --ip IP             the SMTP client's address (SPF and iprev need it)\n"
    "  --helo NAME         the HELO/EHLO name\n"
    "  --mail-from ADDR    the MAIL FROM address, needed with --ip ('<>': null reverse path)\n"
    "  --rcpt ADDR         a RCPT TO address (repeatable)\n"
    "  --authserv-id ID    name this host in Authentication-Results (default: the host name)\n"
    "  --allow-dmarc FILE  domains whose DMARC pass or failure weighs heavily (one per line,\n"
    "                      '*.example.com' for subdomains, '#' comments)\n"
    "  --allow-spf-dkim FILE  the same for the SPF domain and each DKIM d=\n"
    "  --trusted-arc FILE  ARC sealers whose passing chain overrides a DMARC failure\n"
    "  --scores FILE       tag scores overriding the defaults ('TAG = score' per line)\n"
    "  --iprev             check forward-confirmed reverse DNS of --ip (RFC 8601 iprev)\n"
    "  --deadline MS       per-message deadline (default 5000)\n"
    "  --now EPOCH         verify DKIM and ARC as of this time (seconds since 1970)\n"
    "  --json              one JSON object per message, one per line: spf, dkim, arc,\n"
    "                      dmarc, iprev, tags, score, disposition, authentication_results, ...\n";

namespace {

authenticator::AllowListPtr load_list(const Args& args, std::string_view flag) {
  std::optional<std::string> path = args.value(flag);
  if (!path) return nullptr;
  core::Expected<authenticator::AllowList> list = authenticator::AllowList::load(*path);
  if (!list) throw Failure(fmt::format("--{} {}: {}", flag, *path, list.error().message));
  return std::make_shared<const authenticator::AllowList>(std::move(*list));
}

authenticator::Options options_from(const Args& args) {
  authenticator::Options options;
  options.authserv_id = authserv_id(args);
  options.iprev = args.has("iprev");
  options.allow_dmarc = load_list(args, "allow-dmarc");
  options.allow_spf_dkim = load_list(args, "allow-spf-dkim");
  options.trusted_arc_sealers = load_list(args, "trusted-arc");
  if (std::optional<std::string> path = args.value("scores")) {
    core::Expected<authenticator::ScoreTable> scores = authenticator::ScoreTable::load(*path);
    if (!scores) throw Failure(fmt::format("--scores {}: {}", *path, scores.error().message));
    options.scores = *scores;
  }
  if (std::optional<unsigned> ms = args.number("deadline"))
    options.deadline = std::chrono::milliseconds(*ms);
  if (std::optional<unsigned> now = args.number("now")) {
    std::int64_t pinned = *now;
    options.dkim.now = [pinned] { return pinned; };
    options.spf.now = [pinned] { return pinned; };
  }
  if (std::optional<std::string> receiver = args.value("authserv-id"))
    options.spf.receiver = *receiver;
  return options;
}

authenticator::Envelope envelope_from(const Args& args) {
  authenticator::Envelope envelope;
  if (std::optional<std::string> ip = args.value("ip")) {
    core::Expected<core::IpAddress> parsed = core::IpAddress::parse(*ip);
    if (!parsed) throw UsageError(fmt::format("--ip: {}", parsed.error().message));
    envelope.ip = *parsed;
  } else if (args.has("helo") || args.has("mail-from")) {
    throw UsageError("--helo and --mail-from need --ip: SPF checks the client's address");
  }
  envelope.helo = args.value("helo").value_or("");
  // Left out, it would silently mean the null reverse path, and SPF would check another
  // identity than the operator thinks.
  if (envelope.ip && !args.has("mail-from"))
    throw UsageError("--ip needs --mail-from (use --mail-from '<>' for the null reverse path)");
  std::string mail_from = args.value("mail-from").value_or("");
  if (mail_from == "<>") mail_from.clear();
  // "<user@example.com>" as SMTP writes it.
  if (mail_from.size() >= 2 && mail_from.front() == '<' && mail_from.back() == '>')
    mail_from = mail_from.substr(1, mail_from.size() - 2);
  envelope.mail_from = std::move(mail_from);
  envelope.recipients = args.values("rcpt");
  return envelope;
}

void print_text(const authenticator::Verdict& v) {
  if (v.iprev)
    fmt::print("iprev: {}{}\n", authenticator::to_string(v.iprev->outcome),
               v.iprev->detail.empty() ? "" : " (" + printable(v.iprev->detail) + ")");
  for (const std::optional<spf::Result>* spf : {&v.spf_mail_from, &v.spf_helo}) {
    if (!*spf) continue;
    const spf::Result& r = **spf;
    fmt::print("spf ({} {}): {} ({})\n", spf::to_string(r.identity), printable(r.sender),
               spf::to_string(r.outcome), printable(r.reason));
  }
  if (v.dkim.empty()) fmt::print("dkim: none (no DKIM-Signature field)\n");
  for (const dkim::Result& r : v.dkim) {
    std::string line =
        fmt::format("dkim: {} d={} s={} ({}", dkim::to_string(r.outcome), printable(r.domain),
                    printable(r.selector), dkim::to_string(r.reason));
    if (!r.detail.empty()) line += ": " + printable(r.detail);
    fmt::print("{})\n", line);
  }
  std::string arc_line = std::string(arc::to_string(v.arc.outcome));
  if (v.arc.outcome == arc::ChainStatus::pass) {
    std::string sealers;
    for (const std::string& sealer : v.arc.sealers())
      sealers += (sealers.empty() ? "" : ", ") + printable(sealer);
    arc_line += " (sealed by " + sealers + ")";
  } else if (!v.arc.detail.empty()) {
    arc_line += " (" + printable(v.arc.detail) + ")";
  }
  fmt::print("arc: {}\n", arc_line);
  const dmarc::Result& d = v.dmarc;
  std::string dmarc_line = fmt::format("dmarc: {}", dmarc::to_string(d.outcome));
  if (!d.author_domain.empty()) dmarc_line += " header.from=" + printable(d.author_domain);
  if (d.record)
    dmarc_line +=
        fmt::format(" ({}={}{}, disposition {})", d.policy_tag, dmarc::to_string(d.policy),
                    d.testing ? " t=y" : "", dmarc::to_string(d.disposition));
  else if (!d.reason.empty())
    dmarc_line += " (" + printable(d.reason) + ")";
  fmt::print("{}\n", dmarc_line);
  for (const authenticator::PolicyChange& c : v.policy_changes)
    fmt::print("local policy: {}\n", printable(c.detail));
  for (const authenticator::LimitReached& l : v.limits)
    fmt::print("limit reached: {} ({})\n", authenticator::to_string(l.limit), printable(l.detail));
  std::string tags;
  for (const authenticator::ScoredTag& t : v.tags)
    tags += fmt::format("{}{} ({:+g})", tags.empty() ? "" : ", ", authenticator::to_string(t.tag),
                        t.score);
  fmt::print("tags: {}\n", tags);
  fmt::print("score: {:g}\n", v.score);
  fmt::print("disposition: {}{}\n", dmarc::to_string(v.disposition),
             v.override_reason.empty() ? "" : " (overridden: " + v.override_reason + ")");
  // The field is safe as it stands: every fragment quotes and escapes what senders wrote.
  std::string field = v.authentication_results;
  for (std::size_t at = field.find("\r\n"); at != std::string::npos; at = field.find("\r\n", at))
    field.erase(at, 1);
  fmt::print("{}\n", field);
}

// One message streamed into its session in bounded chunks.
void feed_message(authenticator::Session& session, MessageInput& input) {
  bool first = true;
  for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    if (first) chunk = skip_mbox_separator(chunk);
    first = false;
    // Only a header section past the limits fails here; the verdict reports it.
    if (!session.feed(chunk)) break;
  }
}

}  // namespace

int run_verify(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"ip", "helo", "mail-from", "rcpt", "authserv-id", "allow-dmarc", "allow-spf-dkim",
                 "trusted-arc", "scores", "deadline", "now"});
  Args args(std::move(argv), valued, {"json", "iprev"});
  authenticator::Envelope envelope = envelope_from(args);
  authenticator::Options options = options_from(args);
  std::vector<std::string> messages = args.positional();
  if (messages.empty()) messages.push_back("-");
  if (std::count(messages.begin(), messages.end(), "-") > 1)
    throw UsageError("standard input ('-') can be read once");

  std::unique_ptr<dns::Resolver> upstream = make_resolver(args);
  std::unique_ptr<dns::CachingResolver> cache;
  // Real DNS goes through a cache so messages verified together share their answers.
  if (dynamic_cast<dns::ZoneResolver*>(upstream.get()) == nullptr)
    cache = std::make_unique<dns::CachingResolver>(*upstream);
  std::string receiver = options.authserv_id;
  authenticator::Authenticator auth(cache ? *cache : *upstream, std::move(options));

  std::vector<std::unique_ptr<authenticator::Session>> sessions;
  std::vector<std::string> names;
  for (const std::string& message : messages) {
    MessageInput input(std::vector<std::string>{message});
    names.push_back(input.name());
    sessions.push_back(auth.start(envelope));
    feed_message(*sessions.back(), input);
  }
  std::vector<authenticator::Session*> pending;
  for (auto& session : sessions) pending.push_back(session.get());
  std::vector<authenticator::Verdict> verdicts =
      authenticator::Session::finish_all_blocking(pending);

  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    if (args.has("json")) {
      // Fields a sender wrote can carry any bytes; invalid UTF-8 is replaced.
      nlohmann::json out = json::to_json(verdicts[i], envelope, receiver);
      out["message"] = names[i];
      std::puts(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      continue;
    }
    if (verdicts.size() > 1) fmt::print("{}== {}\n", i == 0 ? "" : "\n", printable(names[i]));
    print_text(verdicts[i]);
  }
  return 0;
}

}  // namespace hallmark::cli
