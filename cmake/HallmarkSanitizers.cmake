# SPDX-License-Identifier: Apache-2.0
# AddressSanitizer + UBSan over the whole build (library, tests, tools): the `asan` preset.
if(HALLMARK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
