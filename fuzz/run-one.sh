#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a scratch copy of its
# seeds, so the repository's seed folder never changes. Used by ctest.
# usage: run-one.sh BINARY SEEDS_DIR SCRATCH_DIR SECONDS
set -eu
bin=$1 seeds=$2 scratch=$3 secs=$4
rm -rf "$scratch" && mkdir -p "$scratch"
[ -d "$seeds" ] && cp -r "$seeds"/. "$scratch"/ 2>/dev/null || true
exec "$bin" "$scratch" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$scratch/"
