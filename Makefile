# Operator entry points (docs/contracts.md). Each target installs dependencies and builds what it needs,
# so it works on a fresh clone with only Node >= 20.19 and npm.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CLI := node dist/cli/main.js
# The lock file the installed node_modules came from. Dependencies are installed only when they are
# missing or the lock's content changed (never because a file's time moved: `npm ci` removes
# node_modules first, under whatever runs from it, a test suite in another terminal included).
INSTALLED := node_modules/.mjolnir-installed-lock

.PHONY: $(INSTALLED)
$(INSTALLED):
	@if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json $@; then \
	  npm ci --no-audit --no-fund && cp package-lock.json $@; \
	fi

.PHONY: help install build demo test check lint format health tui lab bench bench-engine bench-lake bench-paper bench-backtest bench-eq bench-journal bench-dashboard bench-import bench-kernel bench-soak bench-http bench-queue config-check sim paper backtest eq eqflat sweep workers queue-status workers-up workers-down lookahead validate train drift monitor validate-oos bench-train env live-up live-down live-logs compose-check doctor

# The research kernel's tslab, installed apart from the workspace (its TypeScript 5.0 must not shadow tsc).
KERNEL_INSTALLED := kernel/node_modules/.mjolnir-installed-lock

$(KERNEL_INSTALLED): kernel/package-lock.json
	cd kernel && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.mjolnir-installed-lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install: $(INSTALLED) ## install dependencies (npm ci)

build: $(INSTALLED) ## compile the library and the CLI to JavaScript (dist/)
	npx tsc -b

demo: build ## the main job: simulator + paper loop for a bounded session, then a summary (DEMO_BARS, SIM_SEED, SIM_SPEED)
	$(CLI) demo

