#!/usr/bin/env bash
# Builds the libFuzzer targets with the address sanitizer and runs one for
# SECONDS over its committed seed corpus, then prints executions and crashes.
#
#   scripts/fuzz.sh SECONDS [TARGET]     TARGET: checkpoint (default) or features
#
# The fuzz target exists only when CELLSCOPE_FUZZ is set (see Package.swift), and
# builds into .build-fuzz, so normal builds and CI are untouched. New inputs
# libFuzzer finds go to a scratch corpus under .build-fuzz, never into the repo;
# crashing inputs go to .build-fuzz/crashes/.
set -euo pipefail
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET]}
target=${2:-checkpoint}
case "$target" in
  checkpoint) product=FuzzCheckpoint ;;
  features) product=FuzzFeatures ;;
  *) echo "unknown fuzz target $target (known: checkpoint, features)" >&2; exit 64 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CELLSCOPE_FUZZ=1
swift build --scratch-path .build-fuzz --product "$product" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
binary=$(swift build --scratch-path .build-fuzz --show-bin-path)/$product
work=.build-fuzz/corpus-$target crashes=.build-fuzz/crashes
mkdir -p "$work" "$crashes"
log=.build-fuzz/fuzz-$target.log
status=0
# rss_limit bounds memory: an input that makes the reader allocate far beyond its
# size is a bug like a crash. -detect_leaks=0: Foundation's caches read as leaks.
"$binary" "$work" "Tests/FuzzCorpus/$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -malloc_limit_mb=1024 -detect_leaks=0 -artifact_prefix="$crashes/" -print_final_stats=1 \
  >"$log" 2>&1 || status=$?
execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
found=$(grep -cE '^==[0-9]+==ERROR|deadly signal|out-of-memory|malloc\(|Fatal error' "$log" || true)
echo "fuzz $target: $execs executions in ${seconds}s, $found crashes (exit $status); log: $log"
if [ "$status" -ne 0 ]; then
  tail -40 "$log"
  ls -1 "$crashes"
fi
exit "$status"
