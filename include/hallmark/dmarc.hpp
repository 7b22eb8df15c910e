// SPDX-License-Identifier: Apache-2.0
// The DMARC layer (RFC 9989, RFC 7489): policy records so far; discovery and evaluation next.
#pragma once

#include "hallmark/dmarc/record.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/dmarc/evaluate.hpp"
