#!/usr/bin/env bash
# The system test: boots a real systemd (Debian 12 in systemd-nspawn) with lorad
# installed by `make install DESTDIR=... PREFIX=/usr`, and checks the units under it:
# socket activation, READY and STATUS=, reload, restart (bases from the fd store), the
# watchdog restarting a stopped daemon, the journal fields, the drain on stop, the
# socket's group, and exit 78 on a bad config. Each check prints PASS or FAIL with what
# it saw; the script exits 1 when any fails.
#
# Needs root, debootstrap and systemd-container (installed with apt-get when missing),
# python3 on the host (the tiny model and a protocol client), and Swift unless
# SKIP_BUILD=1 (then `make release-static` must have run).
#
# The Debian root (debootstrap --variant=minbase plus the packages below) is cached in
# $LORAD_SYSTEM_TEST_CACHE (default /var/cache/lorad-system-test), keyed by the suite
# and package list; each run boots a throwaway overlay on it, so runs never change the
# cache. Environment: SKIP_BUILD=1, LORAD_SYSTEM_TEST_CACHE=DIR, KEEP=1 (keep the run's
# folder, with console.log and journal.json, for a look after a failure).
set -uo pipefail
export LC_ALL=C
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${LORAD_SYSTEM_TEST_CACHE:-/var/cache/lorad-system-test}"
SUITE=bookworm
# What lorad needs at run time (ldd of the installed binaries: libzstd1, libsqlite3-0,
# libsystemd0, libopenblas0-pthread which brings libgfortran5) and what booting
# systemd needs beyond minbase (systemd-sysv for /sbin/init, dbus for systemctl,
# procps for kill/ps).
PACKAGES=(systemd systemd-sysv dbus procps libzstd1 libsqlite3-0 libsystemd0 libopenblas0-pthread)
# Bump when the way the cached root is made changes.
RECIPE=1
STARTED=$SECONDS

