#!/usr/bin/env bash
# cron @reboot: starts the stack once the docker daemon answers, the GPU variant first when a GPU is
# usable from inside a container, else the CPU one. Every line to ~/trade_reboot.log, timestamped.
# Exit 0 up (or another run already at it), 1 not up (the log says why).
#   @reboot /bin/bash /path/to/repo/ops/cron_reboot.sh        (crontab.example)
# Settings (environment): TRADE_REBOOT_LOG, DOCKER_WAIT_S (300), DOCKER_POLL_S (5), GPU=0|1 (default:
# try it when nvidia-smi answers), MAX_LOG_BYTES, MJOLNIR_LOCK_DIR, DOCKER_TIMEOUT_S (120: every docker
# call is bounded; a hung daemon is logged and the run exits 1, releasing its lock).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
use_log "${TRADE_REBOOT_LOG:-$HOME/trade_reboot.log}"
rotate "$LOG"

# One run at a time: a second @reboot (or a hand run during the first) leaves at once.
exec 9>"${MJOLNIR_LOCK_DIR:-/tmp}/mjolnir-cron-reboot.lock"
if ! flock -n 9; then
  log "another cron_reboot.sh is running (lock held): leaving it to finish"
  exit 0
fi
log "cron_reboot.sh starting in $REPO_DIR"

# cron @reboot may run before dockerd is up: wait for it, bounded.
wait_s=${DOCKER_WAIT_S:-300}
poll_s=${DOCKER_POLL_S:-5}
started=$SECONDS
until DOCKER_TIMEOUT_S=${DOCKER_PROBE_S:-10} docker info >/dev/null 2>&1; do
  if [ $((SECONDS - started)) -ge "$wait_s" ]; then
    log "FAIL: the docker daemon did not answer within ${wait_s}s (systemctl status docker; is this user in the docker group?)"
    exit 1
  fi
  sleep "$poll_s"
done
log "docker daemon ready after $((SECONDS - started))s"

gpu_wanted() {
  case "${GPU:-auto}" in
    1) return 0 ;;
    0) return 1 ;;
    *) command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 ;;
  esac
}

if gpu_wanted; then
  log "GPU seen on the host: starting the GPU stack"
  if logged compose gpu up -d --remove-orphans && logged compose gpu exec -T paper nvidia-smi -L; then
    log "OK: GPU stack up, the GPU usable inside the paper container"
    logged compose gpu ps
    exit 0
  fi
  log "WARN: the GPU is not usable from a container (driver, nvidia-container-toolkit?): falling back to CPU"
  logged compose gpu down --remove-orphans
fi

log "starting the CPU stack"
if logged compose cpu up -d --remove-orphans; then
  log "OK: CPU stack up"
  logged compose cpu ps
  exit 0
fi
log "FAIL: the CPU stack did not start (see above; docker compose logs paper)"
exit 1
