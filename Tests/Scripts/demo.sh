#!/bin/sh
# A tour of what sets optimist apart, on a temporary database, in about a minute of reading:
# versions (a stale write refused), edit (read-modify-write with the retry built in, under
# contention), batch (all or nothing), wait (block until another process changes an object),
# history (every past version), idempotent payments, and serve (Square's REST API on the
# same store).
# Run with `make demo`; OPTIMIST names the binary (default: optimist on PATH; optimist-serve
# beside it for the last step). Every step checks its exit code: the demo exits 1 at the
# first that is not the one shown (`make test` runs it, against the debug build).
set -u
OPTIMIST=${OPTIMIST:-optimist}
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
export OPTIMIST_DB="$dir/demo.db"
# The demo's own commands read optimist's JSON with sed: it needs nothing but a POSIX shell.
# (Its `edit` step runs `sed` as the edit command; real scripts would rather use jq.)

field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
step() { printf '\n\033[1m%s\033[0m\n' "$*"; }
# run CODE COMMAND…: shows the command, runs it, shows its exit code; stops the demo if the
# code is not CODE.
run() {
  want=$1
  shift
  printf '$ optimist %s\n' "$*"
  "$OPTIMIST" "$@"
  code=$?
  printf '  -> exit %s\n' "$code"
  if [ "$code" -ne "$want" ]; then
    echo "demo: expected exit $want" >&2
    exit 1
  fi
}
quiet() { "$OPTIMIST" "$@" || { echo "demo: optimist $* failed" >&2; exit 1; }; }

step "1. Versions. Clients A and B both read the item \"Coffee\" at the same version."
id=$(quiet create-item --name Coffee --available-for-pickup true | field id)
a=$(quiet get "$id" | field version)
b=$(quiet get "$id" | field version)
echo "A and B read version $a"
step "   A writes with the version it read: accepted, the version moves on."
run 0 update "$id" --version "$a" --set "description=Filter coffee"
step "   B, still holding the old version: refused (VERSION_MISMATCH, exit 3), nothing changes."
run 3 update "$id" --version "$b" --set available_for_pickup=false
step "   B reads again and retries: accepted. No one overwrote the other."
b=$(quiet get "$id" | field version)
run 0 update "$id" --version "$b" --set available_for_pickup=false

step "2. edit: read-modify-write with the retry built in. Eight processes at once each add"
echo "   one visit to a customer's note; edit rereads and reruns its command on a conflict."
customer=$(quiet create-customer --given-name Ada --note 0 | field id)
# The edit command: sed turns "note":"N" into "note":"N+1" (N from 0 to 7).
echo '$ optimist edit ID --max-attempts 100 -- sed …   # 8 processes at once, each adds 1'
i=0
while [ $i -lt 8 ]; do
  "$OPTIMIST" edit "$customer" --max-attempts 100 -- sed \
    -e 's/"note":"7"/"note":"8"/;t' -e 's/"note":"6"/"note":"7"/;t' -e 's/"note":"5"/"note":"6"/;t' \
    -e 's/"note":"4"/"note":"5"/;t' -e 's/"note":"3"/"note":"4"/;t' -e 's/"note":"2"/"note":"3"/;t' \
    -e 's/"note":"1"/"note":"2"/;t' -e 's/"note":"0"/"note":"1"/' >/dev/null &
  i=$((i + 1))
done
wait
run 0 get "$customer"
[ "$("$OPTIMIST" get "$customer" | field note)" = 8 ] || { echo "demo: a visit was lost" >&2; exit 1; }
echo "   8 visits, none lost, version 8."

step "3. batch: several changes in one transaction, all or nothing."
run 0 batch <<EOF
[{"op":"create-item","id":"#tea","name":"Tea"},
 {"op":"update","id":"$customer","version":8,"set":{"note":"likes #tea"}}]
EOF
step "   The same batch again: the customer is no longer at version 8, so nothing is written,"
echo "   not even the new item (exit 3, the error names operations[1])."
run 3 batch <<EOF
[{"op":"create-item","id":"#tea","name":"Tea"},
 {"op":"update","id":"$customer","version":8,"set":{"note":"likes #tea"}}]
EOF
run 0 list --type ITEM

step "4. wait: block until another process changes the object (no lock, no busy loop)."
version=$(quiet get "$id" | field version)
"$OPTIMIST" wait "$id" --changed-from "$version" --timeout 60 >"$dir/waited.json" &
waiter=$!
sleep 1
echo "   (another process updates the item)"
quiet update "$id" --set "description=Single origin" >/dev/null
wait "$waiter" || { echo "demo: wait failed" >&2; exit 1; }
echo "   wait returned the new version:"
cat "$dir/waited.json"

step "5. history: every version an update replaced, newest first; get --at-version reads one."
run 0 history "$id" --limit 3
run 0 get "$id" --at-version "$a"

step "6. A payment retried with the same idempotency key charges once: the same answer again."
run 0 create-payment --key demo-order-1 --amount 450 --currency USD --source-id cnon:card-nonce-ok
run 0 create-payment --key demo-order-1 --amount 450 --currency USD --source-id cnon:card-nonce-ok
run 5 create-payment --key demo-order-1 --amount 999 --currency USD --source-id cnon:card-nonce-ok
run 0 list --type PAYMENT

step "7. serve: Square's REST API on the same store, for Square's SDKs (here with curl)."
OPTIMIST_TOKEN=demo-token "$OPTIMIST" serve --listen 127.0.0.1:0 >"$dir/serve.json" 2>"$dir/serve.err" &
server=$!
tries=0
until [ -s "$dir/serve.json" ]; do
  tries=$((tries + 1))
  if [ $tries -gt 300 ] || ! kill -0 "$server" 2>/dev/null; then
    echo "demo: optimist serve did not start: $(cat "$dir/serve.err")" >&2
    exit 1
  fi
  sleep 0.1
done
url=$(field url <"$dir/serve.json")
echo "$ optimist serve --listen 127.0.0.1:0   # ready: $(cat "$dir/serve.json")"
if command -v curl >/dev/null; then
  printf '$ curl -H "Authorization: Bearer demo-token" %s/v2/catalog/object/%s\n' "$url" "$id"
  curl -sS -H "Authorization: Bearer demo-token" "$url/v2/catalog/object/$id" || exit 1
  echo
  echo "   A stale version over HTTP is Square's VERSION_MISMATCH too (status 400):"
  printf '$ curl -X POST %s/v2/catalog/object -d {"idempotency_key":"demo-1","object":{…,"version":%s}}\n' \
    "$url" "$a"
  curl -sS -w '\n  -> HTTP %{http_code}\n' -H "Authorization: Bearer demo-token" \
    -H 'Content-Type: application/json' -X POST "$url/v2/catalog/object" \
    -d "{\"idempotency_key\":\"demo-1\",\"object\":{\"type\":\"ITEM\",\"id\":\"$id\",\"version\":$a,\"item_data\":{\"name\":\"Coffee\"}}}" \
    || exit 1
else
  echo "   (curl is not installed: point any Square SDK at $url, token demo-token)"
fi
kill -TERM "$server"
wait "$server" || { echo "demo: optimist serve did not exit 0 on SIGTERM" >&2; exit 1; }
server=
echo "   The CLI sees the same store:"
run 0 get "$id"
echo
echo "Done: a stale write refused, edits under contention all kept, a batch all or nothing, a"
echo "wait woken by a change, every version kept, a payment charged once, Square's API served."
