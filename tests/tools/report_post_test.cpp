// SPDX-License-Identifier: Apache-2.0
// `hallmark report parse --format bulk --post URL` against a loopback HTTP/1.1 server that
// answers like OpenSearch's _bulk API: what arrives (the NDJSON, its headers, the same ids on
// a second run, batches under 5 MB) and what the CLI makes of the answers (per-document
// errors, HTTP errors, responses that are not JSON).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"

namespace hallmark::cli {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::string sample = HALLMARK_CONFORMANCE_DIR
    "/dmarc/parsedmarc/rfc9990-example.net!example.com!1700000000!1700086399.xml";

struct HttpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;
};

// One HTTP/1.1 request per connection (answered with "Connection: close"), on 127.0.0.1 and
// an ephemeral port, served from a thread until the server goes away.
class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::string url(std::string_view userinfo = {}) const {
    return "http://" + std::string(userinfo) + "127.0.0.1:" + std::to_string(port_);
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  bool wait_readable(int fd) const {
    for (auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         !stop_ && std::chrono::steady_clock::now() < give_up;) {
      pollfd watched{fd, POLLIN, 0};
      if (::poll(&watched, 1, 50) > 0) return true;
    }
    return false;
  }

  void serve() {
    while (!stop_) {
      pollfd watched{listener_, POLLIN, 0};
      if (::poll(&watched, 1, 50) <= 0) continue;
      int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) continue;
      answer(connection);
      ::close(connection);
    }
  }

  // Reads one request; false when the connection ends first.
  bool read_request(int connection, HttpRequest& request) const {
    std::string data;
    char buffer[65536];
    std::size_t header_end;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      if (!wait_readable(connection)) return false;
      ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) return false;
      data.append(buffer, static_cast<std::size_t>(got));
    }
    std::istringstream head(data.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    std::istringstream request_line(line);
    request_line >> request.method >> request.target;
    while (std::getline(head, line)) {
      if (line.ends_with('\r')) line.pop_back();
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::ranges::transform(name, name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::size_t value = line.find_first_not_of(' ', colon + 1);
      request.headers[name] = value == std::string::npos ? "" : line.substr(value);
    }
    request.body = data.substr(header_end + 4);
    // The client is expected to announce the length (no chunked bodies here).
    auto length = request.headers.find("content-length");
    std::size_t wanted = length == request.headers.end() ? 0 : std::stoul(length->second);
    while (request.body.size() < wanted) {
      if (!wait_readable(connection)) return false;
      ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) return false;
      request.body.append(buffer, static_cast<std::size_t>(got));
    }
    return true;
  }

  void answer(int connection) {
    HttpRequest request;
    if (!read_request(connection, request)) return;
    HttpResponse response;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      response = request.headers.contains("content-length")
                     ? handler_(request)
                     : HttpResponse{411, R"({"error":"length required"})"};
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) +
                      " Whatever\r\nContent-Type: application/json; charset=UTF-8\r\n"
                      "Content-Length: " +
                      std::to_string(response.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      response.body;
    for (std::string_view left = out; !left.empty();) {
      ssize_t sent = ::send(connection, left.data(), left.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;
      left.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  Handler handler_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_ = false;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> requests_;
  std::thread thread_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> ids_in(const std::string& ndjson) {
  std::vector<std::string> ids;
  std::vector<std::string> lines = lines_of(ndjson);
  for (std::size_t i = 0; i < lines.size(); i += 2)
    ids.push_back(nlohmann::json::parse(lines[i])["index"]["_id"]);
  return ids;
}

// Answers as OpenSearch does: 201 "created" for an id it has not seen, 200 "updated" after.
class FakeOpenSearch {
 public:
  HttpResponse operator()(const HttpRequest& request) {
    nlohmann::json items = nlohmann::json::array();
    for (const std::string& id : ids_in(request.body)) {
      bool seen = !ids_.insert(id).second;
      items.push_back({{"index",
                        {{"_index", "dmarc-reports"},
                         {"_id", id},
                         {"_version", seen ? 2 : 1},
                         {"result", seen ? "updated" : "created"},
                         {"status", seen ? 200 : 201}}}});
    }
    return {200, nlohmann::json{{"took", 3}, {"errors", false}, {"items", items}}.dump()};
  }

 private:
  std::set<std::string> ids_;
};

RunResult post(const HttpServer& server, const std::vector<std::string>& files,
               std::string_view path = "/_bulk") {
  std::vector<std::string> args = {
      "report",  "parse",         "--format", "bulk",
      "--index", "dmarc-reports", "--post",   server.url() + std::string(path)};
  args.insert(args.end(), files.begin(), files.end());
  return run_cli(args);
}

TEST(ReportPost, SendsTheBulkNdjsonAsPrinted) {
  HttpServer server(FakeOpenSearch{});
  RunResult r = post(server, {sample});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "posted 2 documents: 2 created, 0 updated, 0 failed\n");

  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/_bulk");
  EXPECT_EQ(request.headers.at("content-type"), "application/x-ndjson");
  EXPECT_EQ(request.headers.at("content-length"), std::to_string(request.body.size()));
  EXPECT_FALSE(request.headers.contains("transfer-encoding"));
  EXPECT_FALSE(request.headers.contains("authorization"));

  // Exactly what --format bulk prints, action lines and documents alternating.
  RunResult printed =
      run_cli({"report", "parse", "--format", "bulk", "--index", "dmarc-reports", sample});
  ASSERT_EQ(printed.status, 0) << printed.err;
  EXPECT_EQ(request.body, printed.out);
  std::vector<std::string> lines = lines_of(request.body);
  ASSERT_EQ(lines.size(), 4u);
  for (std::size_t row = 0; row < 2; ++row) {
    nlohmann::json action = nlohmann::json::parse(lines[2 * row]);
    EXPECT_EQ(action["index"]["_index"], "dmarc-reports");
    std::string id = action["index"]["_id"];
    EXPECT_THAT(id, testing::MatchesRegex("[0-9a-f]{32}-" + std::to_string(row)));
  }
  nlohmann::json first = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(first["report_kind"], "dmarc-aggregate");
  EXPECT_EQ(first["org_name"], "example.net");
  EXPECT_EQ(first["report_id"], "dmarcbis-test-report-001");
  EXPECT_EQ(first["date_begin"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(first["policy_domain"], "example.com");
  EXPECT_EQ(first["policy_p"], "reject");
  EXPECT_EQ(first["source_ip"], "198.51.100.1");
  EXPECT_EQ(first["count"], 5);
  EXPECT_EQ(first["disposition"], "none");
  EXPECT_EQ(first["dmarc_aligned"], true);
  EXPECT_EQ(first["dkim_selectors"], nlohmann::json::array({"selector1"}));
  nlohmann::json second = nlohmann::json::parse(lines[3]);
  EXPECT_EQ(second["source_ip"], "203.0.113.10");
  EXPECT_EQ(second["count"], 2);
  EXPECT_EQ(second["disposition"], "reject");
  EXPECT_EQ(second["dmarc_aligned"], false);
  EXPECT_EQ(second["override_reasons"], nlohmann::json::array({"other"}));
  EXPECT_EQ(second["envelope_from"], "spoofed.example.com");
  EXPECT_FALSE(second.contains("source_country"));  // no --geoip
}

TEST(ReportPost, PostingAgainSendsTheSameIds) {
  HttpServer server(FakeOpenSearch{});
  RunResult first = post(server, {sample});
  ASSERT_EQ(first.status, 0) << first.err;
  RunResult again = post(server, {sample});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, "posted 2 documents: 0 created, 2 updated, 0 failed\n");
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(ids_in(requests[0].body), ids_in(requests[1].body));
  EXPECT_EQ(requests[0].body, requests[1].body);
}

TEST(ReportPost, AppendsBulkToTheUrlPath) {
  struct {
    std::string_view given, sent;
  } cases[] = {{"", "/_bulk"},
               {"/", "/_bulk"},
               {"/_bulk", "/_bulk"},
               {"/dmarc-reports", "/dmarc-reports/_bulk"},
               {"/_bulk?refresh=true", "/_bulk?refresh=true"}};
  for (auto [given, sent] : cases) {
    HttpServer server(FakeOpenSearch{});
    RunResult r = post(server, {sample}, given);
    ASSERT_EQ(r.status, 0) << given << ": " << r.err;
    std::vector<HttpRequest> requests = server.requests();
    ASSERT_EQ(requests.size(), 1u) << given;
    EXPECT_EQ(requests[0].target, sent) << given;
  }
}

TEST(ReportPost, SendsBasicAuthFromTheUrlAndNeverShowsThePassword) {
  HttpServer server([](const HttpRequest&) {
    return HttpResponse{401, R"({"error":"unauthorized"})"};
  });
  RunResult r = run_cli({"report", "parse", "--format", "bulk", "--index", "dmarc-reports",
                         "--post", server.url("hallmark:s3cret@"), sample});
  EXPECT_EQ(r.status, 1);
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers["authorization"], "Basic aGFsbG1hcms6czNjcmV0");  // hallmark:s3cret
  EXPECT_THAT(r.err, HasSubstr("HTTP 401"));
  EXPECT_THAT(r.err, HasSubstr("hallmark@127.0.0.1"));
  EXPECT_THAT(r.err, Not(HasSubstr("s3cret")));
}

TEST(ReportPost, ReportsDocumentErrorsAndFails) {
  HttpServer server([](const HttpRequest& request) {
    std::vector<std::string> ids = ids_in(request.body);
    nlohmann::json items = nlohmann::json::array();
    items.push_back({{"index", {{"_id", ids.at(0)}, {"result", "created"}, {"status", 201}}}});
    items.push_back({{"index",
                      {{"_id", ids.at(1)},
                       {"status", 400},
                       {"error",
                        {{"type", "mapper_parsing_exception"},
                         {"reason", "failed to parse field [source_ip] of type [ip]"}}}}}});
    return HttpResponse{200, nlohmann::json{{"errors", true}, {"items", items}}.dump()};
  });
  RunResult r = post(server, {sample});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "posted 2 documents: 1 created, 0 updated, 1 failed\n");
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  std::string failed_id = ids_in(requests[0].body).at(1);
  EXPECT_THAT(r.err, HasSubstr("document " + failed_id));
  EXPECT_THAT(r.err, HasSubstr("400"));
  EXPECT_THAT(r.err, HasSubstr("mapper_parsing_exception"));
  EXPECT_THAT(r.err, HasSubstr("failed to parse field [source_ip] of type [ip]"));
}

TEST(ReportPost, ServerErrorFailsCleanly) {
  std::string body = R"({"error":{"type":"cluster_block_exception","reason":")" +
                     std::string(300, 'x') + R"("},"status":500})";
  HttpServer server([&body](const HttpRequest&) { return HttpResponse{500, body}; });
  RunResult r = post(server, {sample});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("HTTP 500"));
  EXPECT_THAT(r.err, HasSubstr(body.substr(0, 200)));
  EXPECT_THAT(r.err, Not(HasSubstr(body.substr(0, 201))));
}

