// SPDX-License-Identifier: Apache-2.0
// The interoperability oracles as child processes: dkimpy (python3-dkim) through two small
// scripts, OpenDKIM's library through tests/dkim/oracles/opendkim_oracle.c, and
// opendkim-testmsg (opendkim-tools) as shipped. Keys travel in files, never through DNS.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/child_process.hpp"

namespace hallmark::dkim::oracle {

using Run = test_support::ProcessRun;
using test_support::TempDir;

/// Why an oracle cannot run here ("" when it can): which package or file is missing.
std::string dkimpy_missing();
std::string opendkim_missing();
std::string opendkim_testmsg_missing();

/// One published key, for the oracles' key files: "<selector>._domainkey.<domain> <record>".
struct PublishedKey {
  std::string name;
  std::string record;
};

struct SignRequest {
  std::string message;  // as the oracle should read it
  std::string key;      // PEM, or for dkimpy's Ed25519 the base64 seed
  std::string domain = "example.com";
  std::string selector = "sel";
  std::string algorithm;  // "rsa-sha256", "ed25519-sha256", ...
  std::string canonicalization = "relaxed/relaxed";
  bool length = false;
  bool oversign_from = false;  // OpenDKIM only; dkimpy over-signs From by itself
};

/// The DKIM-Signature field the oracle made, in CRLF form; "" when it failed (`error` says
/// why).
std::string dkimpy_sign(const SignRequest& request, std::string& error);
std::string opendkim_sign(const SignRequest& request, std::string& error);

/// One verdict line per signature, in header order ("pass", "fail ...", "error ..."); empty with
/// `error` set when the oracle itself failed.
std::vector<std::string> dkimpy_verify(std::string_view message,
                                       const std::vector<PublishedKey>& keys, std::string& error);
std::vector<std::string> opendkim_verify(std::string_view message,
                                         const std::vector<PublishedKey>& keys, std::string& error);

/// opendkim-testmsg -C -d DOMAIN -s SELECTOR -k KEY: the whole signed message.
std::string opendkim_testmsg_sign(std::string_view message, std::string_view pem,
                                  std::string_view domain, std::string_view selector,
                                  std::string& error);

}  // namespace hallmark::dkim::oracle
