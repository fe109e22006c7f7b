# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint chromium compose bench golden clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "iovlab needs Python 3.11 or newer: set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(BIN)/iovlab db upgrade
	$(BIN)/iovlab serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint chromium compose
	$(BIN)/pytest

# The browser tests drive Debian's Chromium (or $$IOVLAB_CHROMIUM); install it when missing.
chromium:
	@scripts/ensure-chromium

# The deployment test reads docker-compose.yml with `docker compose config` (no engine needed).
compose:
	@scripts/ensure-compose

bench: $(STAMP)
	$(BIN)/python bench/sim_throughput.py

golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/pytest tests/sim/test_golden.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
