#!/usr/bin/env bash
# Wall time of the analysis modes, A B A B: the README's "Analysis time" table.
# Usage: scripts/time-analysis.sh MODEL TEXT [ROUNDS] [OLD_BINARY]
# Runs the release build of this checkout (build it first: swift build -c release);
# OLD_BINARY, when given, is timed first in each round with its own default.
set -euo pipefail
model=$1 text=$2 rounds=${3:-2} old=${4:-}
new="$(dirname "$0")/../.build/release/cellscope"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$(dirname "$0")/timing.sh"
for _ in $(seq 1 "$rounds"); do
  if [ -n "$old" ]; then run before "$old" analyze "$model" --text "$text" --top 24 --out "$out/old"; fi
  run exact-only "$new" analyze "$model" --text "$text" --top 24 --no-control --ablate none --out "$out/e"
  run stitched-only "$new" analyze "$model" --text "$text" --top 24 --stitched --no-control --ablate none --out "$out/s"
  run fast-only "$new" analyze "$model" --text "$text" --top 24 --fast --no-control --ablate none --out "$out/f"
  run default "$new" analyze "$model" --text "$text" --top 24 --out "$out/d"
  run score "$new" score "$model" --text "$text"
done
