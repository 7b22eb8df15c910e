// SPDX-License-Identifier: Apache-2.0
// The whole C++ API of hallmark (namespace hallmark).
#pragma once

#include "hallmark/arc.hpp"
#include "hallmark/audit.hpp"
#include "hallmark/authenticator.hpp"
#include "hallmark/core.hpp"
#include "hallmark/dkim.hpp"
#include "hallmark/dmarc.hpp"
#include "hallmark/dns.hpp"
#include "hallmark/mail.hpp"
#include "hallmark/report.hpp"
#include "hallmark/spf.hpp"
#include "hallmark/version.h"
