// SPDX-License-Identifier: Apache-2.0
// The `_bulk` client of `hallmark report parse --post`: one libcurl handle (so batches reuse the
// connection), NDJSON split at document boundaries, and the response's items counted.
#include "bulk_post.hpp"

#include <curl/curl.h>

#include <array>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "printable.hpp"

namespace hallmark::cli {

namespace {

// A `_bulk` response names every document; 64 MB is far beyond what 5 MB of NDJSON gets back.
constexpr std::size_t max_response_bytes = 64 * 1024 * 1024;

struct UrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct EasyDeleter {
  void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Url = std::unique_ptr<CURLU, UrlDeleter>;

std::optional<std::string> url_part(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, 0) != CURLUE_OK || text == nullptr) return std::nullopt;
  std::string value(text);
  curl_free(text);
  return value;
}

Url parse_url(const std::string& text) {
  Url url(curl_url());
  if (!url) throw Failure("out of memory");
  if (CURLUcode error = curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0); error != CURLUE_OK)
    throw UsageError(
        fmt::format("--post '{}' is not a URL: {}", printable(text), curl_url_strerror(error)));
  return url;
}

// The endpoint as error messages show it: without the password the user info may hold.
std::string shown(const std::string& endpoint) {
  Url url = parse_url(endpoint);
  curl_url_set(url.get(), CURLUPART_PASSWORD, nullptr, 0);
  return printable(url_part(url.get(), CURLUPART_URL).value_or("(the --post URL)"));
}

// Splits NDJSON into runs of whole documents (an action line and its source line) of at most
// max_bulk_request_bytes each, but never fewer than one document.
struct Batch {
  std::string_view ndjson;
  std::uint64_t documents = 0;
};

std::vector<Batch> batches(std::string_view ndjson) {
  std::vector<Batch> out;
  Batch current;
  std::size_t start = 0, end = 0;  // `current` is ndjson[start, end)
  while (end < ndjson.size()) {
    std::size_t next = end;
    for (int line = 0; line < 2 && next < ndjson.size(); ++line) {
      std::size_t newline = ndjson.find('\n', next);
      next = newline == std::string_view::npos ? ndjson.size() : newline + 1;
    }
    if (current.documents > 0 && next - start > max_bulk_request_bytes) {
      current.ndjson = ndjson.substr(start, end - start);
      out.push_back(current);
      current = Batch{};
      start = end;
    }
    ++current.documents;
    end = next;
  }
  if (current.documents > 0) {
    current.ndjson = ndjson.substr(start, end - start);
    out.push_back(current);
  }
  return out;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  std::size_t bytes = size * count;
  if (body->size() + bytes > max_response_bytes) return 0;  // libcurl: CURLE_WRITE_ERROR
  body->append(data, bytes);
  return bytes;
}

std::string text_of(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return value.dump();
}

// Counts one `_bulk` response: {"errors": bool, "items": [{"index": {"_id", "status",
// "result", "error": {"type", "reason"}}}, ...]}. Any action name is accepted, as the
// response names the action each item was.
std::optional<BulkPostResult> read_response(const std::string& body) {
  nlohmann::json response = nlohmann::json::parse(body, nullptr, false);
  if (response.is_discarded() || !response.is_object() || !response.contains("items") ||
      !response["items"].is_array())
    return std::nullopt;
  BulkPostResult result;
  for (const nlohmann::json& item : response["items"]) {
    if (!item.is_object() || item.empty() || !item.begin()->is_object()) return std::nullopt;
    const nlohmann::json& outcome = *item.begin();
    int status = outcome.contains("status") && outcome["status"].is_number_integer()
                     ? outcome["status"].get<int>()
                     : 0;
    const nlohmann::json error = outcome.value("error", nlohmann::json());
    if (!error.is_null() || status < 200 || status >= 300) {
      ++result.failed;
      BulkDocumentError failure{text_of(outcome.value("_id", nlohmann::json())), status, {}, {}};
      if (error.is_object()) {
        failure.type = text_of(error.value("type", nlohmann::json()));
        failure.reason = text_of(error.value("reason", nlohmann::json()));
      } else {
        failure.reason = text_of(error);  // Elasticsearch before 5 sent a bare string
      }
      result.errors.push_back(std::move(failure));
      continue;
    }
    // "result" says which; servers that leave it out answer 201 for a new document.
    std::string what = text_of(outcome.value("result", nlohmann::json()));
    if (what == "created" || (what.empty() && status == 201))
      ++result.created;
    else
      ++result.updated;
  }
  return result;
}

