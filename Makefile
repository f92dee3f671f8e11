# Operator entry points (CONTRACTS.md). Each target installs dependencies and builds what it needs,
# so it works on a fresh clone with only Node >= 20.19 and npm.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CLI := node dist/cli/main.js
INSTALLED := node_modules/.package-lock.json

$(INSTALLED): package.json package-lock.json lib/package.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: help install build demo test check lint format bench bench-engine bench-lake bench-paper config-check sim paper validate

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

test: check ## the whole test suite (what .ci/run calls)
	npx vitest run

sim: build ## the simulated exchange on 127.0.0.1 (SIM_PORT, SIM_SPEED, SIM_SEED, SIM_START)
	$(CLI) sim

paper: build ## the LIVE paper loop without Docker (CONFIG, default configs/sim.yaml; DATA_TAG, DATA_ROOT)
	$(CLI) paper -c $${CONFIG:-configs/sim.yaml}

validate: build ## validation on real candles from ../shared/data (not a test; SHARED_DATA)
	node dist/scripts/validate-binance-nfi.js

bench: bench-engine bench-lake bench-paper ## benchmarks (not tests): figures and ratios to in-process baselines

bench-engine: build ## engine over 1e7 in-memory bars vs a hand-fused loop (BENCH_BARS)
	node --max-old-space-size=8192 dist/bench/engine.js

bench-lake: build ## lake -> typed arrays for 1e7 bars (BENCH_BARS, BENCH_LAKE to keep the lake)
	node --max-old-space-size=8192 dist/bench/lake.js

bench-paper: build ## paper loop: bar available -> durable decision (p99), catch-up of one day (BENCH_BARS)
	node dist/bench/paper.js
