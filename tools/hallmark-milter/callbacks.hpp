// SPDX-License-Identifier: Apache-2.0
// libmilter's callbacks: each SMTP transaction streamed into one Authenticator session, and
// the verdict turned into header edits and an SMTP answer at end of message.
#pragma once

#include <libmilter/mfapi.h>

namespace hallmark::milter {

/// The filter description for smfi_register(), its callbacks using Runtime::current().
smfiDesc filter_description();

}  // namespace hallmark::milter
