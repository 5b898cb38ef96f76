# Sourced by the ci/ scripts that configure a build: when ccache is installed
# (ci/deps.sh installs it), compile through it, with paths made relative to
# the repository, so that a second build folder of the same checkout (the
# lean one of nightly.sh, a sanitizer folder) reuses what the first compiled.
# Sets H2SOAK_LAUNCHER_ARGS (CMake arguments; empty without ccache) and
# defines build_h2soak (below). Needs $root, the repository.
H2SOAK_LAUNCHER_ARGS=()
if command -v ccache >/dev/null 2>&1 && [[ ${H2SOAK_NO_CCACHE:-0} != 1 ]]; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  export CCACHE_NOHASHDIR=1
  H2SOAK_LAUNCHER_ARGS=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

# The Google Benchmark executables (harness/bench/CMakeLists.txt), built
# into DIR/harness/bench/ when H2SOAK_BENCH is on.
mapfile -t H2SOAK_BENCH_TARGETS < <(sed -n 's/^h2soak_add_benchmark(\([A-Za-z0-9_]*\).*/\1/p' \
                                        "$root/harness/bench/CMakeLists.txt")

# build_h2soak DIR [bench]: configures DIR (a fresh folder gets the lean
# configuration a user of the run command needs: no tests, benchmarks or
# Python module; an existing one keeps its options, only the build type is
# pinned because baselines are recorded with RelWithDebInfo) and builds
# h2soak and the reference server in it. With "bench" (the scheduled nightly
# job), H2SOAK_BENCH is turned on and the benchmarks are built as well.
build_h2soak() {
  local dir=$1 bench=${2:-}
  local config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}")
  local targets=(h2soak h2soak-target)
  [[ -f $dir/CMakeCache.txt ]] || config+=(-DH2SOAK_TESTS=OFF -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF)
  if [[ $bench == bench ]]; then
    config+=(-DH2SOAK_BENCH=ON)
    targets+=("${H2SOAK_BENCH_TARGETS[@]}")
  fi
  cmake -S "$root" -B "$dir" -G Ninja "${config[@]}" >/dev/null
  cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}"
}
