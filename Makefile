# Vitrina: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export VITRINA_DATA_DIR ?= $(CURDIR)/var
# Links, sign-in messages and WebSocket origins name the address the server listens on.
export VITRINA_PUBLIC_URL ?= http://$(HOST):$(PORT)

PY_STAMP := $(VENV)/.installed
CLIENT_STAMP := client/node_modules/.installed
DIST := src/vitrina/web/dist/index.html
CLIENT_SOURCES := $(shell find client/src client/index.html client/vite.config.ts client/tsconfig.json client/public -type f 2>/dev/null)

.PHONY: help install run cluster cluster-down test check lint typecheck test-python test-client test-faults system-deps clean audit

help:
	@echo "make run    install, migrate, seed the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing, start PostgreSQL and Redis, run every check and test"
	@echo "make install  the .venv with the package (editable) and the built web client"
	@echo "make cluster  PostgreSQL, Redis, $(NODES) app nodes and HAProxy on http://127.0.0.1:$(CLUSTER_PORT) (Ctrl-C stops)"
	@echo "make cluster-down  stop the cluster that make cluster runs"
	@echo "make audit  known vulnerabilities in the Python and npm dependencies (needs the registries)"

install: $(PY_STAMP) $(DIST)

$(PY_STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,datasets]'
	touch $@

$(CLIENT_STAMP): client/package.json client/package-lock.json
	cd client && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DIST): $(CLIENT_STAMP) $(CLIENT_SOURCES)
	cd client && npm run build --silent

run: install
	$(BIN)/vitrina migrate
	$(BIN)/vitrina demo
	scripts/foreground.py $(BIN)/vitrina serve --host $(HOST) --port $(PORT)

# A whole deployment on this machine (docs/operations.md, "Cluster"); its files go to var/cluster.
NODES ?= 2
CLUSTER_PORT ?= 8080
cluster: install system-deps
	scripts/foreground.py $(BIN)/vitrina cluster up --nodes $(NODES) --port $(CLUSTER_PORT)

cluster-down:
	$(BIN)/vitrina cluster down

system-deps:
	scripts/system-deps.sh

lint: $(PY_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(PY_STAMP)
	$(BIN)/mypy

check: lint typecheck

test-client: $(CLIENT_STAMP)
	cd client && npm run --silent typecheck && npm test --silent

# One worker per core (up to four); tests that share the bot's models or Redis's channels
# keep to one worker (tests/conftest.py).
XDIST ?= -n auto --maxprocesses 4 --dist loadgroup
# Two browser workers: each has its own server and Chromium (more would starve them).
E2E_XDIST ?= -n 2
# The browser tests run on their own: Playwright's synchronous API keeps an event loop
# running in the main thread for the whole session, which the other tests' fixtures need free.
test-python: install
	scripts/with-test-services.sh bash -c '$(BIN)/pytest -q -p no:cacheprovider --ignore=tests/e2e --ignore=tests/faults $(XDIST) $(PYTEST_ARGS); \
	  status=$$?; $(BIN)/pytest -q -p no:cacheprovider tests/e2e $(E2E_XDIST) $(PYTEST_ARGS) || status=1; exit $$status'

# Kills and restarts parts of a real cluster of its own (tests/faults): PostgreSQL, Redis,
# two nodes, HAProxy, on free ports. One process: the tests share that cluster.
test-faults: install
	VITRINA_TEST_FAULTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/faults $(PYTEST_ARGS)

test: system-deps install check test-client test-python test-faults

# Known vulnerabilities in the dependencies, from PyPI's and npm's advisory services. Not
# part of `make test`: it needs those services, which a build machine may not reach. It
# fails on a finding and when a service cannot be reached (both are printed).
audit: $(PY_STAMP) $(CLIENT_STAMP)
	@status=0; \
	$(BIN)/pip-audit --progress-spinner off --skip-editable || status=$$?; \
	( cd client && npm audit --omit=dev ) || status=$$?; \
	exit $$status

clean:
	rm -rf $(VENV) client/node_modules src/vitrina/web/dist build .pytest_cache .mypy_cache .ruff_cache
