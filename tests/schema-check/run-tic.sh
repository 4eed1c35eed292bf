#!/usr/bin/env bash
# ctest mrf_tic_ajv: writes a ~300 KB synthetic in-network file with
# `backcover mrf generate` and validates it, with the golden cases' payer
# files, against CMS's schemas (tic.mjs); skipped (77) without node/ajv.
# Usage: run-tic.sh PATH/TO/backcover
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null || [ ! -d "$dir/node_modules/ajv" ]; then
  echo "skipped: node or tests/schema-check/node_modules missing (cd tests/schema-check && npm ci)"
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$1" mrf generate "$tmp/generated.json" --kb 300
exec node "$dir/tic.mjs" "$tmp/generated.json"
