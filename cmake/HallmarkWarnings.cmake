# SPDX-License-Identifier: Apache-2.0
# Warning flags live on an interface target that every hallmark target links privately.
add_library(hallmark_warnings INTERFACE)
target_compile_options(hallmark_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wimplicit-fallthrough -Wmissing-declarations)
if(HALLMARK_WERROR)
  target_compile_options(hallmark_warnings INTERFACE -Werror)
endif()
