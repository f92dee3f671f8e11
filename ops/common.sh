# Shared by the ops scripts (sourced): cron's PATH, timestamped logging, docker compose on the CPU or
# GPU files, log rotation. Plain bash, no tools beyond coreutils, docker, flock and curl.

# cron runs with PATH=/usr/bin:/bin: name every directory docker, flock and curl may live in (snap's
# docker included), the caller's PATH after them. MJOLNIR_OPS_PATH goes first (the tests put their
# fake docker, nvidia-smi and curl there).
export PATH="${MJOLNIR_OPS_PATH:+$MJOLNIR_OPS_PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin${PATH:+:$PATH}"

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=${MJOLNIR_REPO:-$(dirname "$OPS_DIR")}

# One line to $LOG, stamped with UTC time to the second.
log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$LOG"
}

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
  if docker compose version >/dev/null 2>&1; then
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
