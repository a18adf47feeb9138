#!/usr/bin/env bash
# Installs the Debian packages cellscope needs, only those that are missing.
#   scripts/install-packages.sh build   # OpenBLAS, libpng, Cairo, fonts: to build and run
#   scripts/install-packages.sh test    # the above, plus Chromium and Java for the site checks
set -euo pipefail
want=(libopenblas-dev libpng-dev libcairo2-dev fonts-dejavu-core pkg-config)
if [ "${1:-build}" = "test" ]; then
  want+=(chromium chromium-driver python3-venv)
  command -v java >/dev/null || want+=(default-jre-headless)  # the Nu HTML checker runs on Java
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
