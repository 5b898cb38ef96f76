# h2soak_add_library(NAME SOURCES a.cc b.cc DEPS h2soak::util ...)
#   Builds static library h2soak_NAME with alias h2soak::NAME.
function(h2soak_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(h2soak_${name} STATIC ${ARG_SOURCES})
  add_library(h2soak::${name} ALIAS h2soak_${name})
  set_target_properties(h2soak_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_link_libraries(h2soak_${name} PUBLIC h2soak::options ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  # Listed for h2soak_add_header_checks() (H2soakHeaderCheck.cmake).
  set_property(GLOBAL APPEND PROPERTY H2SOAK_LIBRARIES h2soak_${name})
endfunction()

# h2soak_add_test(NAME SOURCES x_test.cc DEPS h2soak::metrics [LABELS e2e ...] [TIMEOUT s] [TEST_PREFIX p.])
#   A GoogleTest executable registered with CTest (one CTest entry per TEST(),
#   named TEST_PREFIX + Suite.Case so `ctest -R` can select by executable).
function(h2soak_add_test name)
  if(NOT H2SOAK_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT;TEST_PREFIX" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE h2soak::options ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    H2SOAK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    H2SOAK_BINARY_DIR="${PROJECT_BINARY_DIR}")
  # PROPERTIES is flattened into key/value pairs, so a list value must keep
  # its separators escaped or every label after the first is lost.
  string(REPLACE ";" "\\;" _labels "${ARG_LABELS}")
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    TEST_PREFIX "${ARG_TEST_PREFIX}"
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${_labels}")
endfunction()

# h2soak_add_benchmark(NAME SOURCES x_bench.cc DEPS ...)
#   A Google Benchmark executable; never registered as a test.
function(h2soak_add_benchmark name)
  if(NOT H2SOAK_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE h2soak::options ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()

include(H2soakHeaderCheck)