say() { printf '%s\n' "$*"; }
die() { say "system-test: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mounts and systemd-nspawn need it)"
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    say "system-test: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || die "could not install ${missing[*]} with apt-get"
fi

# --- the cached Debian root -------------------------------------------------------

# The mirror apt already uses for the suite's main component; deb.debian.org otherwise.
mirror() {
    local site
    site="$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' 2>/dev/null \
        | awk -v s="$SUITE" '$2 == s && $3 == "main" { print $1; exit }')"
    say "${site:-http://deb.debian.org/debian}"
}

KEY="$(printf '%s\n' "$RECIPE" "$SUITE" minbase "${PACKAGES[@]}" | sha256sum | cut -c1-12)"
BASE_ROOT="$CACHE/root-$SUITE-$KEY"
mkdir -p "$CACHE" || die "cannot create $CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -f "$BASE_ROOT/.complete" ]; then
    say "system-test: cached Debian root $BASE_ROOT"
else
    rm -rf "$BASE_ROOT.partial"
    url="$(mirror)"
    say "system-test: debootstrap $SUITE (minbase + ${PACKAGES[*]}) from $url into $BASE_ROOT"
    t0=$SECONDS
    includes="$(IFS=,; echo "${PACKAGES[*]}")"
    if ! debootstrap --variant=minbase --include="$includes" "$SUITE" "$BASE_ROOT.partial" "$url" \
        >"$CACHE/debootstrap.log" 2>&1; then
        tail -n 20 "$CACHE/debootstrap.log" >&2
        rm -rf "$BASE_ROOT.partial"
        die "debootstrap failed (log above, full log in $CACHE/debootstrap.log)"
    fi
    rm -rf "$BASE_ROOT.partial"/var/cache/apt/archives/*.deb "$BASE_ROOT.partial"/var/lib/apt/lists/*_Packages
    # Nothing in the container should wait on timers or a login prompt.
    for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
        systemd-tmpfiles-clean.timer console-getty.service getty@.service; do
        ln -sf /dev/null "$BASE_ROOT.partial/etc/systemd/system/$unit"
    done
    touch "$BASE_ROOT.partial/.complete"
    mv "$BASE_ROOT.partial" "$BASE_ROOT"
    say "system-test: debootstrap took $((SECONDS - t0)) s"
fi
flock -u 9

# --- lorad, installed into a throwaway overlay on the cached root -------------------

if [ "${SKIP_BUILD:-}" != 1 ]; then
    say "system-test: make release-static"
    t0=$SECONDS
    make -C "$REPO" -s release-static >/dev/null || die "make release-static failed"
    say "system-test: build took $((SECONDS - t0)) s"
fi

mkdir -p "$CACHE/runs"
WORK="$(mktemp -d "$CACHE/runs/run.XXXXXX")"
ROOT="$WORK/root"
MACHINE="lorad-test-$$"
NSPAWN_PID=""
PID1=""
MOUNTED=""
WATCHER_PID=""
FAILED=()
PASSED=0

# ct CMD...: runs CMD inside the container (all its namespaces, its root).
ct() { nsenter -t "$PID1" -a -r -w env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"; }
prop() { ct systemctl show -p "$2" --value "$1" 2>/dev/null; }
journal() { ct journalctl --no-pager -q -o cat "$@" 2>/dev/null; }

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [ -n "$WATCHER_PID" ] && kill "$WATCHER_PID" 2>/dev/null
    if [ -n "$PID1" ] && kill -0 "$PID1" 2>/dev/null; then
        if [ ${#FAILED[@]} -gt 0 ]; then
            say "--- journalctl -u lorad (last 40 lines) ---"
            ct journalctl --no-pager -u lorad -n 40 2>/dev/null
        fi
        ct journalctl --no-pager -o json >"$WORK/journal.json" 2>/dev/null
        # SIGRTMIN+4 asks systemd to power off, with or without its bus.
        kill -s RTMIN+4 "$PID1" 2>/dev/null
    fi
    if [ -n "$NSPAWN_PID" ]; then
        local waited=0
        while kill -0 "$NSPAWN_PID" 2>/dev/null && [ $waited -lt 100 ]; do sleep 0.2; waited=$((waited + 1)); done
        if kill -0 "$NSPAWN_PID" 2>/dev/null; then
            say "system-test: the container did not power off within 20 s; killing it"
            [ -n "$PID1" ] && kill -KILL "$PID1" 2>/dev/null
            sleep 1
            kill -KILL "$NSPAWN_PID" 2>/dev/null
        fi
        wait "$NSPAWN_PID" 2>/dev/null
    fi
    [ -n "$MOUNTED" ] && { umount "$ROOT" 2>/dev/null || umount -l "$ROOT"; }
    if [ "${KEEP:-}" = 1 ]; then say "system-test: kept $WORK"; else rm -rf "$WORK"; fi
    say "system-test: total time $((SECONDS - STARTED)) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$ROOT" "$WORK/upper" "$WORK/overlay-work"
if mount -t overlay overlay -o "lowerdir=$BASE_ROOT,upperdir=$WORK/upper,workdir=$WORK/overlay-work" "$ROOT" 2>/dev/null; then
    MOUNTED=1
else
    say "system-test: no overlayfs here; copying the cached root"
    cp -a "$BASE_ROOT/." "$ROOT/" || die "cannot copy $BASE_ROOT"
fi

pass() { PASSED=$((PASSED + 1)); say "PASS $1: $2"; }
fail() { FAILED+=("$1"); say "FAIL $1: $2"; }
# wait_until SECONDS CMD...: polls CMD every 0.2 s; false when it never succeeded.
wait_until() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}

make -C "$REPO" -s install SKIP_BUILD=1 DESTDIR="$ROOT" PREFIX=/usr >"$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log"; die "make install DESTDIR=$ROOT PREFIX=/usr failed"; }
# Users for the access check: alice is in group lorad, bob is not.
mkdir -p "$ROOT/etc/sysusers.d"
cat >"$ROOT/etc/sysusers.d/lorad-system-test.conf" <<'EOF'
u alice - "lorad system test, member of lorad"
m alice lorad
u bob - "lorad system test, not in lorad"
EOF
systemd-sysusers --root="$ROOT" >/dev/null 2>&1 || die "systemd-sysusers --root=$ROOT failed"
systemd-tmpfiles --root="$ROOT" --create lorad.conf >/dev/null 2>&1 || die "systemd-tmpfiles --root=$ROOT failed"
systemctl --root="$ROOT" enable lorad.socket >/dev/null 2>&1 || die "systemctl --root=$ROOT enable lorad.socket failed"
python3 "$REPO/scripts/make_tiny_model.py" "$ROOT/srv/lorad/tiny" >/dev/null || die "make_tiny_model.py failed"
python3 "$REPO/scripts/make_tiny_model.py" "$ROOT/srv/lorad/tiny2" --seed 11 >/dev/null || die "make_tiny_model.py failed"
chmod -R a+rX "$ROOT/srv/lorad"
write_config() {
    {
        say '# written by Tests/System/run.sh'
        say '[bases]'
        say 'tiny = "/srv/lorad/tiny/base.safetensors"'
        [ "$1" = two ] && say 'tiny2 = "/srv/lorad/tiny2/base.safetensors"'
        say '[access]'
        say 'allow_groups = ["lorad"]'
        say 'admin_groups = ["lorad-admin"]'
    } >"$ROOT/etc/lorad/lorad.toml.new" && mv "$ROOT/etc/lorad/lorad.toml.new" "$ROOT/etc/lorad/lorad.toml"
}
write_config one
mkdir -p "$ROOT/etc/systemd/system/lorad.service.d"
cat >"$ROOT/etc/systemd/system/lorad.service.d/system-test.conf" <<'EOF'
# Tests/System/run.sh: a short watchdog, so that the watchdog check takes seconds.
[Service]
WatchdogSec=5s
EOF

# 0. The installed binaries need no Swift toolchain: every library resolves in the root.
# (Only ldd here: outside the booted container there is no /proc, and without it the
# Swift runtime cannot read the arguments; lorad itself runs in the container below.)
libs="$(chroot "$ROOT" ldd /usr/bin/lorad /usr/bin/loractl /usr/bin/lorad-bench 2>&1)"
if grep -q 'not found' <<<"$libs"; then
    fail install "unresolved libraries in the Debian root: $(grep 'not found' <<<"$libs" | sort -u | tr -s ' \t\n' ' ')"
elif grep -qi swift <<<"$libs"; then
    fail install "a Swift runtime library is linked dynamically: $(grep -i swift <<<"$libs" | tr -s ' \t\n' ' ')"
else
    pass install "make install DESTDIR PREFIX=/usr; every library of lorad, loractl, lorad-bench resolves in the Debian root ($(grep -c '=>' <<<"$libs") ldd lines, no libswift*)"
fi

# --- boot -----------------------------------------------------------------------

t0=$SECONDS
systemd-nspawn --register=no --keep-unit --quiet --console=passive --private-network -M "$MACHINE" -b -D "$ROOT" \
    </dev/null >"$WORK/console.log" 2>&1 &
NSPAWN_PID=$!
find_pid1() {
    local child
    for child in $(pgrep -P "$NSPAWN_PID"); do
        [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && { PID1=$child; return 0; }
    done
    return 1
}
if ! wait_until 30 find_pid1; then
    cat "$WORK/console.log"
    die "systemd-nspawn did not start systemd within 30 s (console above)"
fi
# PID 1 answers on its private bus only once it has set itself up.
bus_up() { [ -S "/proc/$PID1/root/run/systemd/private" ]; }
wait_until 60 bus_up
state="$(timeout 90 nsenter -t "$PID1" -a -r -w systemctl is-system-running --wait 2>&1)"
case "$state" in
    running|degraded) say "system-test: booted in $((SECONDS - t0)) s ($state; container PID 1 is $PID1)" ;;
    *) cat "$WORK/console.log"; die "the container did not boot: is-system-running says '$state'" ;;
esac
[ "$state" = degraded ] && ct systemctl --failed --no-legend --plain

# --- the checks -------------------------------------------------------------------

SOCK=/run/lorad/lorad.sock
loractl() { ct /usr/bin/loractl "$@" --socket "$SOCK"; }

# The config check runs in the container, as the admin would run it.
if out="$(ct timeout 20 /usr/bin/lorad --config /etc/lorad/lorad.toml --check-config 2>&1)"; then
    pass check-config "lorad --config /etc/lorad/lorad.toml --check-config in the container: exit 0, '$(head -n 1 <<<"$out")'"
else
    fail check-config "lorad --check-config in the container failed: $(head -n 3 <<<"$out")"
fi

# a. Socket activation.
enabled="$(ct systemctl is-enabled lorad.socket 2>&1)"
listen="$(prop lorad.socket Listen)"
sockstat="$(ct stat -c '%U:%G %a %F' "$SOCK" 2>&1)"
before="$(prop lorad.service ActiveState)"
if out="$(loractl status 2>&1)"; then status_rc=0; else status_rc=$?; fi
after="$(prop lorad.service ActiveState)"
if [ "$enabled" = enabled ] && [ "$(prop lorad.socket ActiveState)" = active ] && [ "$listen" = "$SOCK (Stream)" ] \
    && [ "$sockstat" = "root:lorad 660 socket" ] && [ "$before" = inactive ] && [ $status_rc -eq 0 ] \
    && { [ "$after" = active ] || [ "$after" = activating ]; }; then
    pass activation "lorad.socket $enabled, listening on $listen ($sockstat); lorad.service $before until 'loractl status' (exit 0), then $after"
else
    fail activation "socket $enabled, Listen='$listen', '$sockstat'; service '$before' before, '$after' after 'loractl status' (exit $status_rc: $(head -n 2 <<<"$out"))"
fi

# b. READY=1 and STATUS=.
ready() { [ "$(prop lorad.service ActiveState)/$(prop lorad.service SubState)" = active/running ]; }
has_status() { prop lorad.service StatusText | grep -q 'bases 1/1 ready'; }
if wait_until 30 ready && wait_until 15 has_status; then
    pass ready "ActiveState=active SubState=running (Type=notify, so READY=1 arrived); StatusText='$(prop lorad.service StatusText)'"
else
    fail ready "ActiveState=$(prop lorad.service ActiveState) SubState=$(prop lorad.service SubState) StatusText='$(prop lorad.service StatusText)'"
fi

# Import an adapter and open a session: segments (sealed memfds) pass through the sandbox.
if imp="$(loractl import /srv/lorad/tiny/watercolor --name watercolor --base tiny 2>&1)" \
    && ses="$(ct /usr/bin/loractl session --socket "$SOCK" --base tiny --adapter watercolor --dump /tmp/session 2>&1)" \
    && files="$(ct ls /tmp/session 2>&1)"; then
    pass session "import: '$(head -n 1 <<<"$imp")'; session dumped $(tr '\n' ' ' <<<"$files")"
else
    fail session "import: $(tr '\n' '|' <<<"${imp:-}"); session: $(tr '\n' '|' <<<"${ses:-}")"
fi

# c. Reload: a second base in the config, `systemctl reload`, then lorad lists it.
write_config two
pid_before="$(prop lorad.service MainPID)"
if ct systemctl reload lorad.service >"$WORK/reload.log" 2>&1; then reload_rc=0; else reload_rc=$?; fi
tiny2_ready() { loractl bases --json 2>/dev/null | grep -Eq '"name" *: *"tiny2"[^}]*"state" *: *"ready"'; }
wait_until 20 tiny2_ready
bases="$(loractl bases 2>&1)"
reload_log="$(journal -u lorad.service | grep -E 'reloaded|Reloaded|reloading' | tr '\n' '|')"
if [ $reload_rc -eq 0 ] && tiny2_ready && [ "$(prop lorad.service MainPID)" = "$pid_before" ] \
    && grep -q 'reloaded /etc/lorad/lorad.toml' <<<"$reload_log" && grep -q 'Reloaded' <<<"$reload_log"; then
    pass reload "systemctl reload exit 0, same MainPID $pid_before, 'loractl bases' lists tiny2 ready; journal: $reload_log"
else
    fail reload "systemctl reload exit $reload_rc ($(cat "$WORK/reload.log")); MainPID $pid_before -> $(prop lorad.service MainPID); bases: $(tr '\n' '|' <<<"$bases"); journal: $reload_log"
fi

# d. Restart keeps the bases: lorad takes them back from the fd store.
pid_before="$(prop lorad.service MainPID)"
stored="$(prop lorad.service NFileDescriptorStore)"
if ct systemctl restart lorad.service >"$WORK/restart.log" 2>&1; then restart_rc=0; else restart_rc=$?; fi
wait_until 30 ready
both_ready() { [ "$(loractl bases --json 2>/dev/null | grep -Eo '"state" *: *"ready"' | wc -l)" -eq 2 ]; }
wait_until 20 both_ready
json="$(loractl bases --json 2>&1)"
origins() { grep -Eo '"origin" *: *"[a-z_]*"' | tr -d ' ' | sort | uniq -c | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
origins="$(origins <<<"$json")"
taken="$(journal -u lorad.service -o verbose | grep -c 'taken from the fd store')"
fields="$(ct journalctl --no-pager -u lorad.service -o json | grep 'taken from the fd store' | grep -Eo '"LORAD_BASE":"[^"]*"' | sort -u | tr '\n' ' ')"
if [ $restart_rc -eq 0 ] && [ "$(prop lorad.service MainPID)" != "$pid_before" ] && both_ready \
    && [ "$(grep -Eo '"origin" *: *"fd_store"' <<<"$json" | wc -l)" -eq 2 ] && [ "$taken" -ge 2 ] \
    && grep -q tiny2 <<<"$fields"; then
    pass restart "systemctl restart exit 0, MainPID $pid_before -> $(prop lorad.service MainPID), $stored fds in the store before; bases origin: $origins; journal: $taken 'taken from the fd store' lines, $fields"
else
    fail restart "systemctl restart exit $restart_rc, MainPID $pid_before -> $(prop lorad.service MainPID), NFileDescriptorStore was '$stored'; bases --json origins: '${origins:-none}'; journal 'taken from the fd store' lines: $taken ($fields)"
fi

# e. Watchdog: a stopped lorad misses its pings; systemd kills and restarts it.
pid_before="$(prop lorad.service MainPID)"
restarts_before="$(prop lorad.service NRestarts)"
t_stop=$SECONDS
ct kill -STOP "$pid_before"
restarted() { [ "$(prop lorad.service NRestarts)" -gt "$restarts_before" ] && [ "$(prop lorad.service MainPID)" != "$pid_before" ] && ready; }
if wait_until 90 restarted; then
    took=$((SECONDS - t_stop))
    wd_log="$(journal -u lorad.service | grep -iE 'watchdog timeout|Failed with result|Scheduled restart' | tr '\n' '|')"
    if grep -qi 'watchdog timeout' <<<"$wd_log"; then
        wait_until 20 both_ready
        pass watchdog "SIGSTOP to MainPID $pid_before; after ${took} s NRestarts $restarts_before -> $(prop lorad.service NRestarts), MainPID $(prop lorad.service MainPID), active, bases origin $(loractl bases --json 2>/dev/null | origins); journal: $wd_log"
    else
        fail watchdog "restarted after ${took} s but the journal has no watchdog timeout: $wd_log"
    fi
else
    ct kill -CONT "$pid_before" 2>/dev/null
    fail watchdog "90 s after SIGSTOP: NRestarts $restarts_before -> $(prop lorad.service NRestarts), MainPID $pid_before -> $(prop lorad.service MainPID), $(prop lorad.service ActiveState)/$(prop lorad.service SubState)"
fi

# f. The journal fields lorad writes with sd_journal_sendv.
ct journalctl --no-pager -u lorad.service -o json >"$WORK/lorad.json" 2>/dev/null
fields="$(python3 - "$WORK/lorad.json" <<'EOF'
import json, re, sys
ours, coded, lorad, priorities, others = 0, 0, set(), set(), {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("SYSLOG_IDENTIFIER") != "lorad":
        continue
    if entry.get("_TRANSPORT") != "journal":
        # Not from lorad's log handler: stderr lines, or libraries calling syslog(3).
        key = f'{entry.get("_TRANSPORT")}, PRIORITY={entry.get("PRIORITY")}: ' + re.sub(r"0x[0-9a-f]+", "0x...", str(entry.get("MESSAGE")))[:100]
        others[key] = others.get(key, 0) + 1
        continue
    ours += 1
    priorities.add(str(entry.get("PRIORITY")))
    if all(k in entry for k in ("CODE_FILE", "CODE_LINE", "CODE_FUNC")):
        coded += 1
    lorad.update(k for k in entry if k.startswith("LORAD_"))
ok = ours > 0 and coded == ours and lorad
line = (f"{ours} entries from sd_journal_sendv (SYSLOG_IDENTIFIER=lorad, _TRANSPORT=journal), {coded} with CODE_FILE/CODE_LINE/CODE_FUNC, "
        f"PRIORITY={','.join(sorted(priorities))}, fields {' '.join(sorted(lorad)) or 'none'}")
print(("ok " if ok else "bad ") + line)
for key, count in sorted(others.items()):
    print(f"other: {count} x {key}")
EOF
)"
example="$(grep '"_TRANSPORT":"journal"' "$WORK/lorad.json" | grep -m1 '"LORAD_' | python3 -c 'import json,sys; e=json.loads(sys.stdin.read() or "{}"); print(" ".join(f"{k}={e[k]}" for k in sorted(e) if k in ("MESSAGE","PRIORITY","CODE_FILE","CODE_LINE","CODE_FUNC") or k.startswith("LORAD_")))' 2>/dev/null)"
case "$fields" in
    ok\ *) pass journal "$(head -n 1 <<<"${fields#ok }") (e.g. $example)" ;;
    *) fail journal "$(head -n 1 <<<"${fields#bad }")" ;;
esac
grep '^other: ' <<<"$fields" | sed 's/^other: /NOTE journal: not from the log handler: /'

# g. Stop with a client connected: STOPPING=1, a drain, exit status 0.
WATCHER_LOG="$WORK/watcher.log"
python3 "$REPO/scripts/demo_client.py" watch "/proc/$PID1/root$SOCK" "$REPO/protocol/vectors/hello_request.hex" \
    >"$WATCHER_LOG" 2>&1 &
WATCHER_PID=$!
watching() { grep -q HELLO_REPLY "$WATCHER_LOG"; }
if wait_until 10 watching; then
    mark="$(ct journalctl --no-pager -u lorad.service -n 0 --show-cursor 2>/dev/null | sed -n 's/^-- cursor: //p')"
    t_stop=$SECONDS
    if ct systemctl stop lorad.service >"$WORK/stop.log" 2>&1; then stop_rc=0; else stop_rc=$?; fi
    took=$((SECONDS - t_stop))
    watcher_rc=0
    wait "$WATCHER_PID" || watcher_rc=$?
    WATCHER_PID=""
    drain_log="$(journal -u lorad.service --after-cursor="$mark" | tr '\n' '|')"
    result="$(prop lorad.service Result) ExecMainStatus=$(prop lorad.service ExecMainStatus) ExecMainCode=$(prop lorad.service ExecMainCode)"
    if [ $stop_rc -eq 0 ] && [ $watcher_rc -eq 0 ] && grep -q SHUTTING_DOWN "$WATCHER_LOG" \
        && [ "$result" = "success ExecMainStatus=0 ExecMainCode=1" ] && grep -q 'draining connections' <<<"$drain_log" \
        && grep -q 'lorad exits' <<<"$drain_log" && [ "$(prop lorad.socket ActiveState)" = active ]; then
        pass stop "systemctl stop took ${took} s; the client got '$(grep SHUTTING_DOWN "$WATCHER_LOG" | head -n 1)'; $result; lorad.socket still active; journal: $drain_log"
    else
        fail stop "systemctl stop exit $stop_rc after ${took} s; client exit $watcher_rc: $(tr '\n' '|' <"$WATCHER_LOG"); $result; journal: $drain_log"
    fi
else
    fail stop "the client did not get HELLO_REPLY: $(cat "$WATCHER_LOG")"
fi

# h. The socket's group: alice (in lorad) may connect and activates lorad again; bob may not.
if out_a="$(ct runuser -u alice -- /usr/bin/loractl status --socket "$SOCK" 2>&1)"; then alice_rc=0; else alice_rc=$?; fi
if out_b="$(ct runuser -u bob -- /usr/bin/loractl status --socket "$SOCK" 2>&1)"; then bob_rc=0; else bob_rc=$?; fi
if [ $alice_rc -eq 0 ] && [ $bob_rc -eq 77 ]; then
    pass access "alice (group lorad): exit 0, lorad.service $(prop lorad.service ActiveState) again; bob: exit 77, '$(head -n 1 <<<"$out_b")'"
else
    fail access "alice: exit $alice_rc '$(head -n 1 <<<"$out_a")'; bob: exit $bob_rc '$(head -n 1 <<<"$out_b")'"
fi

# i. A bad config: exit 78 and no restart loop (RestartPreventExitStatus=78).
wait_until 30 ready
restarts_before="$(prop lorad.service NRestarts)"
printf '[bases\n' >"$ROOT/etc/lorad/lorad.toml"
if ct systemctl restart lorad.service >/dev/null 2>&1; then bad_rc=0; else bad_rc=$?; fi
sleep 4
bad="$(prop lorad.service ActiveState) Result=$(prop lorad.service Result) ExecMainStatus=$(prop lorad.service ExecMainStatus) NRestarts=$(prop lorad.service NRestarts)"
why="$(journal -u lorad.service | grep 'lorad.toml:[0-9]' | tail -n 1)"
if [ $bad_rc -ne 0 ] && [ "$bad" = "failed Result=exit-code ExecMainStatus=78 NRestarts=$restarts_before" ]; then
    pass bad-config "systemctl restart failed (exit $bad_rc); $bad 4 s later (no restart); journal: '$why'"
else
    fail bad-config "systemctl restart exit $bad_rc; $bad (NRestarts was $restarts_before); journal: '$why'"
fi

say "system-test: $PASSED passed, ${#FAILED[@]} failed${FAILED[*]:+ (${FAILED[*]})}"
[ ${#FAILED[@]} -eq 0 ]
