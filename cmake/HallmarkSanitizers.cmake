# SPDX-License-Identifier: Apache-2.0
# AddressSanitizer + UBSan over the whole build (library, tests, tools): the `asan` preset.
if(HALLMARK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer for the tests of what threads share (the authenticator, the DNS cache): the
# `tsan` configuration of .ci/run. It cannot be combined with AddressSanitizer.
if(HALLMARK_TSAN)
  if(HALLMARK_SANITIZE)
    message(FATAL_ERROR "HALLMARK_TSAN and HALLMARK_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
