#!/usr/bin/env bash
# Checks the units: `systemd-analyze verify` on lorad.service and lorad.socket,
# and that `systemd-analyze security` rates the service's exposure at most
# MAX_EXPOSURE (default 2.0). ExecStart is pointed at /bin/true for the check,
# since the real binary need not be installed. Usage: systemd/check-units.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
max="${MAX_EXPOSURE:-2.0}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed 's#^ExecStart=[^ ]*#ExecStart=/bin/true#' "$here/lorad.service" > "$tmp/lorad.service"
cp "$here/lorad.socket" "$tmp/lorad.socket"
systemd-analyze verify "$tmp/lorad.service" "$tmp/lorad.socket"
score="$(systemd-analyze security --offline=true "$tmp/lorad.service" | sed -n 's/.*Overall exposure level for lorad.service: \([0-9.]*\).*/\1/p')"
if [ -z "$score" ]; then echo "check-units: no exposure score from systemd-analyze security" >&2; exit 1; fi
if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s > m) }'; then
    echo "check-units: exposure $score is above $max; harden lorad.service or raise MAX_EXPOSURE" >&2
    exit 1
fi
echo "check-units: lorad.service and lorad.socket verify; exposure $score (at most $max)"
