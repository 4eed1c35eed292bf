#!/usr/bin/env bash
# ctest mrf_progress (issue 16): `mrf index` draws its progress line (MB of
# JSON, MB/s, items) on stderr only when stderr is a terminal. Run once under
# a pseudo-terminal (util-linux `script`) and once with stderr to a file.
# Usage: mrf_progress.sh PATH/TO/backcover
set -euo pipefail
bc="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bc" mrf generate "$tmp/in.json" --mb 20 > /dev/null
# Not a terminal: stdout has the summary, stderr nothing at all.
"$bc" mrf index "$tmp/in.json" --db "$tmp/a.db" > "$tmp/out.txt" 2> "$tmp/err.txt"
grep -q "index rows" "$tmp/out.txt" || { echo "FAIL: no summary on stdout"; cat "$tmp/out.txt"; exit 1; }
if [ -s "$tmp/err.txt" ]; then echo "FAIL: stderr is not a terminal but got:"; cat "$tmp/err.txt"; exit 1; fi
if ! command -v script > /dev/null; then echo "skipped: no util-linux script for a pseudo-terminal"; exit 77; fi
# A terminal: the progress line, redrawn with \r, ending with the whole file.
script -qec "'$bc' mrf index '$tmp/in.json' --db '$tmp/b.db'" /dev/null > "$tmp/tty.txt"
grep -q $'\r'"$tmp/in.json: " "$tmp/tty.txt" || { echo "FAIL: no progress line on the terminal"; cat -A "$tmp/tty.txt" | head; exit 1; }
grep -q "MB/s" "$tmp/tty.txt" || { echo "FAIL: the progress line has no rate"; exit 1; }
# 20 MiB of JSON: at least one redraw at 16 MiB and the last at the end.
n=$(tr '\r' '\n' < "$tmp/tty.txt" | grep -c "MB of JSON")
[ "$n" -ge 2 ] || { echo "FAIL: expected the line redrawn at least twice, got $n"; exit 1; }
echo "ok: no progress without a terminal; $n progress redraws on one"
