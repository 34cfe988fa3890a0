# jet-match: `make run` serves the demo, `make test` runs the whole suite.
# Needs only python3 (3.11+), pip and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck check fmt clean messages browser

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Creates or migrates ./var/jet-match.db, loads fixtures/demo.json when empty, prints keys.
# `make run PORT=8001` (or HOST=0.0.0.0) serves elsewhere; `:=`, so only the command line
# sets them, not a HOST or PORT that happens to be in the environment.
HOST := 127.0.0.1
PORT := 8000

run: install
	$(BIN)/jet-match serve --demo --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/python -m pytest

# The browser tests drive Debian's chromium through Playwright (never `playwright install`);
# fonts-noto-cjk lets the screenshots show Japanese. Installed when missing: root (CI) runs
# apt-get; anyone else is told what to run.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; \
	  else echo "browser tests need /usr/bin/chromium: sudo apt-get install chromium fonts-noto-cjk" >&2; fi; }

# Refresh the workspace's message catalogs from the code and templates (docs/workspace.md);
# translate the new entries in src/jet_match/web/locale/ja/LC_MESSAGES/messages.po.
LOCALE_DIR := src/jet_match/web/locale
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
	  --project jet-match -o $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) \
	  --no-fuzzy-matching --ignore-obsolete

# benchmarks/ is optional in a checkout: lint it when it is there.
LINTED := src tests $(wildcard benchmarks)

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

fmt: install
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
