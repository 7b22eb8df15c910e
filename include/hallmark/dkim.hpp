// SPDX-License-Identifier: Apache-2.0
// The DKIM layer (RFC 6376, 8301, 8463): parsing, canonicalization, verification, signing.
#pragma once

#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/dkim/canonicalize.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dkim/parse.hpp"
#include "hallmark/dkim/record.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dkim/verify.hpp"
