# Every dependency comes from Debian's packages (ci/deps.sh installs them).
# Each one is exposed as an imported target named h2soak::dep::<name> or by its
# own CMake package target, so module CMakeLists never see raw paths.
find_package(PkgConfig REQUIRED)
pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2>=1.52)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)

# libev and libhttp_parser ship no pkg-config or CMake files.
find_library(EV_LIBRARY NAMES ev REQUIRED)
find_path(EV_INCLUDE_DIR NAMES ev.h REQUIRED)
add_library(h2soak_dep_ev INTERFACE)
target_link_libraries(h2soak_dep_ev INTERFACE ${EV_LIBRARY})
target_include_directories(h2soak_dep_ev SYSTEM INTERFACE ${EV_INCLUDE_DIR})
add_library(h2soak::dep::ev ALIAS h2soak_dep_ev)

find_library(HTTP_PARSER_LIBRARY NAMES http_parser REQUIRED)
find_path(HTTP_PARSER_INCLUDE_DIR NAMES http_parser.h REQUIRED)
add_library(h2soak_dep_http_parser INTERFACE)
target_link_libraries(h2soak_dep_http_parser INTERFACE ${HTTP_PARSER_LIBRARY})
target_include_directories(h2soak_dep_http_parser SYSTEM INTERFACE ${HTTP_PARSER_INCLUDE_DIR})
add_library(h2soak::dep::http_parser ALIAS h2soak_dep_http_parser)

find_path(MUSTACHE_INCLUDE_DIR NAMES kainjow/mustache.hpp REQUIRED)
add_library(h2soak_dep_mustache INTERFACE)
target_include_directories(h2soak_dep_mustache SYSTEM INTERFACE ${MUSTACHE_INCLUDE_DIR})
add_library(h2soak::dep::mustache ALIAS h2soak_dep_mustache)

add_library(h2soak::dep::nghttp2 ALIAS PkgConfig::NGHTTP2)
add_library(h2soak::dep::curl ALIAS PkgConfig::CURL)

if(H2SOAK_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(H2SOAK_BENCH)
  find_package(benchmark REQUIRED)
endif()
if(H2SOAK_PYTHON)
  # The first python3 on PATH here is not Debian's and cannot see python3-* packages.
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Debian's Python")
  set(PYTHON_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Debian's Python")
  find_package(Python3 REQUIRED COMPONENTS Interpreter Development.Module)
  find_package(pybind11 CONFIG REQUIRED)
endif()
