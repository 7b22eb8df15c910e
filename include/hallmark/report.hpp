// SPDX-License-Identifier: Apache-2.0
// Reports in: DMARC aggregate and failure reports and SMTP TLS reports, parsed from the files
// and e-mails the world sends a domain's rua/ruf/TLS-RPT addresses.
#pragma once

#include "hallmark/report/aggregate.hpp"
#include "hallmark/report/failure.hpp"
#include "hallmark/report/parse.hpp"
#include "hallmark/report/tls.hpp"
