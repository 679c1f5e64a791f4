# Safeguarding Practice Exchange: the one task runner. `make` lists the targets.
# Needs only make and Python 3.11: everything else is installed into .venv from the lock files.

# Python 3.11 to build .venv with: python3.11 if it is on PATH, otherwise python3 (checked to be
# 3.11 before use). Override with `make install PYTHON=/path/to/python3.11`.
PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
LOCKS := requirements.lock requirements-dev.lock
# Where `make run` serves; every link in its emails, feeds and calendars starts with it.
# `make run PORT=8001` moves only the port; `make run ADDRESS=0.0.0.0:8001` sets both.
HOST ?= 127.0.0.1
PORT ?= 8000
ADDRESS ?= $(HOST):$(PORT)
RUN_ENV := PUBLIC_BASE_URL=http://$(ADDRESS)

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench clean

help: ## List the targets
	@echo "Usage: make <target>"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(STAMP) ## Create .venv and install the pinned dependencies (again only when a lock changes)

$(STAMP): $(LOCKS)
	@echo "==> Checking that $(PYTHON) is Python 3.11"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required: $(PYTHON) is " + sys.version.split()[0] + "; run make PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || { echo "==> Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Upgrading pip"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> Installing requirements-dev.lock into $(VENV)"
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@

run: install ## Serve the demo at http://127.0.0.1:8000, or PORT=8001 (SQLite, demo content, admin login demo)
	@echo "==> Applying migrations"
	$(RUN_ENV) $(MANAGE) migrate --no-input
	@echo "==> Loading demo content"
	$(RUN_ENV) $(MANAGE) load_demo
	@echo "==> Serving http://$(ADDRESS) (admin at /admin/; Ctrl-C stops)"
	$(RUN_ENV) $(MANAGE) runserver $(ADDRESS)

test: install ## Lint, check migrations and run the whole test suite (as CI does)
	@echo "==> Linting with ruff"
	$(BIN)/ruff check .
	@echo "==> Checking formatting with ruff"
	$(BIN)/ruff format --check .
	@echo "==> Checking that no model change lacks a migration"
	$(MANAGE) makemigrations --check --dry-run --settings=portal.settings.test
	@echo "==> Running the test suite"
	$(BIN)/pytest

lint: install ## Report lint and formatting problems without changing files
	@echo "==> Linting with ruff"
	$(BIN)/ruff check .
	@echo "==> Checking formatting with ruff"
	$(BIN)/ruff format --check .

format: install ## Fix what ruff can fix and reformat the code
	@echo "==> Fixing lint with ruff"
	$(BIN)/ruff check --fix .
	@echo "==> Formatting with ruff"
	$(BIN)/ruff format .

bench: install ## Run the benchmarks (benchmarks/run.py)
	@echo "==> Running the benchmarks"
	$(BIN)/python benchmarks/run.py

clean: ## Remove .venv and caches (keeps db.sqlite3 and var/)
	@echo "==> Removing $(VENV) and caches"
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
