#!/usr/bin/env bash
# `make env`: the .env docker compose reads, with what it needs from this host. Adds only missing
# keys (an operator's values are never changed) and keeps the file private (it holds a token, and API
# keys when the operator adds them).
#   MJOLNIR_UID / MJOLNIR_GID  the containers run as this user (bash's UID is readonly and not exported,
#                              so compose cannot see it; these names it can)
#   JUPYTER_TOKEN              the trade service's Jupyter token (random, 48 hex)
set -euo pipefail
file=${1:-.env}
[ -f "$file" ] || { : >"$file"; echo "make env: created $file"; }
chmod 600 "$file"
add() {
  if ! grep -q "^$1=" "$file"; then
    printf '%s=%s\n' "$1" "$2" >>"$file"
    echo "make env: $1 added"
  fi
}
add MJOLNIR_UID "$(id -u)"
add MJOLNIR_GID "$(id -g)"
add JUPYTER_TOKEN "$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
[ "$(id -u)" -ne 0 ] || echo "make env: WARN: you are root, so the containers will run as root; run make env as the operator's user" >&2
mkdir -p data
echo "make env: $file ready (MJOLNIR_UID=$(sed -n 's/^MJOLNIR_UID=//p' "$file") MJOLNIR_GID=$(sed -n 's/^MJOLNIR_GID=//p' "$file"))"
