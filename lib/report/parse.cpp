// SPDX-License-Identifier: Apache-2.0
// Finding the reports in whatever arrived: content is sniffed rather than trusted to its
// declared type (reporters label gzip files application/octet-stream, text/plain or worse),
// containers are opened under their caps, and each part's failure is recorded beside the
// reports of the other parts.
#include "hallmark/report/parse.hpp"

#include <openssl/evp.h>

#include <array>
#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "hallmark/mail/header.hpp"
#include "report/internal/decompress.hpp"
#include "report/internal/mime.hpp"

namespace hallmark::report {
namespace {

using detail::MimeEntity;

// gzip inside zip inside an e-mail attached to an e-mail is as deep as real reports go.
constexpr std::size_t max_nesting = 6;
// The human-readable part of a failure report is kept for context, not in full.
constexpr std::size_t max_description_bytes = 64 * 1024;
constexpr std::size_t max_original_header_fields = 1000;

std::string_view content_start(std::string_view data) noexcept {
  if (data.starts_with("\xEF\xBB\xBF")) data.remove_prefix(3);  // a UTF-8 byte order mark
  while (!data.empty() && (core::detail::is_fws(data.front()))) data.remove_prefix(1);
  return data;
}

bool looks_xml(std::string_view data) noexcept { return content_start(data).starts_with('<'); }
bool looks_json(std::string_view data) noexcept { return content_start(data).starts_with('{'); }

bool has_suffix(std::string_view name, std::string_view suffix) noexcept {
  return name.size() >= suffix.size() &&
         core::detail::iequals(name.substr(name.size() - suffix.size()), suffix);
}

// Whether a leaf part may hold a report: by type, or by file name for the generic types
// reporters use for attachments.
bool may_hold_report(const MimeEntity& part) {
  const std::string& type = part.content_type;
  if (type == "text/xml" || type == "application/xml" || type == "application/gzip" ||
      type == "application/x-gzip" || type == "application/zip" ||
      type == "application/x-zip-compressed" || type == "application/x-zip" ||
      type == "application/tlsrpt+json" || type == "application/tlsrpt+gzip")
    return true;
  std::string_view name = part.filename;
  for (std::string_view suffix : {".xml", ".gz", ".zip", ".json", ".xml.gz", ".json.gz"})
    if (has_suffix(name, suffix)) return true;
  return false;
}

std::string header_value(const mail::HeaderSection& headers, std::string_view name) {
  const mail::HeaderField* field = headers.find(name);
  return field ? field->unfolded_value() : std::string();
}

struct Finder {
  const ParseLimits& limits;
  ParseOutcome& outcome;
  bool found_anything = false;

  void fail(std::string where, core::Error error) {
    found_anything = true;
    outcome.errors.push_back({std::move(where), std::move(error)});
  }

  // A file's bytes: a container, an aggregate report or a TLS report.
  void content(std::string_view data, const std::string& where, std::size_t nesting) {
    if (nesting > max_nesting)
      return fail(where, {core::Errc::too_long, "containers nest too deeply", 0});
    if (detail::looks_gzip(data)) {
      auto inflated = detail::gunzip(data, limits.max_decompressed_bytes);
      if (!inflated) return fail(where, inflated.error());
      return content(*inflated, where, nesting + 1);
    }
    if (detail::looks_zip(data)) {
      auto members = detail::unzip(data, limits.max_decompressed_bytes, limits.max_zip_members);
      if (!members) return fail(where, members.error());
      for (const detail::ZipMember& member : *members)
        content(member.data, fmt::format("{}, zip member '{}'", where, member.name.substr(0, 200)),
                nesting + 1);
      return;
    }
    found_anything = true;
    if (looks_xml(data)) {
      auto report = parse_aggregate_xml(data, limits.aggregate);
      if (!report) return fail(where, report.error());
      outcome.reports.emplace_back(std::move(*report));
      return;
    }
    if (looks_json(data)) {
      auto report = parse_tls_report(data, limits.tls);
      if (!report) return fail(where, report.error());
      outcome.reports.emplace_back(std::move(*report));
      return;
    }
    fail(where,
         {core::Errc::unsupported,
          data.empty() ? "empty input: no report" : "not a report: neither XML, JSON, gzip nor zip",
          0});
  }

  void message(std::string_view data, const std::string& where, std::size_t nesting) {
    if (nesting > max_nesting)
      return fail(where, {core::Errc::too_long, "attached messages nest too deeply", 0});
    detail::MimeLimits mime_limits{limits.max_mime_depth, limits.max_mime_parts};
    auto root = detail::parse_mime(data, mime_limits);
    if (!root) return fail(where, root.error());
    entity(*root, *root, where, nesting);
  }

