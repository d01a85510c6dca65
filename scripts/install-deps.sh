#!/usr/bin/env bash
# Installs the Debian packages lorad builds and tests with, when any is missing
# (systemd for systemd-socket-activate and util-linux for setpriv in the end-to-end tests;
# python3-venv for the Python client's test venv, scripts/python-venv.sh).
# Safe to run again; needs root (or sudo) only when something is missing.
set -euo pipefail
packages=(libzstd-dev libsystemd-dev libsqlite3-dev libopenblas-dev pkg-config zstd python3 python3-venv systemd util-linux)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
