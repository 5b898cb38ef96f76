# Warnings and sanitizers applied to every h2soak target through one
# interface library, so that third-party code found by find_package is untouched.
add_library(h2soak_options INTERFACE)
add_library(h2soak::options ALIAS h2soak_options)
target_compile_options(h2soak_options INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
target_include_directories(h2soak_options INTERFACE ${PROJECT_SOURCE_DIR})

# H2SOAK_FUZZ (clang only) runs under ASan + UBSan unless H2SOAK_SANITIZE
# names one of them alone; every h2soak target also gets libFuzzer's coverage
# instrumentation (fuzzer-no-link), and only the fuzz executables link the
# libFuzzer runtime (fuzz/CMakeLists.txt).
set(_h2soak_sanitize "${H2SOAK_SANITIZE}")
if(H2SOAK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "H2SOAK_FUZZ needs clang for libFuzzer (CC=clang CXX=clang++), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(_h2soak_sanitize STREQUAL "")
    set(_h2soak_sanitize address+undefined)
  elseif(_h2soak_sanitize STREQUAL "thread")
    message(FATAL_ERROR "H2SOAK_FUZZ cannot run under ThreadSanitizer: leave H2SOAK_SANITIZE empty (address+undefined)")
  endif()
endif()

if(_h2soak_sanitize STREQUAL "address")
  set(_h2soak_san -fsanitize=address -fno-omit-frame-pointer)
elseif(_h2soak_sanitize STREQUAL "address+undefined")
  set(_h2soak_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(_h2soak_sanitize STREQUAL "undefined")
  set(_h2soak_san -fsanitize=undefined -fno-sanitize-recover=undefined)
elseif(_h2soak_sanitize STREQUAL "thread")
  set(_h2soak_san -fsanitize=thread)
elseif(NOT _h2soak_sanitize STREQUAL "")
  message(FATAL_ERROR "H2SOAK_SANITIZE must be address, undefined, address+undefined, thread or empty, not '${H2SOAK_SANITIZE}'")
endif()
if(_h2soak_san)
  target_compile_options(h2soak_options INTERFACE ${_h2soak_san})
  target_link_options(h2soak_options INTERFACE ${_h2soak_san})
endif()
if(H2SOAK_FUZZ)
  target_compile_options(h2soak_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
