// SPDX-License-Identifier: Apache-2.0
// hallmark_options: the settings of an authenticator, gathered call by call.
#include <chrono>

#include "capi/handles.hpp"

namespace {

using hallmark::capi::guarded;
using hallmark::capi::set_error;

// A null handle has nowhere to keep an error: the status alone says it.
template <class Body>
hallmark_status with_options(hallmark_options* options, Body&& body) noexcept {
  if (options == nullptr) return HALLMARK_ERR_INVALID_ARGUMENT;
  return guarded(&options->error, [&] { return body(*options); });
}

hallmark_status reject(hallmark_options& options, std::string_view why) {
  set_error(options.error, why);
  return HALLMARK_ERR_INVALID_ARGUMENT;
}

// Paths and names are C strings; NULL is an error where a value is required.
hallmark_status set_text(hallmark_options* options, const char* value, std::string_view what,
                         std::string& (*slot)(hallmark_options&)) {
  return with_options(options, [&](hallmark_options& o) {
    if (value == nullptr) return reject(o, std::string(what) + " is NULL");
    slot(o) = value;
    return HALLMARK_OK;
  });
}

// The list files: NULL or "" means none.
hallmark_status set_file(hallmark_options* options, const char* path,
                         std::string HallmarkListFiles::*file) {
  return with_options(options, [&](hallmark_options& o) {
    o.files.*file = path == nullptr ? "" : path;
    return HALLMARK_OK;
  });
}

}  // namespace

extern "C" {

hallmark_options* hallmark_options_new(void) {
  try {
    return new hallmark_options();
  } catch (...) {
    return nullptr;
  }
}

void hallmark_options_free(hallmark_options* options) { delete options; }

const char* hallmark_options_error(const hallmark_options* options) {
  return options == nullptr ? "" : options->error.c_str();
}

hallmark_status hallmark_options_set_authserv_id(hallmark_options* options,
                                                 const char* authserv_id) {
  return set_text(options, authserv_id, "authserv_id",
                  [](hallmark_options& o) -> std::string& { return o.options.authserv_id; });
}

hallmark_status hallmark_options_set_deadline_ms(hallmark_options* options,
                                                 unsigned long milliseconds) {
  return with_options(options, [&](hallmark_options& o) {
    if (milliseconds == 0) return reject(o, "the deadline must be at least 1 ms");
    o.options.deadline = std::chrono::milliseconds(milliseconds);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_max_dns_queries(hallmark_options* options,
                                                     unsigned long queries) {
  return with_options(options, [&](hallmark_options& o) {
    if (queries == 0) return reject(o, "at least one DNS query per message is needed");
    o.options.max_dns_queries = queries;
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_limit(hallmark_options* options, hallmark_limit limit,
                                           unsigned long value) {
  const int which = hallmark::capi::enum_number(limit);
  return with_options(options, [&](hallmark_options& o) {
    if (value == 0) return reject(o, "a limit must be at least 1");
    switch (which) {
      case HALLMARK_LIMIT_DKIM_SIGNATURES: o.options.max_dkim_signatures = value; break;
      case HALLMARK_LIMIT_ARC_SETS: o.options.max_arc_sets = value; break;
      case HALLMARK_LIMIT_HEADER_BYTES: o.options.header_limits.max_header_bytes = value; break;
      case HALLMARK_LIMIT_HEADER_FIELDS: o.options.header_limits.max_fields = value; break;
      default: return reject(o, "no such limit");
    }
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_check_helo(hallmark_options* options, int on) {
  return with_options(options, [&](hallmark_options& o) {
    o.options.check_helo = on != 0;
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_iprev(hallmark_options* options, int on) {
  return with_options(options, [&](hallmark_options& o) {
    o.options.iprev = on != 0;
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_add_zone_file(hallmark_options* options, const char* path) {
  return with_options(options, [&](hallmark_options& o) {
    if (path == nullptr || *path == '\0') return reject(o, "zone file path is NULL or empty");
    o.resolver.zone_files.emplace_back(path);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_add_dns_server(hallmark_options* options, const char* server) {
  return with_options(options, [&](hallmark_options& o) {
    if (server == nullptr || *server == '\0') return reject(o, "DNS server is NULL or empty");
    // Checked when the resolver is made (hallmark_ctx_new), which knows the syntax.
    o.resolver.cares.servers.emplace_back(server);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_dns_timeout_ms(hallmark_options* options,
                                                    unsigned long milliseconds) {
  return with_options(options, [&](hallmark_options& o) {
    if (milliseconds == 0) return reject(o, "the DNS timeout must be at least 1 ms");
    o.resolver.cares.timeout = std::chrono::milliseconds(milliseconds);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_dns_tries(hallmark_options* options, unsigned tries) {
  return with_options(options, [&](hallmark_options& o) {
    if (tries == 0 || tries > 100) return reject(o, "DNS tries must be between 1 and 100");
    o.resolver.cares.tries = static_cast<int>(tries);
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_event_loop(hallmark_options* options, int on) {
  return with_options(options, [&](hallmark_options& o) {
    o.event_loop = on != 0;
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_dns_callback(hallmark_options* options,
                                                  hallmark_dns_start_fn start, void* user) {
  return with_options(options, [&](hallmark_options& o) {
    o.dns_start = start;
    o.dns_user = start == nullptr ? nullptr : user;
    return HALLMARK_OK;
  });
}

hallmark_status hallmark_options_set_score_file(hallmark_options* options, const char* path) {
  return set_file(options, path, &HallmarkListFiles::scores);
}

hallmark_status hallmark_options_set_allow_dmarc_file(hallmark_options* options, const char* path) {
  return set_file(options, path, &HallmarkListFiles::allow_dmarc);
}

hallmark_status hallmark_options_set_allow_spf_dkim_file(hallmark_options* options,
                                                         const char* path) {
  return set_file(options, path, &HallmarkListFiles::allow_spf_dkim);
}

hallmark_status hallmark_options_set_trusted_arc_file(hallmark_options* options, const char* path) {
  return set_file(options, path, &HallmarkListFiles::trusted_arc);
}

}  // extern "C"
