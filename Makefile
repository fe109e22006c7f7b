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

# Two test processes (pytest-xdist), one a core: most tests wait on a server, a browser or a
# database, and the suite takes about half as long; the benches' smoke runs stay on one.
test: lint chromium compose
	$(BIN)/pytest -n 2 --dist loadgroup

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
