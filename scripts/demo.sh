#!/usr/bin/env bash
# The main job: install what is missing, build (release), generate the demo
# corpus, train a small model for a bounded time, and write the report to site/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh build
swift build -c release --product cellscope
exec .build/release/cellscope demo "$@"