config-check: build ## validate every config under configs/
	$(CLI) config check configs/*.yaml

check: $(INSTALLED) ## lint (Biome) and type-check everything, tests included
	npx biome check .
	npx tsc -b
	npx tsc -p tsconfig.test.json

lint: check ## alias of check

format: $(INSTALLED) ## rewrite files with the formatter and safe lint fixes
	npx biome check --write .

test: check $(KERNEL_INSTALLED) ## the whole test suite (what .ci/run calls); installs Jupyter, tmux, unshare, docker-compose, shellcheck, prometheus, redis-server from apt when missing
	bash scripts/ensure-apt.sh
	npx vitest run

doctor: build ## preflight: OK/WARN/FAIL per check with the command that fixes it; exit 0 OK, 1 WARN, 2 FAIL (CONFIG, DATA_ROOT; VERBOSE=1)
	$(CLI) doctor $(if $(VERBOSE),--verbose)

env: ## write .env for docker compose: the host's UID:GID (MJOLNIR_UID, MJOLNIR_GID) and a Jupyter token; only missing keys are added
	@bash scripts/make-env.sh

# The GPU variant when GPU=1, or when GPU is unset and nvidia-smi answers (GPU=0 forces the CPU one).
LIVE_COMPOSE = bash -c '. ops/common.sh; v=cpu; case "$${GPU:-auto}" in 1) v=gpu;; 0) ;; *) nvidia-smi -L >/dev/null 2>&1 && v=gpu;; esac; echo "compose: $$v stack" >&2; compose $$v "$$@"' compose

live-up: env ## docker compose: build and start paper and trade (GPU variant when GPU=1 or detected)
	$(LIVE_COMPOSE) up -d --build --remove-orphans
	$(LIVE_COMPOSE) ps

workers-up: env build ## docker compose profile workers: Redis (127.0.0.1:6379) and N=2 queue workers built from this checkout's code
	MJOLNIR_CODE_VERSION=$$($(CLI) code-version) $(LIVE_COMPOSE) --profile workers up -d --build --scale worker=$(or $(N),2) redis worker
	$(LIVE_COMPOSE) --profile workers ps

workers-down: ## docker compose: stop the queue's workers and Redis (its jobs stay on its volume)
	$(LIVE_COMPOSE) --profile workers stop worker redis

live-down: ## docker compose: stop the stack
	$(LIVE_COMPOSE) down --remove-orphans

live-logs: ## docker compose: follow the paper service's log
	$(LIVE_COMPOSE) logs -f --tail=100 paper

compose-check: ## validate docker-compose.yml and the GPU override with docker-compose config (no engine needed)
	MJOLNIR_UID=1000 MJOLNIR_GID=1000 JUPYTER_TOKEN=check docker-compose -f docker-compose.yml config -q
	MJOLNIR_UID=1000 MJOLNIR_GID=1000 JUPYTER_TOKEN=check docker-compose -f docker-compose.yml -f docker-compose.gpu.yml config -q

sim: build ## the simulated exchange on 127.0.0.1 (SIM_PORT, SIM_SPEED, SIM_SEED, SIM_START); a summary line a minute, SIM_VERBOSE=1 a line per request
	$(CLI) sim

# Two malloc arenas for the long-running loop: glibc's default (8 a core) lets the native memory of
# DuckDB's threads fragment upward for hours; with two it levels off (make bench-soak).
paper: build ## the LIVE paper loop without Docker (CONFIG, default configs/sim.yaml; DATA_TAG, DATA_ROOT)
	MALLOC_ARENA_MAX=$${MALLOC_ARENA_MAX:-2} $(CLI) paper -c $${CONFIG:-configs/sim.yaml}

health: build ## healthcheck of the LIVE streams (all under DATA_ROOT, or CONFIG's): exit 0 OK, 1 WARN (STRICT=1 only), 2 FAIL; JSON=1
	$(CLI) health

lab: build $(KERNEL_INSTALLED) ## Jupyter with the TypeScript kernel on 127.0.0.1 with a token, notebooks/ (JUPYTER_PORT, JUPYTER_BIND_ADDR, JUPYTER_TOKEN)
	bash kernel/lab.sh

tui: build ## the operator dashboard on this terminal (all streams under DATA_ROOT, or CONFIG's); q quits
	$(CLI) tui

backtest: build ## windowed backtest (START_TS_MS, END_TS_MS, RUNID, DATA_TAG, CONFIG; STOP_THROUGH=1)
	$(CLI) backtest

eq: build ## equivalence of DATA_TAG vs DATA_TAG_bt_RUNID (exit 0 PASS, 1 FAIL, 2 bad usage)
	$(CLI) eq

eqflat: build ## backtest from the first LIVE decision of DATA_TAG, then eq; prints the RUNID
	$(CLI) eqflat

sweep: build ## parameter grid on all cores, or on a queue's workers with QUEUE=redis://host:port/db (GRID="fast=5:15:5 slow=20,30", START_TS_MS, END_TS_MS, SORT, CONFIG)
	$(CLI) sweep $(foreach axis,$(GRID),-g $(axis)) $(if $(SORT),--sort $(SORT)) $(if $(QUEUE),--queue '$(QUEUE)')

workers: build ## N queue workers here (N=2, QUEUE=redis://127.0.0.1:6379/0; metrics on 9470..; Ctrl-C stops them)
	bash scripts/workers.sh $(or $(N),2) '$(or $(QUEUE),redis://127.0.0.1:6379/0)'

queue-status: build ## the work queue: jobs by state, failed shards with causes, workers seen (QUEUE)
	$(CLI) queue status --queue '$(or $(QUEUE),redis://127.0.0.1:6379/0)'

lookahead: build ## prove the configured strategy does not peek (START_TS_MS, END_TS_MS, CONFIG)
	$(CLI) lookahead

# Without a CONFIG it trains on the simulator's bars (configs/train-sim.yaml), backfilled first.
train: build ## train a model from CONFIG into DATA_ROOT/models/<model_id>/ (default configs/train-sim.yaml on TRAIN_SIM_DAYS=60 simulated days; DEPLOY=FILE writes a paper config trading it; TF_BACKEND, TRAIN_THREADS; QUEUE=redis://… trains on the workers)
	$(CLI) train -c $${CONFIG:-configs/train-sim.yaml} \
	  $(if $(or $(TRAIN_SIM_DAYS),$(if $(CONFIG),,1)),--sim-days $(or $(TRAIN_SIM_DAYS),60)) \
	  $(if $(DEPLOY),--deploy $(DEPLOY)) $(if $(TRAIN_THREADS),--threads $(TRAIN_THREADS))

drift: build ## feature drift (PSI, 10 bins) of the newest LIVE_BARS bars against MODEL's training window or REF_START..REF_END: mjolnir drift exits 0 OK, 1 drift (make: 2)
	$(CLI) drift $(if $(REF_START),--ref-start $(REF_START)) $(if $(REF_END),--ref-end $(REF_END))

monitor: build ## data freshness of SYMBOLS (default CONFIG's): mjolnir monitor exits 1 when one is more than MAX_STALENESS_BARS (3) closed bars behind (make: 2)
	$(CLI) monitor

validate-oos: build ## mjolnir validate-oos exits 1 when EVAL_START..EVAL_END overlaps MODEL's training window (make: 2)
	$(CLI) validate-oos --model "$(MODEL)" --eval-start "$(EVAL_START)" --eval-end "$(EVAL_END)"

validate: build ## validation on real candles from ../shared/data (not a test; SHARED_DATA)
	node dist/scripts/validate-binance-nfi.js

bench: bench-engine bench-lake bench-paper bench-backtest bench-eq bench-journal bench-dashboard bench-import bench-kernel bench-train bench-http bench-soak bench-queue ## benchmarks (not tests): figures and ratios to in-process baselines

bench-engine: build ## engine over 1e7 in-memory bars vs a hand-fused loop (BENCH_BARS)
	node --max-old-space-size=8192 dist/bench/engine.js

bench-lake: build ## lake -> typed arrays for 1e7 bars (BENCH_BARS, BENCH_LAKE to keep the lake)
	node --max-old-space-size=8192 dist/bench/lake.js

bench-paper: build ## paper loop: bar available -> durable decision (p99), catch-up of one day (BENCH_BARS)
	node dist/bench/paper.js

bench-backtest: build ## end-to-end backtest over 1e6 bars (lake, engine, files) vs the engine alone (BENCH_BARS)
	node --max-old-space-size=8192 dist/bench/backtest.js

bench-eq: build ## eq over one year of 5m decisions (BENCH_DAYS)
	node dist/bench/eq.js

bench-journal: build ## the read side following a 10M-row journal vs a 1k-row one: refresh cost per 1k new rows, and the healthcheck (JOURNAL_ROWS)
	node --max-old-space-size=8192 dist/bench/journal.js

bench-dashboard: build ## the dashboard's sources on a 10M-row journal: first read, redraw cost per new row vs a 1k-row one, memory held (JOURNAL_ROWS)
	node --expose-gc dist/bench/dashboard.js

bench-queue: build ## a 256-set sweep over two years of 1m bars: threads vs the work queue with 1 and 2 workers (needs redis-server; BENCH_SETS, BENCH_BARS, SHARD_SIZE)
	node dist/bench/queue.js

bench-train: build ## training throughput wasm vs cpu; a model-strategy backtest over 1e6 bars vs ema_cross_atr; LIVE per-bar latency with a model (BENCH_BARS, TRAIN_ROWS)
	node --max-old-space-size=8192 dist/bench/train.js

bench-kernel: build $(KERNEL_INSTALLED) ## a fresh tslab kernel to the first result, bare and importing the library; a 10k-point chart to SVG (KERNEL_RUNS)
	node dist/bench/kernel.js

bench-import: build ## a fresh process importing the package root vs the engine file alone (time, heap)
	node dist/bench/import.js

bench-http: build ## the paper loop's lag and exchange calls under 1,000 concurrent /health + /metrics vs alone (LOAD_SECONDS, LOAD_CONCURRENCY)
	node dist/bench/http-load.js

bench-soak: build ## `mjolnir paper` over 100k bars against the simulator: its resident-memory curve and slope after warm-up (SOAK_BARS, SOAK_SPEED; ~18 min)
	node dist/bench/soak.js
