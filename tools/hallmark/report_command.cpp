// SPDX-License-Identifier: Apache-2.0
// `hallmark report SUBCOMMAND`: what a domain owner does with the reports the world sends.
// Each subcommand lives in its own file (report_commands.hpp).
#include <fmt/format.h>

#include "args.hpp"
#include "commands.hpp"
#include "report_commands.hpp"

namespace hallmark::cli {

const std::string_view report_usage =
    "usage: hallmark report parse [FILE|-]... [--format json|bulk] [--index NAME] [--summary]\n"
    "                            [--store DB] [--geoip FILE]... [--post URL [--insecure]]\n"
    "  FILE                a report: XML, .xml.gz, .zip, TLS-RPT JSON, or a whole report\n"
    "                      e-mail (aggregate, failure/ARF or TLS); '-' or none: standard input\n"
    "  --format json       one JSON object per report, one per line (the default)\n"
    "  --format bulk       OpenSearch/Elasticsearch _bulk NDJSON: one document per aggregate\n"
    "                      record row, TLS policy result or failure report, with ids that\n"
    "                      make ingesting a report again overwrite its documents\n"
    "  --index NAME        the index the bulk documents go to (required with --format bulk)\n"
    "  --summary           instead of the reports: per source IP and per header From domain,\n"
    "                      messages and SPF, DKIM and DMARC pass/fail counts, worst first\n"
    "  --store DB          also keep the reports in a store: a SQLite file (created on first\n"
    "                      use) or a postgresql:// URI; a report stored before is skipped\n"
    "  --geoip FILE        a MaxMind-format database (GeoLite2 Country, City or ASN; repeat\n"
    "                      to combine them): source_country, source_asn and\n"
    "                      source_as_organization on bulk documents, country and ASN in --store\n"
    "  --post URL          with --format bulk: send the documents to OpenSearch/Elasticsearch\n"
    "                      (http[s]://[USER:PASSWORD@]HOST:PORT[/INDEX]; /_bulk is appended)\n"
    "                      in batches of at most 5 MB, print how many were created, updated or\n"
    "                      failed and each failure; exit status 1 when any failed\n"
    "  --insecure          with --post: do not verify the server's TLS certificate\n"
    "\n"
    "usage: hallmark report fetch --imap imaps://HOST[:PORT]/FOLDER --user U --password-file F\n"
    "                            [--store DB] [--done FOLDER] [--watch SECONDS] [--insecure]\n"
    "  the reports in a mailbox folder's unseen messages, into --store DB or, without it,\n"
    "  onto standard output as JSON lines; a message is marked \\Seen (or moved) only once\n"
    "  its reports are kept. Other mail stays unseen, and so do messages with a report that\n"
    "  does not parse (listed on standard error; exit status 1 without --watch)\n"
    "  --imap URL          imaps://, or imap:// (upgraded with STARTTLS if the server offers it)\n"
    "  --password-file F   the password is the first line of F\n"
    "  --done FOLDER       move handled messages to FOLDER (created if missing)\n"
    "  --watch SECONDS     poll every SECONDS until interrupted (SIGINT, SIGTERM)\n"
    "  --insecure          do not verify the server's TLS certificate\n"
    "\n"
    "usage: hallmark report html --store DB [--days 30] [--domain D] [--now T] > report.html\n"
    "  one self-contained page: per domain, the daily SPF, DKIM and DMARC pass rates over\n"
    "  the last --days days (ending at --now, seconds since the epoch; default now), the\n"
    "  dispositions applied and the sources failing DMARC most\n";

int run_report(std::vector<std::string_view> args) {
  if (args.empty()) throw UsageError("which report command? (parse, fetch, html)");
  std::string_view command = args.front();
  args.erase(args.begin());
  if (command == "parse") return run_report_parse(args);
  if (command == "fetch") return run_report_fetch(args);
  if (command == "html") return run_report_html(args);
  throw UsageError(fmt::format("unknown command 'report {}'", command));
}

}  // namespace hallmark::cli
