#!/bin/sh
# The seed flow of optimistic concurrency, step by step, on a temporary database.
# Run with `make demo`; OPTIMIST names the binary (default: optimist on PATH).
set -u
OPTIMIST=${OPTIMIST:-optimist}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OPTIMIST_DB="$dir/demo.db"

field() { sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p"; }
step() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; code=$?; printf '  -> exit %s\n' "$code"; return 0; }

step "1. Create the item \"Coffee\"."
item=$("$OPTIMIST" create-item --name Coffee --available-for-pickup true) || exit 1
echo "$item"
id=$(printf '%s' "$item" | sed -n 's/.*"id":"\([A-Z2-7]*\)".*/\1/p')

step "2. Clients A and B both read it and see the same version."
a_version=$("$OPTIMIST" get "$id" | field version)
b_version=$("$OPTIMIST" get "$id" | field version)
echo "A read version $a_version; B read version $b_version"

step "3. A sets the description with the version it read: accepted, the version moves on."
run "$OPTIMIST" update "$id" --version "$a_version" --set "description=Filter coffee"

step "4. B, still holding the old version, tries to stop pickup: refused, nothing changes."
run "$OPTIMIST" update "$id" --version "$b_version" --set available_for_pickup=false

step "5. B reads again and retries with the new version: accepted."
b_version=$("$OPTIMIST" get "$id" | field version)
echo "B read version $b_version"
run "$OPTIMIST" update "$id" --version "$b_version" --set available_for_pickup=false

step "6. The item carries both changes; no one overwrote the other."
run "$OPTIMIST" get "$id"

step "7. A payment retried with the same idempotency key charges once."
run "$OPTIMIST" create-payment --key demo-order-1 --amount 450 --currency USD --source-id cnon:card-nonce-ok
run "$OPTIMIST" create-payment --key demo-order-1 --amount 450 --currency USD --source-id cnon:card-nonce-ok
run "$OPTIMIST" list --type PAYMENT
