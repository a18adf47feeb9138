#!/usr/bin/env bash
# Wall time of `cellscope analyze` (default options, --top 24) for an old and
# this checkout's release binary, alternating, per precision, then `score`:
# the README's "After the window pass and the ablation budget" table.
# Usage: scripts/ab-analysis.sh OLD_BINARY MODEL TEXT [ROUNDS]
# Build first: swift build -c release. bf16 needs AVX512-BF16.
set -euo pipefail
old=$1 model=$2 text=$3 rounds=${4:-2}
new="$(cd "$(dirname "$0")/.." && pwd)/.build/release/cellscope"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$(dirname "$0")/timing.sh"
for _ in $(seq 1 "$rounds"); do
  for p in fp32 bf16; do
    run "$p old" "$old" analyze "$model" --text "$text" --top 24 --precision "$p" --out "$out/old"
    run "$p new" "$new" analyze "$model" --text "$text" --top 24 --precision "$p" --out "$out/new"
    run "$p score" "$new" score "$model" --text "$text" --precision "$p"
  done
done
