# sen-portal: `make run` starts the portal, `make test` runs every test.
# Both install what they need on first use (venv, pinned requirements, bun,
# Chromium for browser tests) and skip what is already there.

SHELL := /bin/bash
PORT ?= 3000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
BUN_VERSION := 1.4.5
AXE_VERSION := 4.14.1
PYTEST_ARGS ?=

# Reflex needs bun; its own installer downloads from the internet, which a
# council server may not reach, so we take bun from the npm registry instead.
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export PORT

.PHONY: run dev test lint format migrate seed bench bench-smoke tools chromium clean help

help:
	@echo "make run    start the portal on http://localhost:$(PORT) (installs what is missing)"
	@echo "make test   run the whole test suite (unit, service on SQLite+PostgreSQL, browser)"
	@echo "make dev    run with hot reload for development"
	@echo "make bench  run the benchmarks (make bench-smoke: a few iterations each)"

$(VENV)/.runtime-installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(TOOLS)/.installed:
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION) axe-core@$(AXE_VERSION)
	@test -x $(TOOLS)/node_modules/.bin/bun
	@touch $@

tools: $(TOOLS)/.installed

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y --no-install-recommends chromium || \
	  { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }; \
	fi

migrate: $(VENV)/.runtime-installed
	$(PY) -m alembic upgrade head

seed: migrate
	$(PY) -m sen_portal.cli seed-demo

run: $(VENV)/.runtime-installed tools seed
	@echo ""
	@echo "  SEN Professional Portal starting on http://localhost:$(PORT)"
	@echo "  (development mailbox: http://localhost:$(PORT)/dev/mailbox)"
	@echo ""
	$(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT)

dev: $(VENV)/.runtime-installed tools seed
	REFLEX_API_URL=http://localhost:8000 $(VENV)/bin/reflex run --env dev --frontend-port $(PORT) --backend-port 8000

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: $(VENV)/.dev-installed tools chromium lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed tools chromium
	$(PY) -m benchmarks.run_all

# Every benchmark for a few iterations (also part of `make test`): they must finish and print figures.
bench-smoke: $(VENV)/.dev-installed tools chromium
	$(PY) -m pytest tests/bench -m bench -q

clean:
	rm -rf .web .states $(TOOLS) $(VENV)
