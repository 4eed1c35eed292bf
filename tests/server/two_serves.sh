#!/usr/bin/env bash
# Two `backcover serve` processes over one store give the same answers
# (issue 14.8: no state in a process beyond caches of rule data). Run as
#   tests/server/two_serves.sh BACKCOVER_BINARY [STORE_URL]
# STORE_URL defaults to $BACKCOVER_PG_URL (ctest runs it under
# scripts/pg-throwaway), else a scratch SQLite file. Checks, through the
# command line and curl only:
#   - user add / token add, and a login on process A whose session cookie works on B;
#   - the same GETs answered byte for byte the same by A and B;
#   - an estimate saved through A is listed by B; a logout on B ends the session on A;
#   - failed logins counted across both (the rate limit is in the store).
set -euo pipefail
bin=$1
work=$(mktemp -d /tmp/backcover-two-serves.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/serve-*.log; do echo "--- $f" >&2; tail -5 "$f" >&2; done; exit 1; }
db=${2:-${BACKCOVER_PG_URL:-$work/store.db}}
src=$(cd "$(dirname "$0")/../.." && pwd)

"$bin" import "$src/examples" --db "$db" >/dev/null || fail "import"
BACKCOVER_PASSWORD=two-serves-pw "$bin" user add --db "$db" --user desk --role frontdesk >/dev/null || fail "user add"
echo two-serves-pw | "$bin" user add --db "$db" --user doc --role clinician --name "Dr Two" >/dev/null || fail "user add (stdin)"
if "$bin" user add --db "$db" --user x --role frontdesc </dev/null 2>"$work/err"; then fail "a misspelt role was accepted"; fi
grep -q 'did you mean "frontdesk"' "$work/err" || fail "no did-you-mean for the role: $(cat "$work/err")"
token=$("$bin" token add --db "$db" --user desk --name two-serves) || fail "token add"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
A=$(port); B=$(port)
for p in $A $B; do
  "$bin" serve --db "$db" --listen "127.0.0.1:$p" --threads 4 >"$work/serve-$p.log" 2>&1 &
  pids+=($!)
done
for p in $A $B; do
  for _ in $(seq 1 500); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.02; done
  curl -sf "http://127.0.0.1:$p/healthz" >/dev/null || fail "serve on $p did not start"
done

get() {  # port path [curl args…]
  local p=$1 path=$2; shift 2
  curl -s -H "Authorization: Bearer $token" "$@" "http://127.0.0.1:$p$path"
}
for path in /api/me /api/patients /api/patients/P1 /api/patients/P2/files/plan.yaml /openapi.json; do
  a=$(get "$A" "$path"); b=$(get "$B" "$path")
  [ -n "$a" ] || fail "empty reply for $path"
  [ "$a" = "$b" ] || fail "$path differs between the two processes"
done

# A session made on A is good on B (the store holds it, not the process).
curl -s -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"clinic":"default","user":"doc","password":"two-serves-pw"}' "http://127.0.0.1:$A/api/login" >"$work/login.json"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' "$work/login.json") || fail "login on A"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$work/jar" "http://127.0.0.1:$B/api/me")" = 200 ] || fail "A's session refused by B"

# An estimate saved through A is in the record B serves.
code=$(curl -s -o "$work/est.json" -w "%{http_code}" -X POST -d "" -b "$work/jar" -H "X-CSRF-Token: $csrf" \
       "http://127.0.0.1:$A/api/patients/P1/courses/C1/estimate")
if [ "$code" = 200 ]; then
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["estimate_id"])' "$work/est.json")
  get "$B" /api/patients/P1 | grep -q "\"$id\"" || fail "estimate $id saved through A is not listed by B"
  [ "$(get "$A" /api/patients/P1)" = "$(get "$B" /api/patients/P1)" ] || fail "P1 differs after the estimate"
else
  fail "stored estimate through A answered $code: $(head -c 300 "$work/est.json")"
fi

# Logging out on B ends the session on A.
[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST -d "" -b "$work/jar" -H "X-CSRF-Token: $csrf" \
      "http://127.0.0.1:$B/api/logout")" = 204 ] || fail "logout on B"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$work/jar" "http://127.0.0.1:$A/api/me")" = 401 ] || fail "session alive on A after logout on B"

# Failed logins alternate between A and B and are counted together: the 6th is refused.
for i in 1 2 3 4 5; do
  p=$([ $((i % 2)) = 0 ] && echo "$A" || echo "$B")
  c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d '{"clinic":"default","user":"desk","password":"wrong-one"}' "http://127.0.0.1:$p/api/login")
  [ "$c" = 401 ] || fail "failed login $i answered $c"
done
c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"clinic":"default","user":"desk","password":"two-serves-pw"}' "http://127.0.0.1:$A/api/login")
[ "$c" = 429 ] || fail "the 6th login across both processes answered $c, expected 429"
echo "two serve processes over $( [[ $db == postgres* ]] && echo PostgreSQL || echo SQLite ): same answers"
