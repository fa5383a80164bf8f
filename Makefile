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
# pytest-xdist workers for unit + service tests. Browser and fault tests share one production build
# in .web, so they run after, in one process (xdist's loadgroup cannot pin them to one worker under
# pytest 9.2: pytest-dev/pytest-xdist#1386).
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS)

# Reflex needs bun; its own installer downloads from the internet, which a
# council server may not reach, so we take bun from the npm registry instead.
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export PORT

.PHONY: run dev test test-fast coverage lint format migrate seed bench bench-smoke tools chromium clean help nginx clamav deploy-config build

help:
	@echo "make run    start the portal on http://localhost:$(PORT) (installs what is missing)"
	@echo "make test   run the whole test suite (unit, service on SQLite+PostgreSQL, browser)"
	@echo "make test-fast  unit + service tests on SQLite only (the inner loop)"
	@echo "make coverage   unit + service tests on both databases with a coverage report"
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

# Debian's nginx checks the shipped site file in the tests (nginx -t) and fronts the fault tests.
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y --no-install-recommends nginx || \
	  { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends nginx; }; \
	fi

# Debian's clamd: the virus-scanning tests start a private one with a test signature (tests/ops/test_clamd.py).
clamav:
	@if [ ! -x /usr/sbin/clamd ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y --no-install-recommends clamav-daemon || \
	  { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends clamav-daemon; }; \
	fi

# Build the pages once per release (PUBLIC_URL as in production); every web worker started with
# `python -m sen_portal.serve --port N` serves this one build, so restarts never rename its chunks.
build: $(VENV)/.runtime-installed tools
	$(VENV)/bin/reflex export --frontend-only --no-zip --env prod

# The nginx site and systemd units for a server, from deploy/templates and deploy/deploy.conf.
deploy-config: $(VENV)/.runtime-installed
	$(PY) -m sen_portal.cli render-deploy

migrate: $(VENV)/.runtime-installed
	$(PY) -m alembic upgrade head

seed: migrate
	$(PY) -m sen_portal.cli seed-demo

run: $(VENV)/.runtime-installed tools seed
	@echo ""
	@echo "  SEN Professional Portal starting on http://localhost:$(PORT)"
	@echo "  (development mailbox: http://localhost:$(PORT)/dev/mailbox)"
	@echo "  (listening on BIND_ADDRESS, 127.0.0.1 unless .env says otherwise: this machine only)"
	@echo ""
	$(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT)

dev: $(VENV)/.runtime-installed tools seed
	REFLEX_API_URL=http://localhost:8000 $(VENV)/bin/reflex run --env dev --frontend-port $(PORT) --backend-port 8000

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

test: $(VENV)/.dev-installed tools chromium nginx clamav lint
	@# Exit status 5 is "no tests selected": PYTEST_ARGS="-m unit" leaves the second run empty.
	$(PY) -m pytest tests/unit tests/service $(XDIST) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest tests --ignore=tests/unit --ignore=tests/service $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest tests/unit tests/service $(XDIST) -k "not postgresql" $(PYTEST_ARGS)

# Browser and fault tests run the portal in other processes, so only unit + service code is measured.
coverage: $(VENV)/.dev-installed
	$(PY) -m pytest tests/unit tests/service $(XDIST) --cov=sen_portal --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed tools chromium
	$(PY) -m benchmarks.run_all

# Every benchmark for a few iterations (also part of `make test`): they must finish and print figures.
bench-smoke: $(VENV)/.dev-installed tools chromium
	$(PY) -m pytest tests/bench -m bench -q

clean:
	rm -rf .web .states $(TOOLS) $(VENV)
