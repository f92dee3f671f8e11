#!/usr/bin/env bash
# make lab: Jupyter (classic Notebook) with the project's TypeScript kernel, on 127.0.0.1 with a token,
# for an SSH tunnel: ssh -L 8888:127.0.0.1:8888 <host>. JUPYTER_BIND_ADDR, JUPYTER_PORT, JUPYTER_TOKEN.
set -euo pipefail
cd "$(dirname "$0")/.."

# Jupyter from apt for the system's python3 (a pyenv/venv python3 on PATH may lack jupyter_client).
bash scripts/ensure-apt.sh jupyter
PY=/usr/bin/python3

node dist/cli/main.js kernel install

BIND=${JUPYTER_BIND_ADDR:-127.0.0.1}
PORT=${JUPYTER_PORT:-8888}
TOKEN=${JUPYTER_TOKEN:-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
if [ "$BIND" != "127.0.0.1" ] && [ "$BIND" != "localhost" ]; then
  echo "warning: JUPYTER_BIND_ADDR=$BIND: Jupyter is reachable beyond this machine (the token still guards it)" >&2
fi
echo "Jupyter on http://$BIND:$PORT/?token=$TOKEN"
echo "From your machine: ssh -L $PORT:127.0.0.1:$PORT $(hostname), then open http://127.0.0.1:$PORT/?token=$TOKEN"
ROOT_FLAG=()
[ "$(id -u)" -ne 0 ] || ROOT_FLAG=(--allow-root)
exec "$PY" -m notebook --no-browser "${ROOT_FLAG[@]}" --ip="$BIND" --port="$PORT" \
  --NotebookApp.port_retries=0 --NotebookApp.token="$TOKEN" --notebook-dir=notebooks
