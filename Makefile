# jet-match: `make run` serves the demo, `make test` runs the whole suite.
# Needs only python3 (3.11+), pip and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck check fmt clean

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

test: install
	$(BIN)/python -m pytest

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
