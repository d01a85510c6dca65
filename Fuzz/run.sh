#!/bin/sh
# Builds the libFuzzer targets (once, in .build-fuzz) and runs each for SECONDS.
# Usage: Fuzz/run.sh SECONDS [TARGET...]   (targets: frames safetensors toml pack adapter)
# Each target starts from its checked-in seeds (Fuzz/corpus/<target>, read only) and any
# crash inputs kept as regressions (Fuzz/regressions/<target>); what it finds goes to
# .build-fuzz/corpus/<target> (kept between runs) and a crash to .build-fuzz/artifacts/<target>/.
# Exits non-zero as soon as a target crashes, leaks or times out, after naming the input.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:?usage: Fuzz/run.sh SECONDS [TARGET...]}
shift
[ $# -gt 0 ] || set -- frames safetensors toml pack adapter
scratch=.build-fuzz
swift=${SWIFT:-swift}

echo "fuzz: building the targets in $scratch (ASan + libFuzzer coverage)"
start=$(date +%s)
mkdir -p "$scratch"
# The linker warns "Cannot export local symbol '__asan_...'" a few hundred times: harmless, hidden.
status=0
(cd Fuzz && "$swift" build --scratch-path "../$scratch" \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address) >"$scratch/build.log" 2>&1 || status=$?
grep -v "Cannot export local symbol '__asan_" "$scratch/build.log" || true
[ "$status" -eq 0 ] || { echo "fuzz: build failed ($status); the whole output is in $scratch/build.log" >&2; exit 1; }
echo "fuzz: built in $(($(date +%s) - start)) s"

bin=$scratch/debug
for target in "$@"; do
    case $target in
        frames) exe=FuzzFrames ;;
        safetensors) exe=FuzzSafetensors ;;
        toml) exe=FuzzTOML ;;
        pack) exe=FuzzPack ;;
        adapter) exe=FuzzAdapter ;;
        *) echo "fuzz: unknown target $target" >&2; exit 2 ;;
    esac
    work=$scratch/corpus/$target
    artifacts=$scratch/artifacts/$target
    mkdir -p "$work" "$artifacts"
    set -- "$work" "Fuzz/corpus/$target"
    [ -d "Fuzz/regressions/$target" ] && set -- "$@" "Fuzz/regressions/$target"
    echo "fuzz: $target for $seconds s"
    log=$scratch/$target.log
    # SWIFT_BACKTRACE=enable=no: else a crash waits in Swift's backtracer instead of exiting.
    if ! SWIFT_BACKTRACE=enable=no "$bin/$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz: $target FAILED; the input is in $artifacts/ (log $log); see Fuzz/README.md" >&2
        exit 1
    fi
    grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "$log" || true
done
