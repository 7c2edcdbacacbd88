#!/usr/bin/env bash
# Benchmarks optimist against the sqlite3 shell doing the same SQL and against the floor (a
# minimal static C program per operation doing optimist's SQL), and writes BENCHMARKS.md.
#
#   Tests/Scripts/bench.sh OPTIMIST_BINARY [REPORT]       (`make bench` runs it)
#
# Everything is measured in one run, side by side, on databases of the same size:
#   a. one call: get, update --version, create-payment: median wall time (hyperfine)
#   b. contention: 8 workers x 200 read-modify-write cycles on one customer
#   c. idempotency: 8 workers with distinct keys; 8 workers replaying one key
#   d. scale: get and update with 1,000 and with 1,000,000 customers (and as many keys)
#   e. memory: peak resident size of one call
#   f. PostgreSQL: one call and contention against psql on one server (bench_pg.py)
#   g. edit: 8 workers incrementing one counter with `edit` against the README's hand-written
#      get/update loop, on SQLite and PostgreSQL (bench_edit.py)
# and, to explain the figures, instructions (valgrind --tool=callgrind) and system calls
# (strace -c) of one call. The workloads with threads live in bench_workers.py.
#
# Sizes (smaller ones for a quick try): BENCH_RUNS (runs per median, 50 or more) in BENCH_BLOCKS
# blocks, BENCH_WORKERS, BENCH_CYCLES, BENCH_ROUNDS (of the contention workload), BENCH_PAYMENTS
# (per worker), BENCH_SMALL, BENCH_BIG. BENCH_DIR is the work folder (default: a temporary one, removed at the
# end); it keeps the raw measurements: hyperfine JSON, strace and callgrind files.
# BENCH_BEFORE=path/to/an/older/optimist adds a before/after comparison of `get`;
# BENCH_BEFORE_LABEL says what that binary is (e.g. "commit 2d51585").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench.sh OPTIMIST_BINARY [REPORT]" >&2; exit 2; }
OPTIMIST=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REPORT=${2:-BENCHMARKS.md}
RUNS=${BENCH_RUNS:-200}
WORKERS=${BENCH_WORKERS:-8}
CYCLES=${BENCH_CYCLES:-200}
PAYMENTS=${BENCH_PAYMENTS:-50}
ROUNDS=${BENCH_ROUNDS:-3}
BLOCKS=${BENCH_BLOCKS:-8}
RUNS=$((RUNS / BLOCKS * BLOCKS))   # whole blocks
SMALL_N=${BENCH_SMALL:-1000}
BIG_N=${BENCH_BIG:-1000000}
BEFORE=${BENCH_BEFORE:+$(cd "$(dirname "$BENCH_BEFORE")" && pwd)/$(basename "$BENCH_BEFORE")}

if [ -n "${BENCH_DIR:-}" ]; then
  mkdir -p "$BENCH_DIR"
  WORK=$(realpath "$BENCH_DIR")
else
  WORK=$(mktemp -d)
  TEMPORARY=$WORK
fi
# A copy of the small database in memory (tmpfs), for a control without the disk's latency.
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then SHM=$(mktemp -d /dev/shm/optimist-bench.XXXXXX); fi
trap 'rm -rf ${TEMPORARY:-} ${SHM:-}' EXIT
case "$WORK$OPTIMIST" in *[[:space:]]*) echo "bench.sh: paths with spaces are not supported" >&2; exit 2 ;; esac
for tool in hyperfine sqlite3 valgrind callgrind_annotate strace python3 /usr/bin/time cc; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing (make bench installs it)" >&2; exit 2; }
done

