// SPDX-License-Identifier: Apache-2.0
// The command lines of each DKIM interoperability oracle, and how their answers are read.
#include "oracle.hpp"

#include <unistd.h>

#include <sstream>

namespace hallmark::dkim::oracle {
namespace {

// The python3 on PATH may be another interpreter without Debian's modules: dkimpy is Debian's
// python3-dkim, importable by Debian's interpreter.
constexpr const char* python = "/usr/bin/python3";
const std::string oracle_dir = std::string(HALLMARK_SOURCE_DIR) + "/tests/dkim/oracles/";

std::string crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string keys_file(const TempDir& dir, const std::vector<PublishedKey>& keys) {
  std::string text;
  for (const PublishedKey& key : keys) text += key.name + " " + key.record + "\n";
  return dir.write("keys.txt", text);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string describe(const Run& r) {
  if (r.timed_out) return "timed out";
  return "exit status " + std::to_string(r.status) + ": " + r.err;
}

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string dkimpy_missing() {
  static const std::string why = [] {
    if (!executable(python))
      return std::string("/usr/bin/python3 is missing (Debian package python3)");
    Run probe = test_support::run_process({python, "-c", "import dkim, nacl"});
    if (probe.status != 0)
      return "/usr/bin/python3 cannot import dkim and nacl (Debian packages python3-dkim, "
             "python3-nacl): " +
             probe.err;
    return std::string();
  }();
  return why;
}

std::string opendkim_missing() {
  const std::string path = HALLMARK_OPENDKIM_ORACLE;
  if (path.empty())
    return "the OpenDKIM oracle was not built: libopendkim was not found at configure time (Debian "
           "package libopendkim-dev)";
  if (!executable(path)) return path + " is missing; build the dkim_test target";
  return {};
}

std::string opendkim_testmsg_missing() {
  if (!executable("/usr/sbin/opendkim-testmsg"))
    return "/usr/sbin/opendkim-testmsg is missing (Debian package opendkim-tools)";
  return {};
}

std::string dkimpy_sign(const SignRequest& request, std::string& error) {
  TempDir dir;
  std::vector<std::string> argv = {python,
                                   oracle_dir + "dkimpy_sign.py",
                                   dir.write("message.eml", request.message),
                                   dir.write("key", request.key),
                                   request.domain,
                                   request.selector,
                                   request.algorithm,
                                   request.canonicalization,
                                   request.length ? "1" : "0"};
  Run r = test_support::run_process(argv);
  if (r.status != 0 || r.out.empty()) {
    error = "dkimpy_sign.py: " + describe(r);
    return {};
  }
  return crlf(r.out);
}

std::string opendkim_sign(const SignRequest& request, std::string& error) {
  TempDir dir;
  std::vector<std::string> argv = {HALLMARK_OPENDKIM_ORACLE,
                                   "sign",
                                   dir.write("key.pem", request.key),
                                   request.domain,
                                   request.selector,
                                   request.algorithm,
                                   request.canonicalization,
                                   request.length ? "1" : "0",
                                   request.oversign_from ? "1" : "0"};
  Run r = test_support::run_process(argv, request.message);
  if (r.status != 0 || r.out.empty()) {
    error = "opendkim_oracle sign: " + describe(r);
    return {};
  }
  return crlf(r.out);
}

std::vector<std::string> dkimpy_verify(std::string_view message,
                                       const std::vector<PublishedKey>& keys, std::string& error) {
  TempDir dir;
  Run r = test_support::run_process({python, oracle_dir + "dkimpy_verify.py",
                                     dir.write("message.eml", message), keys_file(dir, keys)});
  if (r.status != 0) {
    error = "dkimpy_verify.py: " + describe(r);
    return {};
  }
  return lines_of(r.out);
}

std::vector<std::string> opendkim_verify(std::string_view message,
                                         const std::vector<PublishedKey>& keys,
                                         std::string& error) {
  TempDir dir;
  Run r = test_support::run_process({HALLMARK_OPENDKIM_ORACLE, "verify", keys_file(dir, keys)},
                                    message);
  if (r.status != 0) {
    error = "opendkim_oracle verify: " + describe(r);
    return {};
  }
  return lines_of(r.out);
}

std::string opendkim_testmsg_sign(std::string_view message, std::string_view pem,
                                  std::string_view domain, std::string_view selector,
                                  std::string& error) {
  TempDir dir;
  // -C keeps CRLF in the signature field; without it the tool prints a corrupted b= tail
  // (its CR-stripping does not re-terminate the string).
  Run r = test_support::run_process({"/usr/sbin/opendkim-testmsg", "-C", "-d", std::string(domain),
                                     "-s", std::string(selector), "-k", dir.write("key.pem", pem)},
                                    message);
  if (r.status != 0 || r.out.empty()) {
    error = "opendkim-testmsg: " + describe(r);
    return {};
  }
  return r.out;
}

}  // namespace hallmark::dkim::oracle
