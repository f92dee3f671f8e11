# Operator entry points (CONTRACTS.md). Each target installs dependencies and builds what it needs,
# so it works on a fresh clone with only Node >= 20.19 and npm.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CLI := node dist/cli/main.js
INSTALLED := node_modules/.package-lock.json

export CONFIG ?= configs/default.yaml

$(INSTALLED): package.json package-lock.json lib/package.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: help install build demo test check lint format bench config-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install: $(INSTALLED) ## install dependencies (npm ci)

build: $(INSTALLED) ## compile the library and the CLI to JavaScript (dist/)
	npx tsc -b

demo: build ## the main job on the embedded default (DEMO_BARS, SEED)
	$(CLI) demo --bars $${DEMO_BARS:-20000} --seed $${SEED:-42}

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

bench: build ## benchmarks (not tests): figures and ratios to in-process baselines
	node --max-old-space-size=8192 dist/bench/engine.js