TEST(ReportPost, ResponseThatIsNotABulkAnswerFails) {
  HttpServer server([](const HttpRequest&) {
    return HttpResponse{200, "<html>proxy login</html>"};
  });
  RunResult r = post(server, {sample});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("HTTP 200"));
  EXPECT_THAT(r.err, HasSubstr("<html>proxy login</html>"));
}

TEST(ReportPost, UnreachableServerFails) {
  int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(probe);  // nobody listens on that port now
  RunResult r = run_cli({"report", "parse", "--format", "bulk", "--index", "x", "--post",
                         "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)), sample});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("posting to http://127.0.0.1:"));
}

TEST(ReportPost, PostWithoutBulkFormatIsAUsageError) {
  std::vector<std::vector<std::string>> wrong = {
      {"report", "parse", "--post", "http://127.0.0.1:9/", sample},
      {"report", "parse", "--format", "json", "--post", "http://127.0.0.1:9/", sample},
      {"report", "parse", "--format", "bulk", "--index", "x", "--summary", "--post",
       "http://127.0.0.1:9/", sample},
      {"report", "parse", "--format", "bulk", "--index", "x", "--insecure", sample},
      {"report", "parse", "--format", "bulk", "--index", "x", "--post", "ftp://127.0.0.1/", sample},
  };
  for (const auto& args : wrong) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.status, 2) << testing::PrintToString(args) << "\n" << r.err;
    EXPECT_EQ(r.out, "");
  }
}