say() { printf '\n== %s\n' "$*" >&2; }
workers() { python3 "$here/bench_workers.py" "$@"; }
# Decimal arithmetic: calc EXPRESSION [DECIMALS].
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# Every measurement, as a command line anyone can repeat from the repository's top folder
# ($WORK: the work folder).
COMMANDS=()
remember() {
  local line="" word plain='^[A-Za-z0-9_./{}=:,@%+-]+$'
  for word in "$@"; do
    if [[ $word =~ $plain ]]; then
      line+=" $word"
    else
      word=${word//\\/\\\\}; word=${word//\"/\\\"}; word=${word//\$/\\\$}; word=${word//\`/\\\`}
      line+=" \"$word\""
    fi
  done
  line=${line# }
  line=${line//$WORK/\$WORK}
  [ -z "${SHM:-}" ] || line=${line//$SHM/\$SHM}
  COMMANDS+=("${line//$REPO\//}")
}

# ------------------------------------------------------------------------------ the SQL
# The sqlite3 shell's side of every comparison. Every call waits up to 10 s for a lock, like
# optimist's default --timeout 10; -bail stops a script at its first error.
# Every side commits durably the same way (Durability.swift): the rollback journal in TRUNCATE
# mode at synchronous=FULL. These are the one place those settings live: the shell's calls
# and the floor programs (built below) follow them. journal_mode is per connection, so every
# shell call sets it, its answer sent to /dev/null. shell_journal MODE gives the shell's
# options for another mode.
JOURNAL_MODE=TRUNCATE
SYNCHRONOUS=FULL
PRAGMAS="PRAGMA journal_mode = $JOURNAL_MODE; PRAGMA synchronous = $SYNCHRONOUS;"
shell_journal() { echo "-cmd '.output /dev/null' -cmd 'PRAGMA journal_mode = $1' -cmd '.output stdout'"; }
SQLITE3="sqlite3 -bail -cmd '.timeout 10000' $(shell_journal "$JOURNAL_MODE")"
COLUMNS="id, version, created_at, updated_at, given_name, family_name, company_name, email_address, phone_number, reference_id, note"
NOW="CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"   # epoch milliseconds
ALPHABET=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567                          # ids: 26 of these

# get_sql ID: what `optimist get ID` reads.
get_sql() { echo "SELECT $COLUMNS FROM customers WHERE id = '$1'"; }

# update_sql ID VERSION NOTE [SYNCHRONOUS]: `optimist update ID --version VERSION --set
# note=NOTE`: a conditional UPDATE, then the row with changes() (1: updated, 0: the version was
# stale); synchronous=FULL unless SYNCHRONOUS says otherwise.
update_sql() {
  echo "PRAGMA synchronous = ${4:-$SYNCHRONOUS}; BEGIN IMMEDIATE;" \
    "UPDATE customers SET note = '$3', version = version + 1, updated_at = $NOW WHERE id = '$1' AND version = $2;" \
    "SELECT changes() AS changed, $COLUMNS FROM customers WHERE id = '$1'; COMMIT;"
}

# A new random id, in SQL.
RANDOM_ID="(SELECT group_concat(substr('$ALPHABET', (random() & 31) + 1, 1), '') FROM (WITH RECURSIVE i(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM i WHERE n < 26) SELECT n FROM i))"
ISO_TIME="strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch')"

# payment_sql KEY CUSTOMER: `optimist create-payment --key KEY --amount 450 --currency USD
# --source-id cnon:card-nonce-ok --customer-id CUSTOMER`: unless the key exists, insert the
# payment and the key row with its answer, in one transaction; then print the key's answer.
payment_sql() {
  echo "PRAGMA synchronous = $SYNCHRONOUS; BEGIN IMMEDIATE;" \
    "INSERT INTO payments (id, created_at, updated_at, amount, currency, status, source_id, customer_id, version_token)" \
    "SELECT $RANDOM_ID, $NOW, $NOW, 450, 'USD', 'COMPLETED', 'cnon:card-nonce-ok', '$2', $RANDOM_ID" \
    "WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE command = 'create-payment' AND key = '$1')" \
    "AND EXISTS (SELECT 1 FROM customers WHERE id = '$2');" \
    "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, created_at)" \
    "SELECT 'create-payment', '$1', json_object('amount', amount, 'currency', currency, 'source_id', source_id, 'customer_id', customer_id)," \
    "id, json_object('id', id, 'created_at', $ISO_TIME, 'updated_at', $ISO_TIME," \
    "'amount_money', json_object('amount', amount, 'currency', currency), 'total_money', json_object('amount', amount, 'currency', currency)," \
    "'approved_money', json_object('amount', amount, 'currency', currency), 'status', status, 'source_type', 'CARD'," \
    "'customer_id', customer_id, 'version_token', version_token), '', 0, created_at" \
    "FROM payments WHERE seq = last_insert_rowid();" \
    "SELECT stdout FROM idempotency_keys WHERE command = 'create-payment' AND key = '$1'; COMMIT;"
}

# ------------------------------------------------------------------------------ the floor
# floor-get, floor-update and floor-payment (Tests/Scripts/floor): the same SQL statements in
# the same transactions with the same pragmas as optimist, linked statically against the same
# libsqlite3, printing the same JSON, and nothing else: the least any tool can do here.
LIBSQLITE3=${BENCH_LIBSQLITE3:-/usr/lib/$(cc -print-multiarch)/libsqlite3.a}
for op in get update payment; do
  cc -O2 -static -DFLOOR_PRAGMAS="\"$PRAGMAS\"" -o "$WORK/floor-$op" "$here/floor/floor_$op.c" \
    "$LIBSQLITE3" -lm -lpthread 2>"$WORK/floor-$op.log" || { cat "$WORK/floor-$op.log" >&2; exit 1; }
done
FLOOR_MIB=$(awk "BEGIN { printf \"%.1f\", $(stat -c %s "$WORK/floor-get") / 1048576 }")

# ------------------------------------------------------------------------------ databases
# digits EXPRESSION COUNT: COUNT characters of ALPHABET from the bits of an SQL integer.
digits() {
  local out="" i
  for ((i = 0; i < $2; i++)); do
    out+="${out:+ || }substr('$ALPHABET', ((($1) >> $((5 * i))) & 31) + 1, 1)"
  done
  echo "$out"
}
# The id of row n: its first 6 characters are n * an odd number mod 2^30 (one-to-one, so ids
# are unique and spread over the index like random ones); the other 20 only look random.
ROW_ID="$(digits "(n * 2654435761) % 1073741824" 6) || $(digits "(n * 2246822519 + 374761393) % 1073741824" 6) || $(digits "(n * 3266489917 + 668265263) % 1073741824" 6) || $(digits "(n * 668265263 + 2654435761) % 1099511627776" 8)"

# seed DB N: optimist creates the database and its schema (with one customer: reads do not
# create a missing database); then SQL replaces that customer with N customers, each with the
# idempotency key it was created with (as `create-customer --key` stores it), in one transaction.
seed() {
  local db=$1 n=$2 started
  started=$(date +%s%3N)
  rm -f "$db" "$db-journal"
  "$OPTIMIST" create-customer --given-name Seed --db "$db" >/dev/null
  sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -400000;
BEGIN;
DELETE FROM customers;
DELETE FROM sqlite_sequence WHERE name = 'customers';
WITH RECURSIVE row(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM row WHERE n < $n)
INSERT INTO customers (id, version, created_at, updated_at, given_name, family_name, email_address, note)
SELECT $ROW_ID, 0, $started - $n + n, $started - $n + n,
       'Given' || n, 'Family' || n, 'customer' || n || '@example.com', '0'
FROM row;
INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, created_at)
SELECT 'create-customer', 'seed-' || seq,
       json_object('given_name', given_name, 'family_name', family_name, 'email_address', email_address, 'note', note),
       id,
       json_object('id', id, 'created_at', $ISO_TIME, 'updated_at', $ISO_TIME, 'version', version,
                   'given_name', given_name, 'family_name', family_name, 'email_address', email_address, 'note', note),
       '', 0, created_at
FROM customers;
COMMIT;
SQL
}

# The customers each measurement uses, by position: they start at version 0, so an update
# benchmark can give the version of run k as k (hyperfine's parameter {v}).
id_at() { sqlite3 "$1" "SELECT id FROM customers WHERE seq = $2"; }
version_of() { sqlite3 "$1" "SELECT version FROM customers WHERE id = '$2'"; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)   # other work on the machine adds noise
STARTED=$(date +%s)
say "building a database with $SMALL_N customers and one with $BIG_N (with SQL, not optimist)"
SMALL=$WORK/small.db
BIG=$WORK/big.db
seed_started=$(date +%s)
seed "$SMALL" "$SMALL_N"
seed "$BIG" "$BIG_N"
sync   # the first fdatasync of a test must not write back the whole new database
SEED_SECONDS=$(($(date +%s) - seed_started))
for size in SMALL BIG; do
  db=${!size}
  n=$((${size}_N / 2))
  declare "GET_$size=$(id_at "$db" "$n")"          # read by get
  declare "OPT_UPDATE_$size=$(id_at "$db" $((n + 1)))"  # updated by optimist
  declare "SQL_UPDATE_$size=$(id_at "$db" $((n + 2)))"  # updated by sqlite3
  declare "FLR_UPDATE_$size=$(id_at "$db" $((n + 3)))"  # updated by the floor
done
OPT_CONTENDED=$(id_at "$SMALL" 3)
SQL_CONTENDED=$(id_at "$SMALL" 4)
PAYER=$GET_SMALL

# ------------------------------------------------------------------------------ a + d: one call
# hyperfine -N runs a command without a shell and reports each run's wall time.
hyperfine_json() {
  local name=$1
  shift
  [ "${quiet:-}" ] || remember hyperfine "$@"
  hyperfine --style basic --export-json "$WORK/$name.json" "$@" >"$WORK/$name.log" 2>&1 ||
    { cat "$WORK/$name.log" >&2; exit 1; }
}

# measure NAME PARAMETER COMMAND...: runs every command RUNS times, in BLOCKS blocks. Within a
# block a command's runs follow one another, as a script's loop calls it; the commands take
# turns, in reverse order every other block, so that the machine getting faster or slower
# during the measurement weighs on all of them alike. PARAMETER "-" runs the commands as they
# are, after 3 warm-up runs per block; "v=FIRST" or "n=FIRST" gives the runs of each command
# the values FIRST, FIRST+1, ... as {v} or {n}: a version or a key of their own (a parameter
# scan with --runs 1). Results: NAME.BLOCK.COMMAND.json, commands numbered from 0.
measure() {
  local name=$1 parameter=$2 per=$((RUNS / BLOCKS)) block k first order
  shift 2
  local commands=("$@")
  for ((block = 0; block < BLOCKS; block++)); do
    [ "$block" = 0 ] || quiet=1   # the report lists the first block's commands
    order=$(seq 0 $((${#commands[@]} - 1)))
    [ $((block % 2)) = 0 ] || order=$(tac <<<"$order")
    for k in $order; do
      if [ "$parameter" = - ]; then
        hyperfine_json "$name.$block.$k" -N --warmup 3 --runs "$per" "${commands[k]}"
      else
        first=$((${parameter#*=} + block * per))
        hyperfine_json "$name.$block.$k" -N --runs 1 \
          --parameter-scan "${parameter%%=*}" "$first" $((first + per - 1)) "${commands[k]}"
      fi
    done
  done
  quiet=
}
# Every run must have changed its customer: a stale version would be a no-op on the sqlite3 side.
updated_every_run() {  # DB ID VERSION
  [ "$(version_of "$1" "$2")" = "$3" ] || { echo "bench.sh: an update run changed nothing ($2)" >&2; exit 1; }
}

say "one call: get, $RUNS runs each, $SMALL_N and $BIG_N customers"
measure get - \
  "$OPTIMIST get $GET_SMALL --db $SMALL" \
  "$SQLITE3 -json $SMALL \"$(get_sql "$GET_SMALL")\"" \
  "$OPTIMIST get $GET_BIG --db $BIG" \
  "$SQLITE3 -json $BIG \"$(get_sql "$GET_BIG")\"" \
  "$WORK/floor-get $SMALL $GET_SMALL" \
  "$WORK/floor-get $BIG $GET_BIG"

say "one call: update --version, $RUNS runs each, $SMALL_N and $BIG_N customers"
measure update v=0 \
  "$OPTIMIST update $OPT_UPDATE_SMALL --version {v} --set note=bench-{v} --db $SMALL" \
  "$SQLITE3 -json $SMALL \"$(update_sql "$SQL_UPDATE_SMALL" '{v}' 'bench-{v}')\"" \
  "$OPTIMIST update $OPT_UPDATE_BIG --version {v} --set note=bench-{v} --db $BIG" \
  "$SQLITE3 -json $BIG \"$(update_sql "$SQL_UPDATE_BIG" '{v}' 'bench-{v}')\"" \
  "$WORK/floor-update $SMALL $FLR_UPDATE_SMALL {v} bench-{v}" \
  "$WORK/floor-update $BIG $FLR_UPDATE_BIG {v} bench-{v}"
updated_every_run "$SMALL" "$FLR_UPDATE_SMALL" "$RUNS"
updated_every_run "$BIG" "$FLR_UPDATE_BIG" "$RUNS"
updated_every_run "$SMALL" "$OPT_UPDATE_SMALL" "$RUNS"
updated_every_run "$SMALL" "$SQL_UPDATE_SMALL" "$RUNS"
updated_every_run "$BIG" "$OPT_UPDATE_BIG" "$RUNS"
updated_every_run "$BIG" "$SQL_UPDATE_BIG" "$RUNS"

say "one call: create-payment with a new key, $RUNS runs each, $SMALL_N customers and keys"
measure payment n=1 \
  "$OPTIMIST create-payment --key bench-opt-{n} --amount 450 --currency USD --source-id cnon:card-nonce-ok --customer-id $PAYER --db $SMALL" \
  "$SQLITE3 $SMALL \"$(payment_sql 'bench-sql-{n}' "$PAYER")\"" \
  "$WORK/floor-payment $SMALL bench-floor-{n} $PAYER"
made=$(sqlite3 "$SMALL" "SELECT count(*) FROM payments p JOIN idempotency_keys k ON k.object_id = p.id WHERE k.key LIKE 'bench-%'")
[ "$made" = $((3 * RUNS)) ] || { echo "bench.sh: expected $((3 * RUNS)) payments, found $made" >&2; exit 1; }

# How a commit reaches the disk: the shell's update in SQLite's default DELETE mode at FULL
# (optimist's settings before issue 13, which a power cut can undo), DELETE at EXTRA, and
# TRUNCATE at FULL (optimist's choice), side by side on three customers of their own.
say "durability: the shell's update in DELETE+FULL, DELETE+EXTRA, TRUNCATE+FULL, $RUNS runs each"
DUR_IDS=($(for k in 5 6 7; do id_at "$SMALL" $((SMALL_N / 2 + k)); done))
DUR_SHELL="sqlite3 -bail -cmd '.timeout 10000'"
measure durability v=0 \
  "$DUR_SHELL $(shell_journal DELETE) -json $SMALL \"$(update_sql "${DUR_IDS[0]}" '{v}' 'bench-{v}' FULL)\"" \
  "$DUR_SHELL $(shell_journal DELETE) -json $SMALL \"$(update_sql "${DUR_IDS[1]}" '{v}' 'bench-{v}' EXTRA)\"" \
  "$DUR_SHELL $(shell_journal TRUNCATE) -json $SMALL \"$(update_sql "${DUR_IDS[2]}" '{v}' 'bench-{v}' FULL)\""
for k in 0 1 2; do updated_every_run "$SMALL" "${DUR_IDS[k]}" "$RUNS"; done

# The same update and payment with the database on tmpfs, where fdatasync returns at once: what
# is left is CPU and system calls. The customers are at version RUNS now.
if [ -n "${SHM:-}" ]; then
  say "control: update and create-payment on tmpfs (no disk wait), $RUNS runs each"
  cp "$SMALL" "$SHM/small.db"
  measure tmpfs-update v="$RUNS" \
    "$OPTIMIST update $OPT_UPDATE_SMALL --version {v} --set note=bench-{v} --db $SHM/small.db" \
    "$SQLITE3 -json $SHM/small.db \"$(update_sql "$SQL_UPDATE_SMALL" '{v}' 'bench-{v}')\"" \
    "$WORK/floor-update $SHM/small.db $FLR_UPDATE_SMALL {v} bench-{v}"
  measure tmpfs-payment n=1 \
    "$OPTIMIST create-payment --key tmpfs-opt-{n} --amount 450 --currency USD --source-id cnon:card-nonce-ok --customer-id $PAYER --db $SHM/small.db" \
    "$SQLITE3 $SHM/small.db \"$(payment_sql 'tmpfs-sql-{n}' "$PAYER")\"" \
    "$WORK/floor-payment $SHM/small.db tmpfs-floor-{n} $PAYER"
  updated_every_run "$SHM/small.db" "$OPT_UPDATE_SMALL" $((2 * RUNS))
  updated_every_run "$SHM/small.db" "$SQL_UPDATE_SMALL" $((2 * RUNS))
  updated_every_run "$SHM/small.db" "$FLR_UPDATE_SMALL" $((2 * RUNS))
  rm -f "$SHM/small.db"
fi

# median NAME K: the median run time, in ms, of command K of a measurement (all its blocks).
median() { workers median "$WORK/$1".*."$2".json; }
spread() { workers spread "$WORK/$1".*."$2".json; }
# blocks NAME A B: the lowest and highest ratio of command A to command B, block by block, as
# "LO HI": when it straddles 1, the blocks disagree on which is faster.
blocks() { workers block-ratios "$WORK/$1" "$BLOCKS" "$2" "$3"; }
read -r GET_LO GET_HI < <(blocks get 0 1)
read -r UPD_LO UPD_HI < <(blocks update 0 1)
read -r PAY_LO PAY_HI < <(blocks payment 0 1)
GET_OPT=$(median get 0);        GET_SQL=$(median get 1)
GET_OPT_BIG=$(median get 2);    GET_SQL_BIG=$(median get 3)
UPD_OPT=$(median update 0);     UPD_SQL=$(median update 1)
UPD_OPT_BIG=$(median update 2); UPD_SQL_BIG=$(median update 3)
PAY_OPT=$(median payment 0);    PAY_SQL=$(median payment 1)
GET_FLR=$(median get 4);        GET_FLR_BIG=$(median get 5)
UPD_FLR=$(median update 4);     UPD_FLR_BIG=$(median update 5)
PAY_FLR=$(median payment 2)
UPD_FLR_SPREAD=$(spread update 4); PAY_FLR_SPREAD=$(spread payment 2)
read -r GETF_LO GETF_HI < <(blocks get 0 4)
read -r UPDF_LO UPDF_HI < <(blocks update 0 4)
read -r PAYF_LO PAYF_HI < <(blocks payment 0 2)
UPD_OPT_SPREAD=$(spread update 0); UPD_SQL_SPREAD=$(spread update 1)
PAY_OPT_SPREAD=$(spread payment 0); PAY_SQL_SPREAD=$(spread payment 1)
if [ -n "${SHM:-}" ]; then
  MEM_UPD_OPT=$(median tmpfs-update 0);  MEM_UPD_SQL=$(median tmpfs-update 1)
  MEM_PAY_OPT=$(median tmpfs-payment 0); MEM_PAY_SQL=$(median tmpfs-payment 1)
  MEM_UPD_FLR=$(median tmpfs-update 2);  MEM_PAY_FLR=$(median tmpfs-payment 2)
  read -r MEM_UPD_LO MEM_UPD_HI < <(blocks tmpfs-update 0 1)
  read -r MEM_PAY_LO MEM_PAY_HI < <(blocks tmpfs-payment 0 1)
fi
read -r GET_OPT_USER GET_OPT_SYS < <(workers mean-times "$WORK"/get.*.0.json)
read -r GET_SQL_USER GET_SQL_SYS < <(workers mean-times "$WORK"/get.*.1.json)
read -r UPD_OPT_USER UPD_OPT_SYS < <(workers mean-times "$WORK"/update.*.0.json)
read -r UPD_SQL_USER UPD_SQL_SYS < <(workers mean-times "$WORK"/update.*.1.json)
read -r GET_FLR_USER GET_FLR_SYS < <(workers mean-times "$WORK"/get.*.4.json)
read -r UPD_FLR_USER UPD_FLR_SYS < <(workers mean-times "$WORK"/update.*.4.json)

# ------------------------------------------------------------------------------ b: contention
# Throughput under contention varies from run to run (who wins the lock, how long the losers
# sleep), so each side runs ROUNDS times, in turn, and the median round counts.
say "contention: $WORKERS workers x $CYCLES read-modify-write cycles on one customer, $ROUNDS rounds each"
# run_workers VAR ARGS...: VAR := the JSON that `bench_workers.py ARGS` prints.
run_workers() {
  local var=$1
  shift
  [ "${quiet:-}" ] || remember python3 Tests/Scripts/bench_workers.py "$@"
  printf -v "$var" '%s' "$(workers "$@")"
}
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
rounds_opt=() rounds_sql=()
for ((round = 1; round <= ROUNDS; round++)); do
  [ "$round" -gt 1 ] && quiet=1
  run_workers round_opt contention --tool optimist --bin "$OPTIMIST" --db "$SMALL" --id "$OPT_CONTENDED" \
    --workers "$WORKERS" --cycles "$CYCLES"
  run_workers round_sql contention --tool sqlite3 --db "$SMALL" --id "$SQL_CONTENDED" \
    --workers "$WORKERS" --cycles "$CYCLES" --get-sql "$(get_sql "$SQL_CONTENDED")" \
    --update-sql "$(update_sql "$SQL_CONTENDED" '{version}' '{note}')"
  rounds_opt+=("$round_opt")
  rounds_sql+=("$round_sql")
  echo "round $round: optimist ${rounds_opt[-1]}" >&2
  echo "round $round: sqlite3  ${rounds_sql[-1]}" >&2
done
quiet=
CONT_OPT=$(workers contention-summary "${rounds_opt[@]}")
CONT_SQL=$(workers contention-summary "${rounds_sql[@]}")

# ------------------------------------------------------------------------------ c: idempotency
say "idempotency: $WORKERS workers x $PAYMENTS payments with distinct keys, then one key replayed, $ROUNDS rounds"
pay_sql=$(payment_sql '{key}' "$PAYER")
paid_opt=() paid_sql=() replayed_opt=() replayed_sql=()
for ((round = 1; round <= ROUNDS; round++)); do
  [ "$round" -gt 1 ] && quiet=1
  run_workers result payments --tool optimist --bin "$OPTIMIST" --db "$SMALL" --customer "$PAYER" \
    --workers "$WORKERS" --count "$PAYMENTS" --key-prefix "parallel-opt-$round"
  paid_opt+=("$result")
  run_workers result payments --tool sqlite3 --db "$SMALL" --payment-sql "$pay_sql" \
    --workers "$WORKERS" --count "$PAYMENTS" --key-prefix "parallel-sql-$round"
  paid_sql+=("$result")
  run_workers result replays --tool optimist --bin "$OPTIMIST" --db "$SMALL" --customer "$PAYER" \
    --workers "$WORKERS" --count "$PAYMENTS" --key "replayed-opt-$round"
  replayed_opt+=("$result")
  run_workers result replays --tool sqlite3 --db "$SMALL" --payment-sql "$pay_sql" \
    --workers "$WORKERS" --count "$PAYMENTS" --key "replayed-sql-$round"
  replayed_sql+=("$result")
  printf "round $round: %s\n" "${paid_opt[-1]}" "${paid_sql[-1]}" "${replayed_opt[-1]}" "${replayed_sql[-1]}" >&2
done
quiet=
PAID_OPT=$(workers idempotency-summary "${paid_opt[@]}")
PAID_SQL=$(workers idempotency-summary "${paid_sql[@]}")
REPLAY_OPT=$(workers idempotency-summary "${replayed_opt[@]}")
REPLAY_SQL=$(workers idempotency-summary "${replayed_sql[@]}")

# ------------------------------------------------------------------------------ one call, examined
# call KIND DB ID sets CALL to the command line of one call (update: at the current version).
call() {
  case $1 in
    opt-get) CALL=("$OPTIMIST" get "$3" --db "$2") ;;
    sql-get) CALL=(sqlite3 -bail -cmd '.timeout 10000' -cmd '.output /dev/null' -cmd "PRAGMA journal_mode = $JOURNAL_MODE" -cmd '.output stdout' -json "$2" "$(get_sql "$3")") ;;
    opt-update) CALL=("$OPTIMIST" update "$3" --version "$(version_of "$2" "$3")" --set note=probe --db "$2") ;;
    sql-update) CALL=(sqlite3 -bail -cmd '.timeout 10000' -cmd '.output /dev/null' -cmd "PRAGMA journal_mode = $JOURNAL_MODE" -cmd '.output stdout' -json "$2" "$(update_sql "$3" "$(version_of "$2" "$3")" probe)") ;;
    opt-payment) PROBES=$((PROBES + 1))
      CALL=("$OPTIMIST" create-payment --key "probe-opt-$PROBES" --amount 450 --currency USD
        --source-id cnon:card-nonce-ok --customer-id "$3" --db "$2") ;;
    sql-payment) PROBES=$((PROBES + 1))
      CALL=(sqlite3 -bail -cmd '.timeout 10000' -cmd '.output /dev/null' -cmd "PRAGMA journal_mode = $JOURNAL_MODE" -cmd '.output stdout' "$2" "$(payment_sql "probe-sql-$PROBES" "$3")") ;;
    flr-get) CALL=("$WORK/floor-get" "$2" "$3") ;;
    flr-update) CALL=("$WORK/floor-update" "$2" "$3" "$(version_of "$2" "$3")" probe) ;;
    flr-payment) PROBES=$((PROBES + 1))
      CALL=("$WORK/floor-payment" "$2" "probe-floor-$PROBES" "$3") ;;
  esac
}
PROBES=0
# probe_target KIND SIZE: `call` KIND on the database of that size (SMALL or BIG), with the
# customer that KIND uses there.
probe_target() {
  local db=${!2} id
  case $1 in
    *get | *payment) id=GET_$2 ;;
    opt-update) id=OPT_UPDATE_$2 ;;
    sql-update) id=SQL_UPDATE_$2 ;;
    flr-update) id=FLR_UPDATE_$2 ;;
  esac
  call "$1" "$db" "${!id}"
}

