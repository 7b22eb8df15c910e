// SPDX-License-Identifier: Apache-2.0
// Recording an SPF result: the Received-SPF field (RFC 7208 9.1) and the "spf" method of
// Authentication-Results (RFC 7208 9.2, RFC 8601 2.7.2). Values from the sender are escaped.
#pragma once

#include <string>
#include <string_view>

#include "hallmark/export.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::spf {

/// The whole field without the final line break: "Received-SPF: pass (mx.example.org: domain
/// of user@example.com designates 192.0.2.1 as permitted sender) receiver=mx.example.org;
/// client-ip=192.0.2.1; envelope-from="user@example.com"; helo=mail.example.com;
/// identity=mailfrom". `receiver` names this host ("unknown" when empty). Folded as
/// core::fold_header_field() does, with `newline` before each continuation line ("" for one
/// line); values from the sender are escaped and cut (core::header_value).
HALLMARK_API std::string received_spf(const Result& result, const Envelope& envelope,
                                      std::string_view receiver, std::string_view newline = "\r\n");

/// The method fragment: "spf=pass smtp.mailfrom=user@example.com" or, for the HELO
/// identity, "spf=none smtp.helo=mail.example.com".
HALLMARK_API std::string auth_results_fragment(const Result& result);

}  // namespace hallmark::spf