// An aggregate report with `rows` record rows, each from its own source IP.
std::string large_report(std::size_t rows) {
  std::string xml = R"(<?xml version="1.0"?>
<feedback><version>2.0</version>
<report_metadata><org_name>big.example</org_name><email>dmarc@big.example</email>
<report_id>big-1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>
</report_metadata>
<policy_published><domain>example.com</domain><p>reject</p></policy_published>
)";
  for (std::size_t i = 0; i < rows; ++i)
    xml += "<record><row><source_ip>10." + std::to_string(i / 65536 % 256) + "." +
           std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) +
           "</source_ip><count>1</count><policy_evaluated><disposition>none</disposition>"
           "<dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers>"
           "<header_from>example.com</header_from><envelope_from>bounces.example.com"
           "</envelope_from></identifiers><auth_results><dkim><domain>example.com</domain>"
           "<selector>s1</selector><result>pass</result></dkim><spf><domain>"
           "bounces.example.com</domain><scope>mfrom</scope><result>fail</result></spf>"
           "</auth_results></record>\n";
  return xml + "</feedback>\n";
}

TEST(ReportPost, SplitsLargeReportsIntoBatchesOfWholeDocuments) {
  constexpr std::size_t rows = 7500;  // about 6 MB of NDJSON
  std::string file = write_temp_file("large-report.xml", large_report(rows));
  HttpServer server(FakeOpenSearch{});
  RunResult r = post(server, {file});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "posted " + std::to_string(rows) + " documents: " + std::to_string(rows) +
                       " created, 0 updated, 0 failed\n");
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_GE(requests.size(), 2u);
  std::vector<std::string> all_ids;
  for (const HttpRequest& request : requests) {
    EXPECT_LE(request.body.size(), 5u * 1024 * 1024);
    EXPECT_TRUE(request.body.ends_with('\n'));
    std::vector<std::string> lines = lines_of(request.body);
    ASSERT_EQ(lines.size() % 2, 0u);
    for (std::size_t i = 0; i < lines.size(); i += 2) {
      // Not parsed: thousands of documents through a Debug build's JSON parser take seconds.
      EXPECT_TRUE(lines[i + 1].starts_with(R"({"report_kind":"dmarc-aggregate",)"));
    }
    for (std::string& id : ids_in(request.body)) all_ids.push_back(std::move(id));
  }
  EXPECT_EQ(all_ids.size(), rows);
  EXPECT_EQ(std::set<std::string>(all_ids.begin(), all_ids.end()).size(), rows);
}

}  // namespace
}  // namespace hallmark::cli
