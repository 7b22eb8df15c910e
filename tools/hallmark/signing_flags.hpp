// SPDX-License-Identifier: Apache-2.0
// What the verbs that add signatures (dkim-sign, arc-seal) share: required flags, the key
// file, the --headers list, and writing fields in the message's own line ends.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dkim/types.hpp"

namespace hallmark::cli {

/// The value of a flag that must be given and not empty; UsageError otherwise.
std::string required(const Args& args, std::string_view flag);

/// The value of a required --domain or --selector flag, checked to be a name DNS can hold;
/// `what` names it in the usage error ("a domain name").
std::string name_flag(const Args& args, std::string_view flag, std::string_view what);

/// --algorithm, when given: rsa-sha256 or ed25519-sha256 (rsa-sha1 is a usage error, RFC 8301
/// 3.1: signers must not use it).
std::optional<dkim::Algorithm> algorithm_flag(const Args& args);

/// Reads and decodes the private key at `path`; Failure naming the file when it cannot.
dkim::PrivateKey load_private_key(const std::string& path);

/// "a:b:c" as field names; UsageError for an empty or non-printable name.
std::vector<std::string> parse_header_names(std::string_view text);

/// `field` with each CRLF made a bare LF, for messages stored with bare LF line ends.
std::string with_bare_lf(std::string_view field);

/// Writes to standard output; Failure on a write error.
void write_out(std::string_view bytes);

}  // namespace hallmark::cli
