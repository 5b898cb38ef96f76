#!/usr/bin/env bash
# The detection matrix: proves that the suite flags every seeded leak of the
# reference server (h2soak-target --fault NAME) with the right kind of metric,
# and never flags the clean server.
#
# Usage: ci/detection_matrix.sh [--quick] [--clean-runs N] [--out DIR] [--build DIR]
#                               [--baseline FILE] [--record] [--faults a,b,...]
#                               [--focus] [--sensitivity]
#   --quick        each fault against its one most revealing scenario of
#                  scenarios/quick.yaml (short phases), 1 clean run; ~5 min.
#                  ci/test.sh runs this on every change.
#   (default)      every fault against the whole nightly suite, 5 clean runs,
#                  and the seconds of steady load until each verdict; ~1.5 h.
#                  `ci/nightly.sh --matrix` runs this.
#   --focus        full phases, each fault against its one most revealing
#                  scenario only (~12 min); times to verdict are computed.
#   --sensitivity  per detected fault, bisect the scale of its rate
#                  (h2soak-target --fault NAME:SCALE) down to the smallest
#                  still flagged, up to 5 more runs per fault.
#   --baseline F   compare with F (default: ci/baselines/<profile>.json, or
#                  ci/baselines/quick-<profile>.json with --quick; recorded
#                  into --out first when it does not exist, or with --record)
# Writes DIR/matrix.json and DIR/matrix.md (default DIR out/matrix-TIMESTAMP);
# the last line printed is "detected D/8, false alarms F/N"; exit 0 only when
# every fault is detected and no clean run failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${H2SOAK_BUILD_DIR:-$root/build}
out=$root/out/matrix-$(date -u +%Y%m%dT%H%M%SZ)
args=()
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ ! -x $build/harness/cli/h2soak || ! -x $build/target_server/h2soak-target ]]; then
  [[ ${H2SOAK_SKIP_DEPS:-0} == 1 ]] || "$root/ci/deps.sh"
  # shellcheck source=ci/build_env.sh
  . "$root/ci/build_env.sh"
  build_h2soak "$build"
fi
exec /usr/bin/python3 "$root/ci/detection_matrix.py" --build "$build" --out "$out" "${args[@]}"
