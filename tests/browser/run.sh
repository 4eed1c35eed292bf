#!/usr/bin/env bash
# ctest browser/e2e: the web page end to end in Debian's Chromium against the
# real `backcover serve` (tests/browser/e2e.mjs). Installs its npm packages from
# the lockfile (npm ci) when missing and builds web/dist when missing or stale
# (scripts/web-build). Skipped (77) when node, npm or chromium is not installed.
#   run.sh BACKCOVER_BINARY SCREENSHOT_DIR
set -u
dir="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$dir/../.." && pwd)"
bin="$1"; out="$2"
chromium="${BACKCOVER_CHROMIUM:-/usr/bin/chromium}"
if ! command -v node >/dev/null || ! command -v npm >/dev/null || [ ! -x "$chromium" ]; then
  echo "skipped: node, npm or $chromium missing (scripts/deps installs them)"
  exit 77
fi
if [ ! -d "$dir/node_modules/playwright-core" ] || [ ! -d "$dir/node_modules/axe-core" ] ||
   [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --silent) || { echo "tests/browser: npm ci failed"; exit 1; }
fi
"$root/scripts/web-build" || { echo "tests/browser: the web page did not build"; exit 1; }
exec timeout 600 node "$dir/e2e.mjs" --bin "$bin" --out "$out"
