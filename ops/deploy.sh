#!/usr/bin/env bash
# Pushes this repository to the box that runs it (seed 003's rsync deploy): a dry run by default,
# --apply to sync, then `docker compose up -d --force-recreate trade` there (ports or mounts may have
# changed). The target's .env, data/ (decisions, trades, bars, models) and node_modules are never touched,
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
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
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
echo "recreating trade on $host"
ssh -p "$port" "$host" "cd $path && docker compose up -d --force-recreate trade && docker compose ps"
