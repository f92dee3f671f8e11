#!/usr/bin/env bash
# Installs from apt what the tests and `make lab` need when it is missing: Jupyter for the system
# python3 (classic Notebook, nbclient, nbconvert: the notebooks run on the real kernel), tmux (the
# dashboard's end-to-end test in a real terminal), util-linux's unshare (the small-disk tests),
# docker-compose (validates the compose files without an engine), shellcheck (the ops scripts are
# checked by the tests), prometheus with promtool (the alert rules' unit tests, a real scrape),
# redis-server with redis-cli (the work queue's tests run against a real Redis).
# Usage: ensure-apt.sh [jupyter] [tmux] [unshare] [compose] [shellcheck] [prometheus] [redis]   (default: all)
set -euo pipefail
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(jupyter tmux unshare compose shellcheck prometheus redis)
missing=()
for what in "${wanted[@]}"; do
  case "$what" in
    jupyter) /usr/bin/python3 -c 'import notebook, jupyter_client, nbclient, nbconvert' 2>/dev/null ||
      missing+=(jupyter-notebook python3-nbclient jupyter-nbconvert) ;;
    tmux) command -v tmux >/dev/null || missing+=(tmux) ;;
    unshare) command -v unshare >/dev/null || missing+=(util-linux) ;;
    compose) command -v docker-compose >/dev/null || missing+=(docker-compose) ;;
    shellcheck) command -v shellcheck >/dev/null || missing+=(shellcheck) ;;
    prometheus) { command -v prometheus && command -v promtool; } >/dev/null || missing+=(prometheus) ;;
    redis) { command -v redis-server && command -v redis-cli; } >/dev/null || missing+=(redis-server redis-tools) ;;
    *) echo "ensure-apt.sh: unknown tool $what" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -gt 0 ] || exit 0
if ! command -v apt-get >/dev/null; then
  echo "missing ${missing[*]} and no apt-get here: install them, then run this again" >&2
  exit 2
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing from apt: ${missing[*]}" >&2
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
