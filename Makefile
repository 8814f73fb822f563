# Restaurant Ops: `make run` serves the demo restaurant, `make test` runs the suite.
# Everything lives in .venv; the install is redone only when pyproject.toml changes (stamp files).

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test bench lint migrate seed chromium clean distclean

help:
	@echo "make run        install, migrate, load the demo restaurant, serve http://127.0.0.1:8000 with worker and beat"
	@echo "make test       install with the dev tools, make sure chromium is there, run the test suite"
	@echo "make bench      run every bench/*.py script (each prints its figures)"
	@echo "make lint       ruff (lint + format check) and the import contracts"
	@echo "make clean      remove caches, collected static files and queued Celery messages"
	@echo "make distclean  clean, and also remove .venv, var/ and the SQLite database"

# --- Environment -------------------------------------------------------------------------------------------

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "make: $(PYTHON) not found. Restaurant Ops needs Python 3.11 (Django 5.2 LTS, the pinned torch wheels)." >&2; \
	  echo "      Install it (e.g. apt-get install python3.11 python3.11-venv, or pyenv install 3.11)," >&2; \
	  echo "      or point to one: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "make: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'), not 3.11." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The app with the vision extra (torch, timm, OpenCV): what `make run` needs.
$(RUN_STAMP): pyproject.toml | $(PY)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[vision]'
	@touch $@

# The same plus pytest, Playwright, ruff, import-linter...: what `make test` and `make lint` need.
$(TEST_STAMP): pyproject.toml | $(PY)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,vision]'
	@touch $@ $(RUN_STAMP)

# --- Run ---------------------------------------------------------------------------------------------------

migrate: $(RUN_STAMP)
	$(PY) manage.py migrate --noinput

# Idempotent: loads the demo restaurant the first time, then only prints the demo logins; the tier job then
# scores the last four weeks (a second run the same day changes nothing), so tiers and insights show at once.
seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py recalculate_tiers --weeks 4 -v 0
	$(PY) manage.py generate_schedule --demo --week current --if-missing --publish --time-limit 5
	$(PY) manage.py generate_schedule --demo --week next --if-missing --time-limit 5

# Web (uvicorn, ASGI), Celery worker and Celery beat together (Procfile); Ctrl-C stops all three.
run: seed
	@echo "Starting web on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all three)"
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

# --- Test --------------------------------------------------------------------------------------------------

# The browser tests drive Debian's chromium (never a browser downloaded by `playwright install`).
chromium:
	@if [ -x /usr/bin/chromium ] || [ -x /usr/lib/chromium/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "make: chromium is missing, so the browser tests will be skipped (CI=true fails them)." >&2; \
	  echo "      Install it with: sudo apt-get install -y chromium" >&2; \
	fi

test: $(TEST_STAMP) chromium
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(RUN_STAMP)
	@set -e; found=0; for script in bench/*.py; do \
	  [ -e "$$script" ] || continue; found=1; \
	  echo "== $$script"; $(PY) "$$script"; \
	done; [ $$found = 1 ] || echo "no bench/*.py scripts yet"

# The import contracts run through their test, which drops modules not written yet (lint-imports refuses them).
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q restaurant/tests/test_architecture.py

# --- Clean -------------------------------------------------------------------------------------------------

clean:
	rm -rf .pytest_cache .ruff_cache staticfiles test-results var/celery-queue
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var db.sqlite3
