#!/usr/bin/env bash
# Pushes this repository to the box that runs it (seed 003's rsync deploy): a dry run by default,
# --apply to sync, then `docker compose up -d --build` there (the images bake the code in: every
# service whose image or config changed, paper included, is rebuilt and recreated), then waits for
# paper's healthcheck (DEPLOY_WAIT_S, 300) and exits 1 if it does not turn healthy. The target's .env, data/ (decisions, trades, bars, models) and node_modules are never touched,
# nothing is deleted there.
#   ops/deploy.sh user@host:~/Projects/trade [--port 22] [--apply]
set -euo pipefail
target=""
port=${SSH_PORT:-22}
apply=0
while [ $# -gt 0 ]; do
  case "$1" in
    --apply) apply=1 ;;
    --port) port=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "deploy.sh: unknown option $1" >&2; exit 2 ;;
    *) target=$1 ;;
  esac
  shift
done
if [ -z "$target" ] || [[ "$target" != *:* ]]; then
  echo "usage: ops/deploy.sh user@host:path [--port N] [--apply]   (a dry run unless --apply)" >&2
  exit 2
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
flags=(-av --itemize-changes --stats -e "ssh -p $port"
  --exclude=.git/ --exclude=.env --exclude='.env.*' --exclude=data/ --exclude=node_modules/
  --exclude=models/ --exclude=dist/ --exclude='*.tsbuildinfo' --exclude=tmp/ --exclude='*.log')
if [ "$apply" = 0 ]; then
  echo "dry run (nothing is changed; --apply to sync):"
  rsync --dry-run "${flags[@]}" "$repo/" "$target/"
  exit 0
fi
rsync "${flags[@]}" "$repo/" "$target/"
host=${target%%:*}
path=${target#*:}
wait_s=${DEPLOY_WAIT_S:-300}
echo "building and recreating what changed on $host (paper included), then waiting for paper's healthcheck"
ssh -p "$port" "$host" "cd $path && docker compose up -d --build --remove-orphans && docker compose ps" || exit 1
deadline=$((SECONDS + wait_s))
while :; do
  state=$(ssh -p "$port" "$host" "cd $path && docker inspect -f '{{.State.Health.Status}}' \$(docker compose ps -q paper)" 2>/dev/null || true)
  case "$state" in
    healthy) echo "paper is healthy on $host"; exit 0 ;;
    unhealthy) echo "paper is unhealthy on $host: docker compose logs paper" >&2; exit 1 ;;
  esac
  if [ $SECONDS -ge $deadline ]; then
    echo "paper did not turn healthy within ${wait_s}s on $host (last: ${state:-no answer})" >&2
    exit 1
  fi
  sleep "${DEPLOY_POLL_S:-5}"
done
