#!/usr/bin/env bash
# Installs every Debian package h2soak needs to build, test and benchmark,
# plus any named as arguments (ci/fuzz.sh adds clang and its runtimes).
# chromium is for reports/screenshot.py, which renders the HTML report
# headless; a font comes with it (libfontconfig1 needs one). iproute2 is for
# the scale-out test that builds network namespaces (ip netns).
# python3-kubernetes is for ci/tests/test_k8s_manifests.py, which checks the
# manifests of ci/k8s/ against the Kubernetes API's own models, offline.
#
# `ci/deps.sh --build-only [PACKAGE...]`: only what a lean build of h2soak and
# h2soak-target needs (build_h2soak in ci/build_env.sh: no tests, benchmarks
# or Python module); the Dockerfile's build stage uses it.
#
# Idempotent: only missing packages are installed, and `apt-get update` runs
# only when something is missing. Every other ci/ script calls this first.
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config ninja-build ca-certificates
  libnghttp2-dev libev-dev libssl-dev libcurl4-openssl-dev libhttp-parser-dev
  libkainjow-mustache-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev
)
if [[ ${1:-} == --build-only ]]; then
  shift
  packages=("${build_packages[@]}" "$@")
else
  packages=(
    "${build_packages[@]}" git ccache
    libgtest-dev libgmock-dev libbenchmark-dev
    pybind11-dev python3-dev python3-pytest python3-numpy python3-matplotlib python3-yaml
    python3-kubernetes
    curl nghttp2-client nghttp2-server procps openssl strace util-linux iproute2
    chromium
    "$@"
  )
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "deps.sh: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
