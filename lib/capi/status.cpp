// SPDX-License-Identifier: Apache-2.0
// Versions, status texts and the mapping of library errors to C statuses.
#include "capi/handles.hpp"

extern "C" {

const char* hallmark_version(void) { return HALLMARK_VERSION_STRING; }

unsigned long hallmark_version_number(void) { return HALLMARK_VERSION_NUMBER; }

const char* hallmark_strerror(hallmark_status status) {
  switch (hallmark::capi::enum_number(status)) {
    case HALLMARK_OK: return "success";
    case HALLMARK_ERR_INVALID_ARGUMENT: return "invalid argument";
    case HALLMARK_ERR_NO_MEMORY: return "out of memory";
    case HALLMARK_ERR_STATE: return "call out of order";
    case HALLMARK_ERR_SYNTAX: return "malformed input";
    case HALLMARK_ERR_LIMIT: return "input past a limit";
    case HALLMARK_ERR_IO: return "input/output error";
    case HALLMARK_ERR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

}  // extern "C"

namespace hallmark::capi {

void set_error(std::string& slot, std::string_view text) noexcept {
  try {
    slot.assign(text);
  } catch (...) {
    // Out of memory while reporting: the status code still says what happened.
  }
}

hallmark_status status_of(const core::Error& error) noexcept {
  switch (error.code) {
    case core::Errc::syntax:
    case core::Errc::missing_tag:
    case core::Errc::duplicate_tag:
    case core::Errc::bad_encoding: return HALLMARK_ERR_SYNTAX;
    case core::Errc::too_long:
    case core::Errc::too_many: return HALLMARK_ERR_LIMIT;
    case core::Errc::io: return HALLMARK_ERR_IO;
    case core::Errc::bad_value:
    case core::Errc::unsupported: return HALLMARK_ERR_INVALID_ARGUMENT;
  }
  return HALLMARK_ERR_INTERNAL;
}

hallmark_status file_status_of(const core::Error& error) noexcept {
  hallmark_status status = status_of(error);
  return status == HALLMARK_ERR_INVALID_ARGUMENT ? HALLMARK_ERR_SYNTAX : status;
}

}  // namespace hallmark::capi
