#!/usr/bin/env bash
# optimist serve under load: wrk against GET /v2/customers/{id} and a versioned
# PUT /v2/customers/{id} (Tests/Scripts/wrk/versioned-put.lua) at 1, 8 and 64 connections, on
# loopback, against one CLI process per request as the baseline. Prints a Markdown section
# (`make bench` appends it to BENCHMARKS.md). Nothing asserts a time.
#
#   bench_serve.sh OPTIMIST_BINARY   (optimist-serve beside it; BENCH_DIR for the raw output,
#                                     BENCH_SECONDS per wrk run, default 10)
set -euo pipefail
OPTIMIST=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${BENCH_DIR:-$(mktemp -d)}/serve
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CUSTOMERS=200
CLI_CALLS=200
rm -rf "$WORK"
mkdir -p "$WORK"
DB=$WORK/serve.db
export OPTIMIST_TOKEN
OPTIMIST_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "bench_serve.sh: $tool is missing (make bench installs it)" >&2; exit 1; }
done

for n in $(seq "$CUSTOMERS"); do
  "$OPTIMIST" create-customer --given-name "Bench $n" --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
done >"$WORK/ids"
ID=$(head -n 1 "$WORK/ids")

"$OPTIMIST" serve --listen 127.0.0.1:0 --db "$DB" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.1; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/serve.out")

# "Requests/sec: N" and the 50% and 99% latencies (wrk --latency), in ms.
parse() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
if "PANIC" in text or "error" in text.split("Running")[0]:
    sys.exit(f"wrk failed: {text}")
puts = re.search(r"versioned-put applied=(\d+) refused=(\d+) other=(\d+)", text)
extra = f" | {puts.group(1)} applied, {puts.group(2)} VERSION_MISMATCH, {puts.group(3)} other" if puts else ""
print(f"{rps:,.0f} | {p50:.2f} | {p99:.2f}{extra}")
PY
}

run_wrk() {  # name connections [wrk arguments…]
  local name=$1 connections=$2 threads
  shift 2
  threads=$(( connections < 2 ? 1 : 2 ))
  BENCH_THREADS=$threads wrk -t"$threads" -c"$connections" -d"${SECONDS_PER_RUN}s" --latency \
    -H "Authorization: Bearer $OPTIMIST_TOKEN" "$@" >"$WORK/wrk.$name.$connections.txt" 2>&1
  parse "$WORK/wrk.$name.$connections.txt"
}

for c in 1 8 64; do GET_ROW[$c]=$(run_wrk get "$c" "$URL/v2/customers/$ID"); done
for c in 1 8 64; do
  # Every customer's version now, so that each run starts from what a client would have read.
  "$OPTIMIST" list --all --type CUSTOMER --db "$DB" \
    | python3 -c 'import json,sys; [print(o["id"], o["version"]) for o in json.load(sys.stdin)["objects"]]' \
    >"$WORK/versions"
  PUT_ROW[$c]=$(BENCH_IDS="$WORK/versions" run_wrk put "$c" -s "$HERE/wrk/versioned-put.lua" "$URL")
  case ${PUT_ROW[$c]} in *applied*) ;; *) echo "bench_serve.sh: no PUT outcomes from wrk" >&2; exit 1 ;; esac
done
kill -TERM "$SERVER"
wait "$SERVER" && SERVER_EXIT=0 || SERVER_EXIT=$?
trap - EXIT

# The baseline: one CLI process per request, one caller (and 8 at once, for reads).
now() { date +%s%N; }
start=$(now)
for _ in $(seq "$CLI_CALLS"); do "$OPTIMIST" get "$ID" --db "$DB" >/dev/null; done
CLI_GET_NS=$(( $(now) - start ))
start=$(now)
seq "$CLI_CALLS" | xargs -P 8 -I{} "$OPTIMIST" get "$ID" --db "$DB" >/dev/null
CLI_GET8_NS=$(( $(now) - start ))
version=$("$OPTIMIST" get "$ID" --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
start=$(now)
for n in $(seq "$CLI_CALLS"); do
  "$OPTIMIST" update "$ID" --version $(( version + n - 1 )) --set "note=cli $n" --db "$DB" >/dev/null
done
CLI_PUT_NS=$(( $(now) - start ))

rate() { python3 -c "import sys; print(f'{$CLI_CALLS / ($1 / 1e9):,.0f}')"; }
GET8_RPS=$(printf '%s' "${GET_ROW[8]}" | cut -d'|' -f1 | tr -d ', ')
SPEEDUP=$(python3 -c "print(f'{$GET8_RPS / ($CLI_CALLS / ($CLI_GET_NS / 1e9)):.0f}')")

cat <<MD

## optimist serve (HTTP, SQLite)

wrk on loopback for ${SECONDS_PER_RUN} s per row against \`optimist serve\` (release build, 8 store
workers, the store of $CUSTOMERS customers at \`synchronous=FULL\`); the CLI rows run one
\`optimist\` process per request ($CLI_CALLS requests). The versioned PUT
(Tests/Scripts/wrk/versioned-put.lua) updates a random one of its wrk thread's share of the
$CUSTOMERS customers with the version the thread last saw for it, as a client that re-reads
after a VERSION_MISMATCH would: "applied" are committed updates (each a conditional UPDATE and a
synced commit), "VERSION_MISMATCH" the writes another connection beat, refused and
changing nothing. The server exited $SERVER_EXIT on SIGTERM.

| request | connections | requests/s | p50 ms | p99 ms | PUT outcomes |
| --- | ---: | ---: | ---: | ---: | --- |
| GET /v2/customers/{id} | 1 | ${GET_ROW[1]} | |
| GET /v2/customers/{id} | 8 | ${GET_ROW[8]} | |
| GET /v2/customers/{id} | 64 | ${GET_ROW[64]} | |
| versioned PUT /v2/customers/{id} | 1 | ${PUT_ROW[1]} |
| versioned PUT /v2/customers/{id} | 8 | ${PUT_ROW[8]} |
| versioned PUT /v2/customers/{id} | 64 | ${PUT_ROW[64]} |
| CLI \`optimist get\`, one process per request | 1 caller | $(rate "$CLI_GET_NS") | | | |
| CLI \`optimist get\`, one process per request | 8 callers | $(rate "$CLI_GET8_NS") | | | |
| CLI \`optimist update --version\`, one process per request | 1 caller | $(rate "$CLI_PUT_NS") | | | |

Reads at 8 connections: **${SPEEDUP}×** the CLI's single-call read throughput (goal: at least 20×).
MD
