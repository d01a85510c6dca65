#!/usr/bin/env bash
# Prints the path of a virtualenv holding the Python client's test dependencies
# (clients/python/requirements-test.txt), creating it first when it is missing.
# Progress goes to stderr, the path alone to stdout:
#
#     venv=$(scripts/python-venv.sh) && "$venv/bin/python" -m pytest ...
#
# The venv lives outside the clone (CI runs on a fresh clone; the torch wheel alone is
# large), in a cache folder keyed by a hash of the requirements file and the Python
# version, so it is built once per machine and per change of the pins:
#   $LORAD_PYTHON_VENV_CACHE if set, else /var/cache/lorad-python when it can be
#   created and written (as root), else ${XDG_CACHE_HOME:-$HOME/.cache}/lorad-python.
# The interpreter is $LORAD_PYTHON, default python3. Nothing is ever installed into it:
# only `python3 -m venv`, which on Debian needs the python3-venv package
# (scripts/install-deps.sh installs it).
#
# Atomic: a venv records its own absolute path (pip's scripts, bin/activate), so it
# cannot be built elsewhere and moved. It is built in a fresh folder
# .<hash>.<random> and published by renaming a symlink <hash> -> that folder into
# place, under a lock (flock) so two runs do not build the same venv at once. A run
# that dies half way leaves only a .<hash>.* folder that the next run removes; the
# path printed is always a finished venv.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
requirements="$root/clients/python/requirements-test.txt"
python=${LORAD_PYTHON:-python3}
# Bump when the way the venv is built changes, so existing ones are not reused.
recipe=1

log() { echo "python-venv: $*" >&2; }
fail() { log "$*"; exit 1; }

[ -f "$requirements" ] || fail "missing $requirements"
command -v "$python" >/dev/null || fail "no $python on the PATH (scripts/install-deps.sh installs python3)"
command -v flock >/dev/null || fail "no flock on the PATH (util-linux; scripts/install-deps.sh installs it)"
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    fail "$python cannot create virtualenvs (no venv/ensurepip module); on Debian install python3-venv (make deps does)"
fi

python_id=$("$python" -c 'import platform, sys; print(sys.implementation.cache_tag, platform.machine(), sys.version.replace("\n", " "))')
hash=$({ printf 'recipe %s\npython %s\n' "$recipe" "$python_id"; cat "$requirements"; } | sha256sum | cut -c1-16)

if [ -n "${LORAD_PYTHON_VENV_CACHE:-}" ]; then
    cache=$LORAD_PYTHON_VENV_CACHE
elif mkdir -p /var/cache/lorad-python 2>/dev/null && [ -w /var/cache/lorad-python ]; then
    cache=/var/cache/lorad-python
else
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/lorad-python
fi
mkdir -p "$cache" || fail "cannot create the cache folder $cache"
venv="$cache/$hash"

# A published venv is complete by construction; also check that its interpreter still
# runs (a venv links to the system's Python, which an upgrade can remove).
ready() { [ -f "$venv/lorad-venv-ready" ] && "$venv/bin/python" -c '' 2>/dev/null; }

if ready; then
    echo "$venv"
    exit 0
fi

exec 9>"$cache/$hash.lock"
if ! flock -n 9; then
    log "waiting for another run that is creating $venv"
    flock 9
fi
if ready; then  # another run finished it while this one waited for the lock
    echo "$venv"
    exit 0
fi

# Under the lock nobody else builds this hash: what is left of earlier attempts (and a
# published venv that no longer runs) goes.
for stale in "$cache/.$hash".*; do
    [ -e "$stale" ] || continue
    rm -rf -- "$stale"
done
rm -f -- "$venv" "$venv.new"

build=$(mktemp -d "$cache/.$hash.XXXXXX")
chmod 0755 "$build"  # mktemp makes it 0700; a venv is normally readable by all
trap 'rm -rf -- "$build" "$venv.new"' EXIT
start=$(date +%s)
log "creating the test venv in $venv (once per change of clients/python/requirements-test.txt; $("$python" --version 2>&1))"
"$python" -m venv "$build" >&2
log "installing the pinned test dependencies (torch is the largest: about 190 MB as the CPU wheel, about 5.7 GB as PyPI's CUDA build)"
"$build/bin/python" -m pip install --no-input --disable-pip-version-check --progress-bar off \
    -r "$requirements" >&2
"$build/bin/python" -c 'import numpy, torch, diffusers, peft, safetensors, pytest' \
    || fail "the new venv cannot import its packages"
log "torch $("$build/bin/python" -c 'import torch; print(torch.__version__)')"
printf 'requirements sha256 %s\npython %s\n' "$(sha256sum < "$requirements" | cut -d' ' -f1)" "$python_id" \
    > "$build/lorad-venv-ready"

ln -s "$(basename "$build")" "$venv.new"
mv -T "$venv.new" "$venv"
trap - EXIT
log "ready in $(( $(date +%s) - start )) s: $venv"
echo "$venv"
