#!/usr/bin/env bash
# Prints the Kubernetes manifests of one sharded run (docs/scale-out.md,
# "Kubernetes") with its parameters filled in, for `kubectl apply -f -`.
#
#   H2SOAK_IMAGE          the image built from the Dockerfile (required)
#   H2SOAK_SHARDS         N, how many shards (default 2)
#   H2SOAK_START_AT       T, when the shards and the sampler start, in Unix
#                         seconds, e.g. $(date -d '+180 seconds' +%s) (the
#                         default: 180 s from now). It must leave time to
#                         schedule every pod and pull the image, and be less
#                         than an hour ahead. It also names the run's folder,
#                         /results/run-T.
#   H2SOAK_TARGET_URL     the URL the shards load (default
#                         https://h2soak-target:8443, the reference server of
#                         target.yaml.in)
#   H2SOAK_SCENARIO       the scenario file, put into the ConfigMap
#                         h2soak-scenario (default ci/k8s/scenario.yaml)
#   H2SOAK_STORAGE_CLASS  a storage class that offers ReadWriteMany (default:
#                         none named, the cluster's default class)
#
# Usage: [NAME=VALUE...] ci/k8s/render.sh [PART...] > run.yaml
# PART: scenario, results, target, shards, merge (default: all, in that order).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "render.sh: $*" >&2; exit 2; }

image=${H2SOAK_IMAGE:-}
shards=${H2SOAK_SHARDS:-2}
now=$(date +%s)
start_at=${H2SOAK_START_AT:-$((now + 180))}
target_url=${H2SOAK_TARGET_URL:-https://h2soak-target:8443}
scenario=${H2SOAK_SCENARIO:-$here/scenario.yaml}
storage_class=${H2SOAK_STORAGE_CLASS:-}

[[ -n $image ]] || die "set H2SOAK_IMAGE to the image built from the Dockerfile (REGISTRY/h2soak:TAG)"
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "H2SOAK_SHARDS: expected a whole number >= 1, got \"$shards\""
[[ $start_at =~ ^[0-9]+$ ]] || die "H2SOAK_START_AT: expected Unix seconds, got \"$start_at\""
((start_at > now)) || die "H2SOAK_START_AT: $start_at is in the past (now $now)"
((start_at <= now + 3600)) || die "H2SOAK_START_AT: $start_at is more than an hour ahead (h2soak refuses it)"
[[ $target_url =~ ^https?://[^[:space:]]+$ ]] || die "H2SOAK_TARGET_URL: expected http(s)://HOST:PORT, got \"$target_url\""
[[ -r $scenario ]] || die "H2SOAK_SCENARIO: cannot read $scenario"

parts=("$@")
((${#parts[@]})) || parts=(scenario results target shards merge)

# sed's replacement text: \, & and the delimiter | are special.
quote() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

render() {
  local template=$1
  [[ -r $template ]] || die "no template $template"
  local drop=()
  [[ -n $storage_class ]] || drop=(-e '/@H2SOAK_STORAGE_CLASS@/d')
  sed "${drop[@]}" \
    -e "s|@H2SOAK_IMAGE@|$(quote "$image")|g" \
    -e "s|@H2SOAK_SHARDS@|$shards|g" \
    -e "s|@H2SOAK_START_AT@|$start_at|g" \
    -e "s|@H2SOAK_TARGET_URL@|$(quote "$target_url")|g" \
    -e "s|@H2SOAK_STORAGE_CLASS@|$(quote "$storage_class")|g" \
    "$template"
}

first=1
for part in "${parts[@]}"; do
  ((first)) || echo "---"
  first=0
  case $part in
    scenario)
      # The file as it is, under data: (a literal block, indented 4).
      printf '# The scenario every shard, the sampler and the merge read: %s\n' "$(basename "$scenario")"
      printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h2soak-scenario\n'
      printf '  labels:\n    app.kubernetes.io/name: h2soak\ndata:\n  scenario.yaml: |2\n'
      sed -e 's/^/    /' "$scenario"
      ;;
    results | target | shards | merge)
      text=$(render "$here/$part.yaml.in")
      left=$(grep -o '@H2SOAK_[A-Z_]*@' <<<"$text" | sort -u | tr '\n' ' ') || true
      [[ -z $left ]] || die "$part.yaml.in: no value for $left"
      printf '%s\n' "$text"
      ;;
    *) die "unknown part \"$part\" (scenario, results, target, shards, merge)" ;;
  esac
done
