# shellcheck shell=bash
# Shared by the ops scripts (sourced): cron's PATH, timestamped logging, docker compose on the CPU or
# GPU files, log rotation. Plain bash, no tools beyond coreutils, docker, flock and curl.

# cron runs with PATH=/usr/bin:/bin: name every directory docker, flock and curl may live in (snap's
# docker included), the caller's PATH after them. MJOLNIR_OPS_PATH goes first (the tests put their
# fake docker, nvidia-smi and curl there).
export PATH="${MJOLNIR_OPS_PATH:+$MJOLNIR_OPS_PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin${PATH:+:$PATH}"

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=${MJOLNIR_REPO:-$(dirname "$OPS_DIR")}

# One line to $LOG, stamped with UTC time to the second. A log that cannot be written (a read-only
# HOME) loses nothing: use_log moves it to the temporary directory and says so on stderr (cron mails it).
log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$LOG" 2>/dev/null ||
    printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

# Sets LOG to $1, or to ${TMPDIR:-/tmp}/<its name> when $1 cannot be written, saying where it went.
use_log() {
  LOG=$1
  if ! { : >>"$LOG"; } 2>/dev/null; then
    local wanted=$LOG
    LOG="${TMPDIR:-/tmp}/$(basename "$wanted")"
    echo "cannot write $wanted (read-only HOME?): logging to $LOG" >&2
    log "cannot write $wanted (read-only HOME?): this log is here instead"
  fi
}

# Every docker call is bounded: a daemon that hangs must not hang cron. DOCKER_TIMEOUT_S (120) per
# call; when it fires, the log says which call and the call fails with 124.
bounded() {
  local limit=${DOCKER_TIMEOUT_S:-120} status
  timeout --kill-after=5 "$limit" "$@"
  status=$?
  if [ $status -eq 124 ] || [ $status -eq 137 ]; then
    log "TIMEOUT: '$*' did not finish within ${limit}s (DOCKER_TIMEOUT_S): the docker daemon hangs?"
    return 124
  fi
  return $status
}
# The programs on PATH (type -P skips these functions), each call bounded.
docker() { bounded "$(type -P docker || echo docker)" "$@"; }
docker-compose() { bounded "$(type -P docker-compose || echo docker-compose)" "$@"; }
nvidia-smi() { bounded "$(type -P nvidia-smi || echo nvidia-smi)" "$@"; }

# Runs a command, every line of its output logged (indented), and returns its status.
logged() {
  local out status
  out=$("$@" 2>&1)
  status=$?
  [ -z "$out" ] || while IFS= read -r line; do log "  $line"; done <<<"$out"
  return $status
}

# docker compose (the plugin) or docker-compose, in the repository, on the CPU files or, with "gpu"
# first, the GPU override too.
compose() {
  local files=(-f "$REPO_DIR/docker-compose.yml")
  if [ "${1:-}" = gpu ]; then
    files+=(-f "$REPO_DIR/docker-compose.gpu.yml")
  fi
  [ "${1:-}" = gpu ] || [ "${1:-}" = cpu ] && shift
  if DOCKER_TIMEOUT_S=${DOCKER_PROBE_S:-10} docker compose version >/dev/null 2>&1; then
    docker compose --project-directory "$REPO_DIR" "${files[@]}" "$@"
  else
    docker-compose --project-directory "$REPO_DIR" "${files[@]}" "$@"
  fi
}

# Keeps a log under MAX_LOG_BYTES (default 1 MiB): the full file becomes .1 (.1 becomes .2, .2 .3).
rotate() {
  local file=$1 max=${MAX_LOG_BYTES:-1048576} size
  [ -f "$file" ] || return 0
  size=$(wc -c <"$file")
  [ "$size" -gt "$max" ] || return 0
  [ -f "$file.2" ] && mv -f "$file.2" "$file.3"
  [ -f "$file.1" ] && mv -f "$file.1" "$file.2"
  mv -f "$file" "$file.1"
}
