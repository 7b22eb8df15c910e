// SPDX-License-Identifier: Apache-2.0
// Builders for report tests: gzip and zip archives made in memory (with zlib and libzip, the
// same libraries the parser reads them with, driven the other way), and report e-mails.
#pragma once

#include <zip.h>
#include <zlib.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hallmark/core/base64.hpp"

namespace hallmark::report::fixtures {

/// A small aggregate report: reporter.example on example.com, one record of 3 messages from
/// 192.0.2.7 (DKIM aligned, SPF not).
inline std::string aggregate_xml(std::string_view report_id = "r-42") {
  return "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>reporter.example"
         "</org_name><report_id>" +
         std::string(report_id) +
         "</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
         "</report_metadata><policy_published><domain>example.com</domain><p>none</p>"
         "</policy_published><record><row><source_ip>192.0.2.7</source_ip><count>3</count>"
         "<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>"
         "</policy_evaluated></row><identifiers><header_from>example.com</header_from>"
         "</identifiers><auth_results><dkim><domain>example.com</domain><result>pass</result>"
         "</dkim></auth_results></record></feedback>\n";
}

/// A small TLS report (RFC 8460): one STS policy, 10 sessions good, 1 failed on an expired
/// certificate.
inline const std::string tls_json = R"({
  "organization-name": "Sender Inc",
  "date-range": {"start-datetime": "2026-11-30T00:00:00Z", "end-datetime": "2026-11-30T23:59:59Z"},
  "contact-info": "tlsrpt@sender.example",
  "report-id": "tls-7",
  "policies": [{
    "policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce"],
               "policy-domain": "example.com", "mx-host": ["mx.example.com"]},
    "summary": {"total-successful-session-count": 10, "total-failure-session-count": 1},
    "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "198.51.100.9",
                         "receiving-ip": "192.0.2.25", "failed-session-count": 1}]
  }]
})";

/// `data` as a gzip file. `repeat` feeds the same bytes that many times (to make bombs
/// without holding their expansion in memory).
inline std::string gzip(std::string_view data, std::size_t repeat = 1) {
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out;
  std::string buffer(64 * 1024, '\0');
  for (std::size_t round = 0; round < repeat; ++round) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    int flush = round + 1 == repeat ? Z_FINISH : Z_NO_FLUSH;
    int status = Z_OK;
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
      stream.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&stream, flush);
      out.append(buffer.data(), buffer.size() - stream.avail_out);
    } while (stream.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  }
  deflateEnd(&stream);
  return out;
}

/// A zip archive holding `members` (name, content), deflated.
inline std::string zip(const std::vector<std::pair<std::string, std::string>>& members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* archive_source = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(archive_source);
  zip_t* archive = zip_open_from_source(archive_source, ZIP_TRUNCATE, &error);
  if (archive == nullptr) throw std::runtime_error("zip_open_from_source");
  for (const auto& [name, content] : members) {
    zip_source_t* file = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (zip_file_add(archive, name.c_str(), file, ZIP_FL_ENC_UTF_8) < 0)
      throw std::runtime_error("zip_file_add");
  }
  if (zip_close(archive) != 0) throw std::runtime_error("zip_close");
  zip_stat_t stat;
  zip_source_stat(archive_source, &stat);
  std::string out(static_cast<std::size_t>(stat.size), '\0');
  zip_source_open(archive_source);
  zip_source_read(archive_source, out.data(), out.size());
  zip_source_close(archive_source);
  zip_source_free(archive_source);
  zip_error_fini(&error);
  return out;
}

/// base64 in 76-character lines, as MIME writes it.
inline std::string base64_lines(std::string_view data) {
  std::string encoded = core::base64_encode(data);
  std::string out;
  for (std::size_t at = 0; at < encoded.size(); at += 76) out += encoded.substr(at, 76) + "\r\n";
  return out;
}

struct Attachment {
  std::string content_type;  // with parameters
  std::string body;          // already encoded as `encoding` says
  std::string encoding = "base64";
  std::string disposition;  // the whole Content-Disposition value, or empty
};

/// A multipart/mixed report e-mail with a text part and `attachments`.
inline std::string report_email(const std::vector<Attachment>& attachments,
                                std::string_view subject = "Report Domain: example.com") {
  std::string message =
      "From: noreply-dmarc@reporter.example\r\nTo: dmarc@example.com\r\nSubject: " +
      std::string(subject) +
      "\r\nMessage-ID: <report-1@reporter.example>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"=_outer\"\r\n\r\nPreamble.\r\n"
      "--=_outer\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is a report.\r\n";
  for (const Attachment& attachment : attachments) {
    message += "--=_outer\r\nContent-Type: " + attachment.content_type + "\r\n";
    if (!attachment.encoding.empty())
      message += "Content-Transfer-Encoding: " + attachment.encoding + "\r\n";
    if (!attachment.disposition.empty())
      message += "Content-Disposition: " + attachment.disposition + "\r\n";
    message += "\r\n" + attachment.body + "\r\n";
  }
  return message + "--=_outer--\r\nEpilogue.\r\n";
}

}  // namespace hallmark::report::fixtures
