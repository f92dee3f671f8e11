#!/usr/bin/env bash
# N queue workers on this machine (make workers N=2): each `mjolnir worker` runs shards in its own
# processes, the cores shared between them, its /metrics on 9470, 9471, ... (WORKER_METRICS_PORT
# for the first). Ctrl-C or SIGTERM stops them all; each finishes the shards it holds first.
# Usage: workers.sh N QUEUE_URL
set -euo pipefail
count="${1:-2}"
queue="${2:-redis://127.0.0.1:6379/0}"
case "$count" in '' | *[!0-9]* | 0) echo "workers.sh: N must be a whole number above 0, got '$count'" >&2; exit 2 ;; esac
cores="$(nproc)"
each=$(( cores / count ))
[ "$each" -ge 1 ] || each=1
first_port="${WORKER_METRICS_PORT:-9470}"
pids=()
# shellcheck disable=SC2317 # called by the trap
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; }
trap stop INT TERM
for ((i = 0; i < count; i++)); do
  node dist/cli/main.js worker --queue "$queue" --concurrency "$each" --metrics-port "$((first_port + i))" \
    > >(sed -u "s/^/[worker $((i + 1))] /") 2>&1 &
  pids+=("$!")
done
echo "$count workers on $queue, $each shard(s) at once each; metrics on ports $first_port..$((first_port + count - 1)); Ctrl-C stops them" >&2
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
exit "$status"