say "memory: peak resident size (GNU time, the largest of 5 calls)"
for kind in opt-get sql-get flr-get opt-update sql-update flr-update; do
  for size in SMALL BIG; do
    max=0 faults=0
    for _ in 1 2 3 4 5; do
      probe_target "$kind" "$size"
      /usr/bin/time -f '%M %R' -o "$WORK/time.txt" "${CALL[@]}" >/dev/null
      read -r kib minor <"$WORK/time.txt"
      [ "$kib" -gt "$max" ] && max=$kib faults=$minor
    done
    declare "RSS_${kind//-/_}_$size=$(calc "$max / 1024")"
    declare "FAULTS_${kind//-/_}_$size=$faults"
  done
done
remember /usr/bin/time -f "%M KiB" "$OPTIMIST" get "$GET_SMALL" --db "$SMALL"
# list --all streams a page at a time: its peak must not grow with the number of objects it
# prints. Every customer of the big store against only the last TAIL of them (from a cursor):
# both read enough to fill SQLite's page cache, so any difference is growth.
TAIL=$((BIG_N / 20 >= 50000 ? BIG_N / 20 : BIG_N / 2))
list_all() {  # NAME ARGS...: RSS_list_NAME (MiB) and LISTED_NAME (objects printed)
  local name=$1
  shift
  /usr/bin/time -f '%M' -o "$WORK/time.txt" "$OPTIMIST" list --all --type CUSTOMER --db "$BIG" "$@" >"$WORK/list-all.json"
  declare -g "RSS_list_$name=$(calc "$(cat "$WORK/time.txt") / 1024")"
  declare -g "LISTED_$name=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["objects"]))' "$WORK/list-all.json")"
  rm -f "$WORK/list-all.json"
}
list_all tail --cursor "CUSTOMER-CUSTOMER-$((BIG_N - TAIL))"
list_all all
remember /usr/bin/time -f "%M KiB" "$OPTIMIST" list --all --type CUSTOMER --db "$BIG"

