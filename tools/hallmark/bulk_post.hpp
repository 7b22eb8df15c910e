// SPDX-License-Identifier: Apache-2.0
// `hallmark report parse --post URL`: sends `_bulk` NDJSON to OpenSearch or Elasticsearch over
// HTTP(S) with libcurl, in batches under the server's request size limit, and reads back what
// became of each document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hallmark::cli {

/// A document the server refused, as its `_bulk` response item tells it.
struct BulkDocumentError {
  std::string id;
  int status = 0;
  std::string type;    // error.type, e.g. "mapper_parsing_exception"
  std::string reason;  // error.reason
};

struct BulkPostResult {
  std::uint64_t documents = 0;  // documents sent
  std::uint64_t created = 0;
  std::uint64_t updated = 0;
  std::uint64_t failed = 0;
  std::vector<BulkDocumentError> errors;

  BulkPostResult& operator+=(BulkPostResult other);
};

/// The most NDJSON one request carries; OpenSearch's http.max_content_length defaults to
/// 100 MB, hosted offerings allow as little as 10 MB.
inline constexpr std::size_t max_bulk_request_bytes = 5 * 1024 * 1024;

/// The `_bulk` endpoint for a URL as the user gave it: an http:// or https:// URL whose path
/// gets "/_bulk" appended unless it already ends so ("http://host:9200" ->
/// "http://host:9200/_bulk", ".../dmarc/" -> ".../dmarc/_bulk"). Throws UsageError for anything
/// else.
std::string bulk_endpoint(const std::string& url);

/// POSTs `ndjson` (action line, document line, ...) to bulk_endpoint(url) as
/// application/x-ndjson, split at document boundaries into requests of at most
/// max_bulk_request_bytes (a single larger document goes alone). Basic auth comes from the
/// URL's user info; TLS certificates are verified unless `insecure`. Throws Failure when the
/// server cannot be reached, answers with an HTTP status of 400 or more, or with something
/// that is not a `_bulk` response.
BulkPostResult post_bulk(const std::string& url, const std::string& ndjson, bool insecure);

}  // namespace hallmark::cli
