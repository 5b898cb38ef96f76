# Sourced by the ci/ scripts that configure a build: when ccache is installed
# (ci/deps.sh installs it), compile through it, with paths made relative to
# the repository, so that a second build folder of the same checkout (the
# lean one of nightly.sh, a sanitizer folder) reuses what the first compiled.
# Sets H2SOAK_LAUNCHER_ARGS (CMake arguments; empty without ccache).
H2SOAK_LAUNCHER_ARGS=()
if command -v ccache >/dev/null 2>&1 && [[ ${H2SOAK_NO_CCACHE:-0} != 1 ]]; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  export CCACHE_NOHASHDIR=1
  H2SOAK_LAUNCHER_ARGS=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
