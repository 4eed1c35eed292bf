#!/usr/bin/env bash
# ctest schemas_ajv: the ajv check when node and its packages are installed
# (scripts/test runs `npm ci` here when npm is present); skipped (77) otherwise.
dir="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null || [ ! -d "$dir/node_modules/ajv" ]; then
  echo "skipped: node or tests/schema-check/node_modules missing (cd tests/schema-check && npm ci)"
  exit 77
fi
exec node "$dir/check.mjs"
