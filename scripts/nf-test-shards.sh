#!/usr/bin/env bash
# Run nf-test in N shards at once (each a share of the test cases, round-robin), so that one
# test's JVM start-up and single-core tasks overlap another's. Each shard's output is shown
# when it ends; exits non-zero if any shard fails.
#
# Usage: scripts/nf-test-shards.sh N [nf-test test options...]
# Snapshots are only read in shards (pass --ci): two shards may hold tests of the same file.
set -uo pipefail
shards="$1"; shift
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
for ((k = 1; k <= shards; k++)); do
    nf-test test --shard "$k/$shards" "$@" > "$logs/$k.log" 2>&1 &
    pids+=("$!")
done
status=0
for ((k = 1; k <= shards; k++)); do
    wait "${pids[k - 1]}" || status=1
    echo "=== nf-test shard $k/$shards"
    cat "$logs/$k.log"
done
exit "$status"
