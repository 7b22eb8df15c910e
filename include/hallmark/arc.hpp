// SPDX-License-Identifier: Apache-2.0
// The ARC layer (RFC 8617): parsing, chain validation and sealing.
#pragma once

#include "hallmark/arc/parse.hpp"
#include "hallmark/arc/seal.hpp"
#include "hallmark/arc/types.hpp"
#include "hallmark/arc/verify.hpp"