say "system calls (strace -c -f -w) and instructions (valgrind --tool=callgrind)"
for kind in opt-get sql-get flr-get opt-update sql-update flr-update opt-payment sql-payment flr-payment; do
  for size in SMALL BIG; do
    probe_target "$kind" "$size"
    strace -c -f -w -o "$WORK/strace.$kind.$size.txt" "${CALL[@]}" >/dev/null
  done
done
remember strace -c -f -w "$OPTIMIST" update "$OPT_UPDATE_SMALL" --version V --set note=probe --db "$SMALL"
syscalls() { workers strace-calls "$WORK/strace.$1.$2.txt" "${@:3}"; }
for kind in opt-get sql-get flr-get opt-update sql-update flr-update opt-payment sql-payment flr-payment; do
  for size in SMALL BIG; do
    k=${kind//-/_}
    declare "SYS_${k}_$size=$(syscalls "$kind" "$size")"
    declare "SYNC_${k}_$size=$(syscalls "$kind" "$size" fsync fdatasync)"
    declare "READS_${k}_$size=$(syscalls "$kind" "$size" pread64 read)"
  done
done

nm --defined-only /usr/lib/*/libsqlite3.a 2>/dev/null | awk 'NF == 3 { print $3 }' >"$WORK/sqlite-symbols.txt" || true
for kind in opt-get sql-get flr-get opt-update sql-update flr-update opt-payment sql-payment flr-payment; do
  for size in SMALL BIG; do
    [ "$size" = BIG ] && [ "${kind#*-}" != get ] && continue
    probe_target "$kind" "$size"
    valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.$kind.$size.out" "${CALL[@]}" \
      >/dev/null 2>"$WORK/callgrind.$kind.$size.log"
    declare "IR_${kind//-/_}_$size=$(workers callgrind-total "$WORK/callgrind.$kind.$size.out")"
  done
done
remember valgrind --tool=callgrind "$OPTIMIST" get "$GET_SMALL" --db "$SMALL"
remember valgrind --tool=callgrind sqlite3 -json "$SMALL" "$(get_sql "$GET_SMALL")"
remember valgrind --tool=callgrind "$WORK/floor-get" "$SMALL" "$GET_SMALL"
remember callgrind_annotate --inclusive=yes "$WORK/callgrind.opt-get.SMALL.out"

# Where one optimist get spends its instructions (inclusive: a function and all it calls).
inclusive() { workers callgrind-inclusive "$WORK/callgrind.opt-get.SMALL.out" "$1"; }
IR_COMMAND=$(inclusive 'OptimistCore10runCommand')
IR_MAIN=$(inclusive '^optimist_main$')
IR_SUBCOMMAND=$(inclusive '11OptimistCLI10SubcommandPAAE3run')
IR_FLR_MAIN=$(workers callgrind-inclusive "$WORK/callgrind.flr-get.SMALL.out" '^main$')
IR_CONFORMS=$(inclusive '^swift_conformsToProtocol')
IR_MIRROR=$(inclusive '^\$ss6MirrorV10reflecting')
IR_METADATA=$(inclusive '^swift_getTypeByMangledName$|__swift_instantiateConcreteTypeFromMangledName')

# ------------------------------------------------------------------------------ before / after
if [ -n "$BEFORE" ]; then
  say "before/after: get with $BEFORE"
  measure before - "$BEFORE get $GET_SMALL --db $SMALL" "$OPTIMIST get $GET_SMALL --db $SMALL"
  GET_BEFORE=$(median before 0)
  GET_AFTER=$(median before 1)
  say "before/after: update with $BEFORE"
  BEFORE_IDS=($(for k in 8 9; do id_at "$SMALL" $((SMALL_N / 2 + k)); done))
  measure before-update v=0 \
    "$BEFORE update ${BEFORE_IDS[0]} --version {v} --set note=bench-{v} --db $SMALL" \
    "$OPTIMIST update ${BEFORE_IDS[1]} --version {v} --set note=bench-{v} --db $SMALL"
  UPDATE_BEFORE=$(median before-update 0)
  UPDATE_AFTER=$(median before-update 1)
  valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.before.out" \
    "$BEFORE" get "$GET_SMALL" --db "$SMALL" >/dev/null 2>&1
  IR_BEFORE=$(workers callgrind-total "$WORK/callgrind.before.out")
fi

# ------------------------------------------------------------------------------ the report
say "writing $REPORT"
# ratio A B [DECIMALS]: A / B.
ratio() { calc "$1 / $2" "${3:-2}"; }
# goal_ratio A B: A / B with a third decimal when two would show 1.00 for A != B, so that the
# ratio and the verdict next to it never seem to disagree.
goal_ratio() {
  local r
  r=$(ratio "$1" "$2")
  if [ "$r" = 1.00 ] && [ "$1" != "$2" ]; then ratio "$1" "$2" 3; else echo "$r"; fi
}
# verdict CONDITION: yes or **no**, from an awk condition.
verdict() { awk "BEGIN { exit !($1) }" && echo yes || echo "**no**"; }
mi() { calc "$1 / 1000000" 2; }   # instructions in millions
pct() { calc "100 * $1 / $2" 0; }

c_opt() { field "$CONT_OPT" "$1"; }
c_sql() { field "$CONT_SQL" "$1"; }
UPS_OPT=$(calc "$(c_opt updates_per_second)" 1); UPS_SQL=$(calc "$(c_sql updates_per_second)" 1)
LONG_OPT=$(calc "$(c_opt longest_update_ms)" 1); LONG_SQL=$(calc "$(c_sql longest_update_ms)" 1)
PPS_OPT=$(calc "$(field "$PAID_OPT" payments_per_second)" 1); PPS_SQL=$(calc "$(field "$PAID_SQL" payments_per_second)" 1)
RPS_OPT=$(calc "$(field "$REPLAY_OPT" replays_per_second)" 1); RPS_SQL=$(calc "$(field "$REPLAY_SQL" replays_per_second)" 1)
ONE_OK=$(verdict "\"$(field "$REPLAY_OPT" kept)$(field "$PAID_OPT" kept)\" == \"yesyes\"")

R_GET=$(goal_ratio "$GET_OPT" "$GET_SQL"); R_UPD=$(goal_ratio "$UPD_OPT" "$UPD_SQL")
R_PAY=$(goal_ratio "$PAY_OPT" "$PAY_SQL"); R_UPS=$(goal_ratio "$UPS_OPT" "$UPS_SQL")
SCALE_GET=$(ratio "$GET_OPT_BIG" "$GET_OPT"); SCALE_GET_SQL=$(ratio "$GET_SQL_BIG" "$GET_SQL")
SCALE_UPD=$(ratio "$UPD_OPT_BIG" "$UPD_OPT"); SCALE_UPD_SQL=$(ratio "$UPD_SQL_BIG" "$UPD_SQL")
RSS_MAX=$(calc "($RSS_opt_get_SMALL > $RSS_opt_get_BIG) ? $RSS_opt_get_SMALL : $RSS_opt_get_BIG")
RSS_UPD_MAX=$(calc "($RSS_opt_update_SMALL > $RSS_opt_update_BIG) ? $RSS_opt_update_SMALL : $RSS_opt_update_BIG")
# The one-call goals: no slower than the shell, and within 1.25 (get) or 1.15 (writes, where
# the disk's fsyncs dominate) of the floor.
GOAL_GET_FLOOR=1.25; GOAL_WRITE_FLOOR=1.15; GOAL_RSS=6
RF_GET=$(goal_ratio "$GET_OPT" "$GET_FLR"); RF_UPD=$(goal_ratio "$UPD_OPT" "$UPD_FLR")
RF_PAY=$(goal_ratio "$PAY_OPT" "$PAY_FLR")
OK_GET=$(verdict "$GET_OPT <= $GET_SQL && $GET_OPT <= $GOAL_GET_FLOOR * $GET_FLR")
OK_UPD=$(verdict "$UPD_OPT <= $UPD_SQL && $UPD_OPT <= $GOAL_WRITE_FLOOR * $UPD_FLR")
OK_PAY=$(verdict "$PAY_OPT <= $PAY_SQL && $PAY_OPT <= $GOAL_WRITE_FLOOR * $PAY_FLR")
OK_UPS=$(verdict "$UPS_OPT >= $UPS_SQL")
OK_IR_GET=$(verdict "$IR_opt_get_SMALL <= 900000")
OK_LOST=$(verdict "$(c_opt lost_updates) == 0")
OK_SGET=$(verdict "$GET_OPT_BIG <= 1.2 * $GET_OPT"); OK_SUPD=$(verdict "$UPD_OPT_BIG <= 1.2 * $UPD_OPT")
OK_RSS=$(verdict "$RSS_MAX <= $GOAL_RSS"); OK_RSS_UPD=$(verdict "$RSS_UPD_MAX <= $GOAL_RSS")
OK_RSS_LIST=$(verdict "$RSS_list_all <= $RSS_list_tail + 0.5")

BINARY_MIB=$(calc "$(stat -c %s "$OPTIMIST") / 1048576" 1)
# Protocol conformance records in the binary: an uncached conformance check walks them all.
CONFORMANCES=$(readelf -SW "$OPTIMIST" 2>/dev/null |
  sed -n 's/.*swift5_protocol_conformances *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\).*/\1/p')
CONFORMANCES=$((16#${CONFORMANCES:-0} / 4))

# Instructions by component (exclusive), for the facts and the table.
workers callgrind-parts "$WORK/callgrind.opt-get.SMALL.out" "$WORK/sqlite-symbols.txt" >"$WORK/parts.opt"
workers callgrind-parts "$WORK/callgrind.sql-get.SMALL.out" "$WORK/sqlite-symbols.txt" >"$WORK/parts.sql"
workers callgrind-parts "$WORK/callgrind.flr-get.SMALL.out" "$WORK/sqlite-symbols.txt" >"$WORK/parts.flr"
# part SIDE PREFIX: the instructions of the component whose name starts with PREFIX (0: none).
part() { awk -F'\t' -v p="$2" 'index($2, p) == 1 { n += $1 } END { print n + 0 }' "$WORK/parts.$1"; }

# The measured facts behind the cost of one call, for the Why section.
one_call_facts() {
  cat <<EOF
- Instructions (callgrind): one optimist \`get\` executes $(mi "$IR_opt_get_SMALL") M, the shell
  $(mi "$IR_sql_get_SMALL") M (×$(ratio "$IR_opt_get_SMALL" "$IR_sql_get_SMALL")), the floor $(mi "$IR_flr_get_SMALL") M (×$(ratio "$IR_opt_get_SMALL" "$IR_flr_get_SMALL")); \`update\`
  $(mi "$IR_opt_update_SMALL") M vs $(mi "$IR_sql_update_SMALL") M and $(mi "$IR_flr_update_SMALL") M; \`create-payment\` $(mi "$IR_opt_payment_SMALL") M vs
  $(mi "$IR_sql_payment_SMALL") M and $(mi "$IR_flr_payment_SMALL") M. CPU per get (hyperfine, user + system): $GET_OPT_USER + $GET_OPT_SYS ms vs
  $GET_SQL_USER + $GET_SQL_SYS ms and $GET_FLR_USER + $GET_FLR_SYS ms.
- Where optimist's \`get\` goes (inclusive): the command itself — \`runCommand\`: open the
  database, the SQL, the JSON, the output — $(mi "$IR_COMMAND") M ($(pct "$IR_COMMAND" "$IR_opt_get_SMALL") %); the command line
  (declaring, parsing and reading the options: \`Subcommand.run\` outside \`runCommand\`)
  $(mi "$((IR_SUBCOMMAND - IR_COMMAND))") M; start-up and exit outside \`main\` $(mi "$((IR_opt_get_SMALL - IR_MAIN))") M (the floor's $(mi "$((IR_flr_get_SMALL - IR_FLR_MAIN))") M: the Swift
  runtime's initializers run before \`main\`).
- Against the floor, by component (table below): optimist's \`get\` spends $(mi "$(part opt "SQLite library")") M in
  SQLite (the floor $(mi "$(part flr "SQLite library")") M), $(mi "$(part opt "Swift runtime")") M in the Swift runtime and standard library
  (the floor none), and $(mi "$(part opt other)") M in the C library and start-up (the floor $(mi "$(part flr other)") M); its binary is
  $BINARY_MIB MiB against $FLOOR_MIB MiB ($FAULTS_opt_get_SMALL minor page faults against $FAULTS_flr_get_SMALL).
- Anywhere in the call (these overlap): generic type metadata instantiated from mangled names
  (\`__swift_instantiateConcreteTypeFromMangledName\`, \`swift_getTypeByMangledName\`)
  $(mi "$IR_METADATA") M ($(pct "$IR_METADATA" "$IR_opt_get_SMALL") %); protocol-conformance lookups
  (\`swift_conformsToProtocol\`, which the metadata's generic requirements call) $(mi "$IR_CONFORMS") M
  ($(pct "$IR_CONFORMS" "$IR_opt_get_SMALL") %) — an uncached lookup walks all $(fmt "$CONFORMANCES") conformance records of the static
  binary; \`Mirror(reflecting:)\` $(mi "$IR_MIRROR") M ($(pct "$IR_MIRROR" "$IR_opt_get_SMALL") %).
- The shell spends most of its instructions in the dynamic loader (table below), which the
  static binary does not pay; the SQLite library's own instructions are of the same order on
  both sides.
$(if [ -n "${SHM:-}" ]; then
  echo "- Writes without the disk: with the database on tmpfs, where fdatasync returns at once,"
  echo "  ${BT}update${BT} takes $MEM_UPD_OPT ms vs $MEM_UPD_SQL ms (×$(ratio "$MEM_UPD_OPT" "$MEM_UPD_SQL")) and ${BT}create-payment${BT} $MEM_PAY_OPT ms vs"
  echo "  $MEM_PAY_SQL ms (×$(ratio "$MEM_PAY_OPT" "$MEM_PAY_SQL")). On disk the middle half of the update runs spans $UPD_OPT_SPREAD ms"
  echo "  (optimist) and $UPD_SQL_SPREAD ms (shell), of the payments $PAY_OPT_SPREAD ms and $PAY_SQL_SPREAD ms."
  if awk "BEGIN { exit !($MEM_UPD_LO > 1 || $MEM_PAY_LO > 1) }"; then
    echo "  optimist is slower even without the disk, in every block: its writes cost more CPU or"
    echo "  system calls."
  elif [ "$OK_UPD$OK_PAY" != yesyes ]; then
    echo "  Without the disk optimist is not slower in every block (update ×$MEM_UPD_LO–$MEM_UPD_HI, payment"
    echo "  ×$MEM_PAY_LO–$MEM_PAY_HI block by block), so nothing shows that its writes do more work than the"
    echo "  shell's; on disk, the fdatasync latency varies from call to call more than the gap."
  fi
fi)
- System calls: \`get\` $SYS_opt_get_SMALL vs $SYS_sql_get_SMALL, \`update\` $SYS_opt_update_SMALL vs
  $SYS_sql_update_SMALL, \`create-payment\` $SYS_opt_payment_SMALL vs $SYS_sql_payment_SMALL. fsync + fdatasync per
  update: $SYNC_opt_update_SMALL vs $SYNC_sql_update_SMALL, per payment: $SYNC_opt_payment_SMALL vs $SYNC_sql_payment_SMALL$(
  if [ "$SYNC_opt_update_SMALL" = "$SYNC_sql_update_SMALL" ] && [ "$SYNC_opt_payment_SMALL" = "$SYNC_sql_payment_SMALL" ]; then
    printf '%s' " — the same (rollback journal in $JOURNAL_MODE mode at synchronous=$SYNCHRONOUS: the journal, its folder, the journal header, the database, the journal's truncation): optimist does not wait for the disk more often than the shell."
  else
    printf '%s' " — different: optimist's writes wait for the disk a different number of times."
  fi)

EOF
}

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
GIT=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$here" diff --quiet HEAD -- ../../Sources 2>/dev/null || GIT="$GIT with uncommitted changes to Sources/"
SQLITE_LIB=$(sed -n 's/.*"sqlite_version":"\([^"]*\)".*/\1/p' <<<"$("$OPTIMIST" doctor --db "$SMALL")")
fmt() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"; }   # 1234567 -> 1,234,567
BT='`'   # a backquote, for Markdown code inside shell strings

{
cat <<EOF
# Benchmarks

optimist against the natural baseline, the \`sqlite3\` command-line shell running the same SQL
on the same database file, and against the floor: a minimal static C program per operation
doing optimist's SQL in optimist's transaction, the least any command-line tool can do here.
Written by \`make bench\` (\`Tests/Scripts/bench.sh\`); every figure below comes from the run
described here. Lower is better for times, higher for rates.

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Machine: $(nproc) cores, $CPU, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r);
  load average (1, 5, 15 min) $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (the contention workload's own
  $WORKERS workers count too); the run took $((($(date +%s) - STARTED + 30) / 60)) min
- Disk: the databases live on $(df --output=source "$WORK" | tail -1) ($(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || stat -f -c %T "$WORK")); the page cache is warm
- SQLite: $SQLITE_LIB inside optimist and the floor (static); shell $(sqlite3 --version | cut -d' ' -f1); every side runs \`$PRAGMAS\`
- optimist: $("$OPTIMIST" --version) at commit $GIT, $BINARY_MIB MiB static binary
- Databases: $(fmt "$SMALL_N") and $(fmt "$BIG_N") customers, each with the idempotency key it was created with (built with SQL in $SEED_SECONDS s)
- hyperfine $(hyperfine --version | cut -d' ' -f2), $RUNS runs per median; $WORKERS workers

## Results

| Figure | optimist | sqlite3 shell | floor | optimist / shell | optimist / floor | Goal | Met |
| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |
| **a. One call** ($(fmt "$SMALL_N") customers), median wall time | | | | | | | |
| \`get ID\` | $GET_OPT ms | $GET_SQL ms | $GET_FLR ms | $R_GET (blocks $GET_LO–$GET_HI) | $RF_GET (blocks $GETF_LO–$GETF_HI) | ≤ 1.0 shell, ≤ $GOAL_GET_FLOOR floor | $OK_GET |
| \`update ID --version V --set note=…\` | $UPD_OPT ms | $UPD_SQL ms | $UPD_FLR ms | $R_UPD (blocks $UPD_LO–$UPD_HI) | $RF_UPD (blocks $UPDF_LO–$UPDF_HI) | ≤ 1.0 shell, ≤ $GOAL_WRITE_FLOOR floor | $OK_UPD |
| \`create-payment --key K …\` (new key) | $PAY_OPT ms | $PAY_SQL ms | $PAY_FLR ms | $R_PAY (blocks $PAY_LO–$PAY_HI) | $RF_PAY (blocks $PAYF_LO–$PAYF_HI) | ≤ 1.0 shell, ≤ $GOAL_WRITE_FLOOR floor | $OK_PAY |
| middle half of the update runs (disk latency varies) | $UPD_OPT_SPREAD ms | $UPD_SQL_SPREAD ms | $UPD_FLR_SPREAD ms | | | | |
| middle half of the create-payment runs | $PAY_OPT_SPREAD ms | $PAY_SQL_SPREAD ms | $PAY_FLR_SPREAD ms | | | | |
$(if [ -n "${SHM:-}" ]; then
  echo "| control: ${BT}update${BT}, database on tmpfs (no disk wait) | $MEM_UPD_OPT ms | $MEM_UPD_SQL ms | $MEM_UPD_FLR ms | $(ratio "$MEM_UPD_OPT" "$MEM_UPD_SQL") (blocks $MEM_UPD_LO–$MEM_UPD_HI) | $(ratio "$MEM_UPD_OPT" "$MEM_UPD_FLR") | | |"
  echo "| control: ${BT}create-payment${BT}, database on tmpfs | $MEM_PAY_OPT ms | $MEM_PAY_SQL ms | $MEM_PAY_FLR ms | $(ratio "$MEM_PAY_OPT" "$MEM_PAY_SQL") (blocks $MEM_PAY_LO–$MEM_PAY_HI) | $(ratio "$MEM_PAY_OPT" "$MEM_PAY_FLR") | | |"
fi)
| **b. Contention**: $WORKERS workers × $CYCLES get-update cycles, one customer, median of $ROUNDS rounds | | | | | | | |
| successful updates per second | $UPS_OPT | $UPS_SQL | | $R_UPS | | ≥ 1.0 | $OK_UPS |
| the rounds, updates per second | $(c_opt rates) | $(c_sql rates) | | | | | |
| conflicts (stale version, retried), median round | $(c_opt conflicts) | $(c_sql conflicts) | | | | | |
| longest lock wait (longest single update call, all rounds) | $LONG_OPT ms | $LONG_SQL ms | | $(ratio "$LONG_OPT" "$LONG_SQL") | | | |
| median update call / get call under contention | $(calc "$(c_opt median_update_ms)" 1) / $(calc "$(c_opt median_get_ms)" 1) ms | $(calc "$(c_sql median_update_ms)" 1) / $(calc "$(c_sql median_get_ms)" 1) ms | | | | | |
| lost updates (successes − versions or counter gained), worst round | $(c_opt lost_updates) | $(c_sql lost_updates) | | | | 0 | $OK_LOST |
| **c. Idempotency**: $WORKERS workers × $PAYMENTS calls, median of $ROUNDS rounds | | | | | | | |
| payments per second, distinct keys | $PPS_OPT | $PPS_SQL | | $(ratio "$PPS_OPT" "$PPS_SQL") | | | |
| the rounds, payments per second | $(field "$PAID_OPT" rates) | $(field "$PAID_SQL" rates) | | | | | |
| replays per second, one key | $RPS_OPT | $RPS_SQL | | $(ratio "$RPS_OPT" "$RPS_SQL") | | | |
| the rounds, replays per second | $(field "$REPLAY_OPT" rates) | $(field "$REPLAY_SQL" rates) | | | | | |
| every distinct key paid once, in every round | $(field "$PAID_OPT" kept) | $(field "$PAID_SQL" kept) | | | | yes | $(verdict "\"$(field "$PAID_OPT" kept)\" == \"yes\"") |
| the replayed key paid exactly once and every answer the first one, in every round | $(field "$REPLAY_OPT" kept) | $(field "$REPLAY_SQL" kept) | | | | yes | $(verdict "\"$(field "$REPLAY_OPT" kept)\" == \"yes\"") |
| **d. Scale**: median wall time, $(fmt "$SMALL_N") → $(fmt "$BIG_N") customers | | | | | | | |
| \`get\` with $(fmt "$BIG_N") | $GET_OPT_BIG ms | $GET_SQL_BIG ms | $GET_FLR_BIG ms | $(ratio "$GET_OPT_BIG" "$GET_SQL_BIG") | $(ratio "$GET_OPT_BIG" "$GET_FLR_BIG") | | |
| \`update\` with $(fmt "$BIG_N") | $UPD_OPT_BIG ms | $UPD_SQL_BIG ms | $UPD_FLR_BIG ms | $(ratio "$UPD_OPT_BIG" "$UPD_SQL_BIG") | $(ratio "$UPD_OPT_BIG" "$UPD_FLR_BIG") | | |
| \`get\` $(fmt "$BIG_N") / $(fmt "$SMALL_N") | $SCALE_GET | $SCALE_GET_SQL | $(ratio "$GET_FLR_BIG" "$GET_FLR") | | | ≤ 1.2 | $OK_SGET |
| \`update\` $(fmt "$BIG_N") / $(fmt "$SMALL_N") | $SCALE_UPD | $SCALE_UPD_SQL | $(ratio "$UPD_FLR_BIG" "$UPD_FLR") | | | ≤ 1.2 | $OK_SUPD |
| **e. Memory**: peak resident size of one call | | | | | | | |
| \`get\` ($(fmt "$SMALL_N") / $(fmt "$BIG_N")) | $RSS_opt_get_SMALL / $RSS_opt_get_BIG MiB | $RSS_sql_get_SMALL / $RSS_sql_get_BIG MiB | $RSS_flr_get_SMALL / $RSS_flr_get_BIG MiB | $(ratio "$RSS_opt_get_SMALL" "$RSS_sql_get_SMALL") | $(ratio "$RSS_opt_get_SMALL" "$RSS_flr_get_SMALL") | ≤ $GOAL_RSS MiB | $OK_RSS |
| \`update\` ($(fmt "$SMALL_N") / $(fmt "$BIG_N")) | $RSS_opt_update_SMALL / $RSS_opt_update_BIG MiB | $RSS_sql_update_SMALL / $RSS_sql_update_BIG MiB | $RSS_flr_update_SMALL / $RSS_flr_update_BIG MiB | $(ratio "$RSS_opt_update_SMALL" "$RSS_sql_update_SMALL") | $(ratio "$RSS_opt_update_SMALL" "$RSS_flr_update_SMALL") | ≤ $GOAL_RSS MiB | $OK_RSS_UPD |
| \`list --all --type CUSTOMER\`, streamed: the last $(fmt "$LISTED_tail") / all $(fmt "$LISTED_all") of $(fmt "$BIG_N") | $RSS_list_tail / $RSS_list_all MiB | | | | | all ≤ the last ones + 0.5 MiB | $OK_RSS_LIST |
| **One call, examined** ($(fmt "$SMALL_N") customers) | | | | | | | |
| instructions, \`get\` (callgrind) | $(fmt "$IR_opt_get_SMALL") | $(fmt "$IR_sql_get_SMALL") | $(fmt "$IR_flr_get_SMALL") | $(ratio "$IR_opt_get_SMALL" "$IR_sql_get_SMALL") | $(ratio "$IR_opt_get_SMALL" "$IR_flr_get_SMALL") | ≤ 900,000 | $OK_IR_GET |
| instructions, \`get\` with $(fmt "$BIG_N") | $(fmt "$IR_opt_get_BIG") | $(fmt "$IR_sql_get_BIG") | $(fmt "$IR_flr_get_BIG") | $(ratio "$IR_opt_get_BIG" "$IR_sql_get_BIG") | $(ratio "$IR_opt_get_BIG" "$IR_flr_get_BIG") | | |
| instructions, \`update\` | $(fmt "$IR_opt_update_SMALL") | $(fmt "$IR_sql_update_SMALL") | $(fmt "$IR_flr_update_SMALL") | $(ratio "$IR_opt_update_SMALL" "$IR_sql_update_SMALL") | $(ratio "$IR_opt_update_SMALL" "$IR_flr_update_SMALL") | | |
| instructions, \`create-payment\` | $(fmt "$IR_opt_payment_SMALL") | $(fmt "$IR_sql_payment_SMALL") | $(fmt "$IR_flr_payment_SMALL") | $(ratio "$IR_opt_payment_SMALL" "$IR_sql_payment_SMALL") | $(ratio "$IR_opt_payment_SMALL" "$IR_flr_payment_SMALL") | | |
| CPU time per \`get\`, user + system (hyperfine mean) | $GET_OPT_USER + $GET_OPT_SYS ms | $GET_SQL_USER + $GET_SQL_SYS ms | $GET_FLR_USER + $GET_FLR_SYS ms | | | | |
| CPU time per \`update\`, user + system | $UPD_OPT_USER + $UPD_OPT_SYS ms | $UPD_SQL_USER + $UPD_SQL_SYS ms | $UPD_FLR_USER + $UPD_FLR_SYS ms | | | | |
| system calls, \`get\` (strace -c -f) | $SYS_opt_get_SMALL | $SYS_sql_get_SMALL | $SYS_flr_get_SMALL | $(ratio "$SYS_opt_get_SMALL" "$SYS_sql_get_SMALL") | $(ratio "$SYS_opt_get_SMALL" "$SYS_flr_get_SMALL") | | |
| system calls, \`update\` | $SYS_opt_update_SMALL | $SYS_sql_update_SMALL | $SYS_flr_update_SMALL | $(ratio "$SYS_opt_update_SMALL" "$SYS_sql_update_SMALL") | $(ratio "$SYS_opt_update_SMALL" "$SYS_flr_update_SMALL") | | |
| fsync + fdatasync per \`update\` | $SYNC_opt_update_SMALL | $SYNC_sql_update_SMALL | $SYNC_flr_update_SMALL | | | | |
| system calls, \`create-payment\` | $SYS_opt_payment_SMALL | $SYS_sql_payment_SMALL | $SYS_flr_payment_SMALL | $(ratio "$SYS_opt_payment_SMALL" "$SYS_sql_payment_SMALL") | $(ratio "$SYS_opt_payment_SMALL" "$SYS_flr_payment_SMALL") | | |
| fsync + fdatasync per \`create-payment\` | $SYNC_opt_payment_SMALL | $SYNC_sql_payment_SMALL | $SYNC_flr_payment_SMALL | | | | |
| page faults, \`get\` (minor) | $FAULTS_opt_get_SMALL | $FAULTS_sql_get_SMALL | $FAULTS_flr_get_SMALL | | | | |
| binary | $BINARY_MIB MiB, static | dynamic | $FLOOR_MIB MiB, static | | | | |

What each side runs (the same SQL for all three, as far as a shell can):

- Every one-call figure is the median of $RUNS runs, taken in $BLOCKS blocks: in a block the runs of
  one command follow one another, as a script's loop calls it, and the commands take turns, in
  reverse order every other block, so that the machine speeding up or slowing down during the
  measurement weighs on both sides alike.
- \`get\` (3 warm-up runs per block): \`optimist get ID\` vs
  \`sqlite3 -json DB "$(get_sql ID)"\`.
- \`update\`: \`optimist update ID --version V --set note=N\` vs
  \`sqlite3 -json DB "$(update_sql ID V N)"\`. Each run gets its own version: the customer
  starts at version 0 and hyperfine's parameter scan gives run k the version k
  (\`--runs 1 --parameter-scan v FIRST LAST\`); the script then checks that every run changed
  its customer.
- \`create-payment\`: \`optimist create-payment --key bench-opt-{n} --amount 450 --currency USD
  --source-id cnon:card-nonce-ok --customer-id C\` vs one \`sqlite3\` script that, unless the key
  exists, inserts the payment and the idempotency row (request, answer as JSON) in one
  \`BEGIN IMMEDIATE\` transaction and prints the stored answer; keys come from a parameter scan
  (\`{n}\` = 1…$RUNS), distinct on each side.
- Contention: each worker repeats get → update with the version read → on a conflict (exit 3,
  \`changes() = 0\`) get again, until $CYCLES updates succeeded; the note holds a counter that
  each update increments, so a lost update shows as a version or counter short of the successes.
  $ROUNDS rounds per side, optimist and the shell in turn; the median round is the figure.
- Idempotency: $WORKERS threads each run $PAYMENTS \`create-payment\` calls with their own keys; then
  one call creates a payment and $WORKERS threads × $PAYMENTS calls repeat it with the same key.
  $ROUNDS rounds per side, in turn, with new keys each round.
- Every sqlite3 call runs as \`$SQLITE3\`: the same 10 s lock wait as optimist's default
  \`--timeout\`, and no statement after an error.
- The floor (\`Tests/Scripts/floor\`, built by this script with \`cc -O2 -static\` against
  \`$LIBSQLITE3\`, the library optimist links): one C program per operation that runs
  optimist's statements in optimist's transaction — \`$PRAGMAS\`, BEGIN (IMMEDIATE for
  writes), \`PRAGMA user_version\`, the SELECT, UPDATE or INSERTs with bound values, COMMIT —
  and prints the same JSON, with nothing else (no option parsing, no validation, no path checks).
  \`floor-get DB ID\`, \`floor-update DB ID V NOTE\`, \`floor-payment DB KEY CUSTOMER\` (the
  idempotency row it writes replays byte for byte through optimist).

EOF

echo "## Why"
echo
missed=0
if [ "$OK_GET$OK_UPD$OK_PAY" != yesyesyes ]; then
  missed=1
  slower=()
  [ "$OK_GET" = yes ] || slower+=("${BT}get${BT} $GET_OPT ms vs the shell's $GET_SQL ms (×$R_GET) and the floor's $GET_FLR ms (×$RF_GET, goal ≤ $GOAL_GET_FLOOR)")
  [ "$OK_UPD" = yes ] || slower+=("${BT}update${BT} $UPD_OPT ms vs $UPD_SQL ms (×$R_UPD) and $UPD_FLR ms (×$RF_UPD, goal ≤ $GOAL_WRITE_FLOOR)")
  [ "$OK_PAY" = yes ] || slower+=("${BT}create-payment${BT} $PAY_OPT ms vs $PAY_SQL ms (×$R_PAY) and $PAY_FLR ms (×$RF_PAY, goal ≤ $GOAL_WRITE_FLOOR)")
  echo "**One call above its goal**: $(IFS=';'; echo "${slower[*]}" | sed 's/;/; /g')."
  for item in "get shell $GET_LO $GET_HI 1 $OK_GET" "get floor $GETF_LO $GETF_HI $GOAL_GET_FLOOR $OK_GET" \
    "update shell $UPD_LO $UPD_HI 1 $OK_UPD" "update floor $UPDF_LO $UPDF_HI $GOAL_WRITE_FLOOR $OK_UPD" \
    "create-payment shell $PAY_LO $PAY_HI 1 $OK_PAY" "create-payment floor $PAYF_LO $PAYF_HI $GOAL_WRITE_FLOOR $OK_PAY"; do
    read -r what side lo hi goal met <<<"$item"
    if [ "$met" != yes ] && awk "BEGIN { exit !($lo <= $goal && $hi >= $goal) }"; then
      echo "Against the $side, the $BLOCKS blocks of ${BT}$what${BT} fall on both sides of the goal ×$goal (×$lo to ×$hi,"
      echo "block by block): the gap to the goal is within this machine's noise."
    fi
  done
  echo "Measured:"
  echo
  one_call_facts
fi
if [ "$OK_UPS" != yes ]; then
  missed=1
  cat <<EOF
**Contention: fewer updates per second than the shell** (×$R_UPS, median of $ROUNDS rounds; the
rounds: optimist $(c_opt rates), shell $(c_sql rates)). Both sides run the same cycle — a \`get\`
process, then an \`update\` process that takes SQLite's write lock with \`BEGIN IMMEDIATE\` and
commits with $SYNC_opt_update_SMALL (optimist) and $SYNC_sql_update_SMALL (shell) fdatasync calls. A process that finds the lock
taken waits in its busy handler (the shell's is SQLite's default, which sleeps 1, 2, 5, 10, …
up to 100 ms between attempts), so the throughput is the lock's pace plus the time waiters
sleep past its release. Measured:

- $(if awk "BEGIN { exit !($(c_opt highest_rate) >= $(c_sql lowest_rate) && $(c_sql highest_rate) >= $(c_opt lowest_rate)) }"; then
     echo "The rounds overlap: the difference is within this machine's spread from round to round."
   else
     echo "The rounds do not overlap."
   fi)
- Conflicts per successful update: $(calc "$(c_opt conflicts_per_success)") vs $(calc "$(c_sql conflicts_per_success)"); each
  conflict costs another get and update. Median update call under contention
  $(calc "$(c_opt median_update_ms)" 1) ms vs $(calc "$(c_sql median_update_ms)" 1) ms, get $(calc "$(c_opt median_get_ms)" 1) ms vs
  $(calc "$(c_sql median_get_ms)" 1) ms; alone (section a) update $UPD_OPT ms vs $UPD_SQL ms, get $GET_OPT ms vs $GET_SQL ms.

EOF
  [ "$OK_GET$OK_UPD$OK_PAY" = yesyesyes ] && one_call_facts
fi
if [ "$OK_SGET$OK_SUPD" != yesyes ]; then
  missed=1
  cat <<EOF
**The larger store costs more** (get ×$SCALE_GET, update ×$SCALE_UPD from $(fmt "$SMALL_N") to
$(fmt "$BIG_N") customers; the shell ×$SCALE_GET_SQL and ×$SCALE_UPD_SQL). Measured: instructions
per get $(fmt "$IR_opt_get_SMALL") → $(fmt "$IR_opt_get_BIG") (shell $(fmt "$IR_sql_get_SMALL") →
$(fmt "$IR_sql_get_BIG")); reads (read + pread64) per get $READS_opt_get_SMALL → $READS_opt_get_BIG, per
update $READS_opt_update_SMALL → $READS_opt_update_BIG (a deeper B-tree reads one more page per
level); system calls per update $SYS_opt_update_SMALL → $SYS_opt_update_BIG; fsync + fdatasync per
update $SYNC_opt_update_SMALL → $SYNC_opt_update_BIG.

EOF
fi
if [ "$OK_RSS$OK_RSS_UPD" != yesyes ]; then
  missed=1
  cat <<EOF
**Peak memory above $GOAL_RSS MiB** (get $RSS_MAX MiB, update $RSS_UPD_MAX MiB; the shell
$RSS_sql_get_SMALL MiB). Minor page faults per get: $FAULTS_opt_get_SMALL vs $FAULTS_sql_get_SMALL; the
binary is $BINARY_MIB MiB.

EOF
fi
if [ "$OK_LOST" != yes ] || [ "$ONE_OK" != yes ]; then
  missed=1
  echo "**A correctness check failed**: lost updates $(c_opt lost_updates) (versions gained"
  echo "$(c_opt versions_gained), counter $(c_opt counter_gained) for $(c_opt successes) successes); every key paid"
  echo "once: $(field "$PAID_OPT" kept); the replayed key paid once with the first answer each time: $(field "$REPLAY_OPT" kept)."
  echo
fi
if [ "$missed" = 0 ]; then
  echo "Every goal is met. What one call costs, for the next change:"
  echo
  one_call_facts
fi

echo "### Instructions by component (callgrind, exclusive: each function's own instructions)"
echo
echo "| Component | optimist \`get\` | sqlite3 shell \`get\` | floor \`get\` |"
echo "| --- | ---: | ---: | ---: |"
cut -f2 "$WORK/parts.opt" "$WORK/parts.sql" "$WORK/parts.flr" | awk '!seen[$0]++' | while IFS= read -r part; do
  o=$(awk -F'\t' -v p="$part" '$2 == p { print $1 }' "$WORK/parts.opt")
  s=$(awk -F'\t' -v p="$part" '$2 == p { print $1 }' "$WORK/parts.sql")
  f=$(awk -F'\t' -v p="$part" '$2 == p { print $1 }' "$WORK/parts.flr")
  echo "| $part | $(fmt "${o:-0}") | $(fmt "${s:-0}") | $(fmt "${f:-0}") |"
done
echo "| **total** | **$(fmt "$IR_opt_get_SMALL")** | **$(fmt "$IR_sql_get_SMALL")** | **$(fmt "$IR_flr_get_SMALL")** |"
echo
echo "### optimist \`get\`: the costliest functions, inclusive (callgrind_annotate --inclusive=yes)"
echo
echo '```'
workers callgrind-top "$WORK/callgrind.opt-get.SMALL.out" 30
echo '```'
echo
echo "### optimist \`get\`: what makes the Swift runtime instantiate generic types"
echo
echo "Callers of \`__swift_instantiateConcreteTypeFromMangledName\`, by the instructions their calls"
echo "cost (inclusive), and how often they call it:"
echo
echo '```'
workers callgrind-callers "$WORK/callgrind.opt-get.SMALL.out" __swift_instantiateConcreteTypeFromMangledName 12
echo '```'
echo
echo "### System calls of one \`update\` (strace -c -f -w)"
echo
echo "| syscall | optimist | sqlite3 shell |"
echo "| --- | ---: | ---: |"
workers strace-compare "$WORK/strace.opt-update.SMALL.txt" "$WORK/strace.sql-update.SMALL.txt"
echo

DUR_0=$(median durability 0); DUR_1=$(median durability 1); DUR_2=$(median durability 2)
cat <<EOF
## Durability: how a commit reaches the disk

The \`sqlite3\` shell's \`update\` (the same SQL as above) on the same database in the same run,
in three settings, each on a customer of its own, $RUNS runs each (Durability.swift says why):

| journal mode, synchronous | after COMMIT returns, a power cut | median | × DELETE+FULL |
| --- | --- | ---: | ---: |
| DELETE, FULL (SQLite's default; optimist before issue 13) | can undo it: the journal's unlink is not synced | $DUR_0 ms | 1.00 |
| DELETE, EXTRA | keeps it: the folder is synced after the unlink | $DUR_1 ms | $(ratio "$DUR_1" "$DUR_0") |
| TRUNCATE, FULL (optimist) | keeps it: the truncation is synced | $DUR_2 ms | $(ratio "$DUR_2" "$DUR_0") |

EOF

if [ -n "$BEFORE" ]; then
  cat <<EOF
## Before / after

\`get\` and \`update\` with an older binary, ${BENCH_BEFORE_LABEL:-given as BENCH_BEFORE} (\`${BEFORE#$REPO/}\`),
and with this one, on the same database in the same run (each update on a customer of its own):

| | before | after | after / before |
| --- | ---: | ---: | ---: |
| \`get\` median | $GET_BEFORE ms | $GET_AFTER ms | $(ratio "$GET_AFTER" "$GET_BEFORE") |
| \`get\` instructions | $(fmt "$IR_BEFORE") | $(fmt "$IR_opt_get_SMALL") | $(ratio "$IR_opt_get_SMALL" "$IR_BEFORE") |
| \`update --version\` median | $UPDATE_BEFORE ms | $UPDATE_AFTER ms | $(ratio "$UPDATE_AFTER" "$UPDATE_BEFORE") |

EOF
fi

cat <<EOF
## Repeat it

\`\`\`sh
make bench SCRATCH=${BENCH_SCRATCH:-.build}${BEFORE:+ BENCH_BEFORE=${BEFORE#$REPO/}}${BENCH_BEFORE_LABEL:+ BENCH_BEFORE_LABEL=\"$BENCH_BEFORE_LABEL\"}    # builds, installs the tools, runs Tests/Scripts/bench.sh
BENCH_RUNS=50 BENCH_BIG=100000 BENCH_DIR=/tmp/bench Tests/Scripts/bench.sh .build/release/optimist /tmp/B.md   # smaller, keeps raw files
\`\`\`

The measurements it made, in order (\$WORK is its work folder, \$SHM a folder on tmpfs; ids are
from its databases). Of each one-call measurement the first of its $BLOCKS blocks is listed; the
others repeat it with the next versions and keys:

\`\`\`sh
EOF
printf '%s\n' "${COMMANDS[@]}"
echo '```'
} >"$REPORT"

# PostgreSQL: optimist (optimist-pg beside it) against psql on one throwaway server.
say "PostgreSQL: one call and contention, optimist against psql"
python3 "$here/bench_pg.py" --bin "$OPTIMIST" --runs "$RUNS" --workers "$WORKERS" --cycles "$CYCLES" \
  --work "$WORK/pg" >>"$REPORT"

# edit: WORKERS workers incrementing one counter with `edit` against the README's loop, on both
# engines (Tests/Scripts/bench_edit.py; the PostgreSQL server is a throwaway one of its own).
say "edit against the README's get/update loop: $WORKERS workers, SQLite and PostgreSQL"
python3 "$here/bench_edit.py" --bin "$OPTIMIST" --workers "$WORKERS" >>"$REPORT"

if [ -n "${BENCH_DIR:-}" ]; then rm -f "$SMALL" "$BIG" "$SMALL-journal" "$BIG-journal"; fi
say "done: $REPORT"
