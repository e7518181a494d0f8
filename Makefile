# The two commands a newcomer needs: `make demo` and `make test`.
# Each creates .venv when it is missing and installs caution into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/caution demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/provenance.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/reach.py
	$(BIN)/python bench/guard.py
	$(BIN)/python bench/risk_eval.py
	$(BIN)/python bench/mining.py
	$(BIN)/python bench/canary.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
