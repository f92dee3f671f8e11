#!/usr/bin/env bash
# cron, every 10 minutes: the paper process's own health verdict (read inside its container), on one line to
# ~/trade_heartbeat.log, and a ping to HEARTBEAT_URL (healthchecks.io style) on OK or WARN,
# HEARTBEAT_URL/fail on FAIL. Exit 0 OK/WARN, 1 FAIL.
#   */10 * * * * /bin/bash /path/to/repo/ops/cron_heartbeat.sh       (crontab.example)
# Settings: TRADE_HEARTBEAT_LOG, HEARTBEAT_URL, HEALTH_GRACE_BARS, MAX_LOG_BYTES, GPU=1 for the GPU files,
# DOCKER_TIMEOUT_S (120: the docker call is bounded), MJOLNIR_LOCK_DIR.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
use_log "${TRADE_HEARTBEAT_LOG:-$HOME/trade_heartbeat.log}"
rotate "$LOG"

# One heartbeat at a time: one still waiting on a slow daemon is not joined by the next ten minutes later.
exec 8>"${MJOLNIR_LOCK_DIR:-/tmp}/mjolnir-cron-heartbeat.lock"
if ! flock -n 8; then
  log "FAIL another cron_heartbeat.sh is still running (lock held): the docker daemon is slow or hangs"
  exit 1
fi

variant=cpu
[ "${GPU:-0}" = 1 ] && variant=gpu
# The paper process's own verdict (it judges every 2 s): read, not judged again, no exchange call.
line=$(compose "$variant" exec -T paper node dist/cli/main.js health --line --url http://127.0.0.1:8080 2>/dev/null)
code=$?
line=${line%%$'\n'*}
status=${line%% *}
case "$status" in
  OK | WARN | FAIL) log "$line" ;;
  *)
    status=FAIL
    log "FAIL no health report (exit $code): is the paper container running? (docker compose ps)"
    ;;
esac

if [ -n "${HEARTBEAT_URL:-}" ]; then
  url=$HEARTBEAT_URL
  [ "$status" = FAIL ] && url="$HEARTBEAT_URL/fail"
  if ! curl -fsS -m 10 --retry 3 -o /dev/null "$url" 2>>"$LOG"; then
    log "WARN: the heartbeat ping failed (HEARTBEAT_URL unreachable?)"
  fi
fi
[ "$status" != FAIL ]