class BulkClient {
 public:
  BulkClient(const std::string& endpoint, bool insecure) : endpoint_(endpoint) {
    static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (initialised != CURLE_OK) throw Failure("cannot initialise libcurl");
    curl_.reset(curl_easy_init());
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-ndjson");
    headers_.reset(headers);
    if (headers) headers = curl_slist_append(headers, "Accept: application/json");
    // No "Expect: 100-continue" round trip before each batch.
    if (headers) headers = curl_slist_append(headers, "Expect:");
    if (!curl_ || !headers) throw Failure("cannot initialise libcurl");
    CURL* curl = curl_.get();
    curl_easy_setopt(curl, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_.data());
    if (insecure) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }

  BulkPostResult post(const Batch& batch) {
    CURL* curl = curl_.get();
    // The _bulk API wants the last line ended too.
    std::string ended;
    std::string_view payload = batch.ndjson;
    if (!payload.ends_with('\n')) {
      ended = std::string(payload) + '\n';
      payload = ended;
    }
    // A known size: libcurl sends Content-Length rather than a chunked body.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    body_.clear();
    error_[0] = '\0';
    if (CURLcode code = curl_easy_perform(curl); code != CURLE_OK) {
      std::string why = error_[0] != '\0' ? std::string(error_.data()) : curl_easy_strerror(code);
      if (code == CURLE_WRITE_ERROR)
        why = fmt::format("response over {} bytes", max_response_bytes);
      throw Failure(fmt::format("posting to {}: {}", shown(endpoint_), why));
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    std::string excerpt = printable(std::string_view(body_).substr(0, 200));
    if (status >= 400)
      throw Failure(fmt::format("posting to {}: HTTP {}: {}", shown(endpoint_), status, excerpt));
    std::optional<BulkPostResult> result = read_response(body_);
    if (!result)
      throw Failure(fmt::format("posting to {}: HTTP {}, not a _bulk response: {}",
                                shown(endpoint_), status, excerpt));
    result->documents = batch.documents;
    return std::move(*result);
  }

 private:
  std::string endpoint_;
  std::unique_ptr<CURL, EasyDeleter> curl_;
  std::unique_ptr<curl_slist, HeaderListDeleter> headers_;
  std::string body_;
  std::array<char, CURL_ERROR_SIZE> error_{};
};

}  // namespace

BulkPostResult& BulkPostResult::operator+=(BulkPostResult other) {
  documents += other.documents;
  created += other.created;
  updated += other.updated;
  failed += other.failed;
  for (BulkDocumentError& error : other.errors) errors.push_back(std::move(error));
  return *this;
}

std::string bulk_endpoint(const std::string& text) {
  Url url = parse_url(text);
  std::string scheme = url_part(url.get(), CURLUPART_SCHEME).value_or("");
  if (scheme != "http" && scheme != "https")
    throw UsageError(
        fmt::format("--post takes an http:// or https:// URL, not '{}'", printable(text)));
  if (url_part(url.get(), CURLUPART_HOST).value_or("").empty())
    throw UsageError(fmt::format("--post '{}' names no host", printable(text)));
  std::string path = url_part(url.get(), CURLUPART_PATH).value_or("/");
  if (!path.ends_with("/_bulk")) {
    if (!path.ends_with('/')) path += '/';
    path += "_bulk";
    curl_url_set(url.get(), CURLUPART_PATH, path.c_str(), 0);
  }
  std::optional<std::string> endpoint = url_part(url.get(), CURLUPART_URL);
  if (!endpoint) throw UsageError(fmt::format("--post '{}': bad URL", printable(text)));
  return *endpoint;
}

BulkPostResult post_bulk(const std::string& url, const std::string& ndjson, bool insecure) {
  BulkPostResult total;
  std::vector<Batch> pieces = batches(ndjson);
  if (pieces.empty()) return total;
  BulkClient client(bulk_endpoint(url), insecure);
  for (const Batch& batch : pieces) total += client.post(batch);
  return total;
}

}  // namespace hallmark::cli
