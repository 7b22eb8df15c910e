// SPDX-License-Identifier: Apache-2.0
// The Reason a DKIM-Signature parse error reports. Layer-private.
#pragma once

#include "hallmark/core/error.hpp"
#include "hallmark/dkim/types.hpp"

namespace hallmark::dkim::detail {

/// Maps an error from parse_signature() to the reason code a verifier reports for it.
Reason reason_for(const core::Error& error) noexcept;

}  // namespace hallmark::dkim::detail
