#!/usr/bin/env bash
# Runs a command in a private mount namespace, so the test can mount small
# filesystems that vanish with it: as root directly, otherwise inside a user
# namespace (unprivileged user namespaces, Debian's default). Neither possible
# is a failure with a message, never a skip.
set -euo pipefail
if unshare --mount --propagation private true 2>/dev/null; then
  exec unshare --mount --propagation private "$@"
elif unshare --user --map-root-user --mount true 2>/dev/null; then
  exec unshare --user --map-root-user --mount "$@"
fi
echo "in_mount_namespace.sh: cannot make a private mount namespace (needs root or unprivileged user namespaces)" >&2
exit 1
