#!/usr/bin/env bash
# The whole test suite: install what is missing (including headless Chromium and
# Java for the site checks), then run every Swift test. Offline once installed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh test
swift build --build-tests
swift test --skip-build
