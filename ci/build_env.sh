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

# build_h2soak DIR: configures DIR (a fresh folder gets the lean configuration
# a user of the run command needs: no tests, benchmarks or Python module; an
# existing one keeps its options, only the build type is pinned because
# baselines are recorded with RelWithDebInfo) and builds h2soak and the
# reference server in it.
build_h2soak() {
  local dir=$1
  local config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "${H2SOAK_LAUNCHER_ARGS[@]}")
  [[ -f $dir/CMakeCache.txt ]] || config+=(-DH2SOAK_TESTS=OFF -DH2SOAK_BENCH=OFF -DH2SOAK_PYTHON=OFF)
  cmake -S "$root" -B "$dir" -G Ninja "${config[@]}" >/dev/null
  cmake --build "$dir" -j"$(nproc)" --target h2soak h2soak-target
}
