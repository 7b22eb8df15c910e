// SPDX-License-Identifier: Apache-2.0
// The domain audit: SPF tree, DKIM keys, DMARC and report destinations, MX, TLS-RPT, MTA-STS
// and BIMI records, with findings.
#pragma once

#include "hallmark/audit/audit.hpp"