  void entity(const MimeEntity& part, const MimeEntity& message_root, const std::string& where,
              std::size_t nesting) {
    auto place = [&] {
      return where == "input" ? part.describe() : where + ", " + part.describe();
    };
    if (part.content_type == "multipart/report" &&
        core::detail::iequals(part.parameter("report-type"), "feedback-report"))
      return failure_report(part, message_root, place());
    if (!part.children.empty()) {
      for (const MimeEntity& child : part.children) entity(child, message_root, where, nesting);
      return;
    }
    if (part.content_type == "message/rfc822") {
      auto body = detail::decoded_body(part, limits.max_decompressed_bytes);
      if (!body) return fail(place(), body.error());
      // The attached message's views point into `body`, which lives for this call.
      return message(*body, place(), nesting + 1);
    }
    bool inline_xml = part.content_type == "text/plain" && part.filename.empty();
    if (!may_hold_report(part) && !inline_xml) return;
    auto body = detail::decoded_body(part, limits.max_decompressed_bytes);
    if (!body) return fail(place(), body.error());
    if (inline_xml) {
      // Some reporters put the XML in the body itself.
      std::string_view start = content_start(*body);
      if (!start.starts_with("<?xml") && !start.starts_with("<feedback")) return;
    }
    content(*body, place(), nesting + 1);
  }

  void failure_report(const MimeEntity& report_part, const MimeEntity& message_root,
                      const std::string& where) {
    found_anything = true;
    FailureReport report;
    report.report_from = header_value(message_root.headers, "From");
    report.report_message_id = header_value(message_root.headers, "Message-ID");
    report.report_date = header_value(message_root.headers, "Date");
    bool have_fields = false;
    for (const MimeEntity& child : report_part.children) {
      const std::string& type = child.content_type;
      if (type == "message/feedback-report" && !have_fields) {
        auto body = detail::decoded_body(child, limits.max_decompressed_bytes);
        if (!body) return fail(where, body.error());
        auto fields = parse_feedback_fields(*body);
        if (!fields)
          return fail(where, {fields.error().code,
                              fmt::format("message/feedback-report: {}", fields.error().message),
                              fields.error().offset});
        report.feedback = std::move(*fields);
        have_fields = true;
      } else if ((type == "message/rfc822" || type == "text/rfc822-headers") &&
                 report.original_headers.empty()) {
        auto body = detail::decoded_body(child, limits.max_decompressed_bytes);
        if (!body) return fail(where, body.error());
        auto original = mail::parse_message(*body);
        if (!original) return fail(where, original.error());
        for (const mail::HeaderField& field : original->headers) {
          if (report.original_headers.size() >= max_original_header_fields) break;
          report.original_headers.emplace_back(std::string(field.name), field.unfolded_value());
        }
        report.original_from = header_value(original->headers, "From");
        report.original_subject = header_value(original->headers, "Subject");
        report.original_message_id = header_value(original->headers, "Message-ID");
        report.original_date = header_value(original->headers, "Date");
      } else if (type == "text/plain" && report.description.empty()) {
        auto body = detail::decoded_body(child, limits.max_decompressed_bytes);
        if (body) report.description = body->substr(0, max_description_bytes);
      }
    }
    if (!have_fields)
      return fail(where, {core::Errc::missing_tag,
                          "a feedback report without a message/feedback-report part", 0});
    outcome.reports.emplace_back(std::move(report));
  }
};

// SHA-256 over the parts, each preceded by its length so that no two lists of parts collide.
std::string digest_of(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr) throw std::bad_alloc();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  for (std::string_view part : parts) {
    std::string length = fmt::format("{}:", part.size());
    EVP_DigestUpdate(context, length.data(), length.size());
    EVP_DigestUpdate(context, part.data(), part.size());
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context, digest.data(), &size);
  EVP_MD_CTX_free(context);
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i)
    fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

}  // namespace

std::string_view to_string(ReportKind kind) noexcept {
  switch (kind) {
    case ReportKind::dmarc_aggregate: return "dmarc-aggregate";
    case ReportKind::dmarc_failure: return "dmarc-failure";
    case ReportKind::tls: return "tls";
  }
  return "unknown";
}

ReportKind kind_of(const Report& report) noexcept {
  return static_cast<ReportKind>(report.index());
}

std::string identity_of(const Report& report) {
  if (const auto* aggregate = std::get_if<AggregateReport>(&report)) {
    const ReportMetadata& metadata = aggregate->report_metadata;
    return digest_of({"dmarc-aggregate", metadata.org_name, metadata.report_id,
                      fmt::format("{}", metadata.date_range.begin),
                      fmt::format("{}", metadata.date_range.end)});
  }
  if (const auto* tls = std::get_if<TlsReport>(&report))
    return digest_of({"tls", tls->organization_name, tls->report_id,
                      fmt::format("{}", tls->start_datetime),
                      fmt::format("{}", tls->end_datetime)});
  const auto& failure = std::get<FailureReport>(report);
  return digest_of({"dmarc-failure", failure.report_message_id, failure.original_message_id,
                    failure.feedback.arrival_date, failure.feedback.source_ip,
                    failure.feedback.reporting_mta, failure.report_date});
}

ParseOutcome parse_reports(std::string_view input, const ParseLimits& limits) {
  ParseOutcome outcome;
  Finder finder{limits, outcome};
  if (detail::looks_gzip(input) || detail::looks_zip(input) || looks_xml(input) ||
      looks_json(input) || content_start(input).empty()) {
    finder.content(input, "input", 0);
    return outcome;
  }
  finder.message(input, "input", 0);
  outcome.not_a_report = !finder.found_anything;
  return outcome;
}

}  // namespace hallmark::report
