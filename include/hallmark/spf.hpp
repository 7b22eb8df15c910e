// SPDX-License-Identifier: Apache-2.0
// The SPF layer (RFC 7208): record parsing, check_host(), recording the result.
#pragma once

#include "hallmark/spf/auth_results.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/record.hpp"
#include "hallmark/spf/record_cache.hpp"
#include "hallmark/spf/types.hpp"
