#!/usr/bin/env bash
# Prints this machine's profile name, which names its baseline file
# (ci/baselines/<profile>.json): the OS and its major version from
# /etc/os-release plus the number of online CPUs, e.g. "debian12-2cpu".
# Baselines are only comparable on machines of the same profile; recording a
# new profile is `ci/record-baseline.sh` on such a machine.
set -euo pipefail
os=unknown
if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  os="${ID:-unknown}${VERSION_ID%%.*}"
fi
echo "${os}-$(nproc)cpu"
