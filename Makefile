# One Makefile for people and CI. Every target creates the project's own .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= bench/configs/default.toml
STAMP := $(VENV)/.installed

LINT_STAMP := $(VENV)/.lint-installed

.PHONY: bench test test-slow lint typecheck format report clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

bench: $(STAMP)
	$(PY) -m bench run $(CONFIG)

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

$(LINT_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $(LINT_STAMP)

# ruff and mypy, pinned in pyproject.toml: formatting, lint rules and types.
lint: $(LINT_STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) -m mypy

typecheck: $(LINT_STAMP)
	$(PY) -m mypy

format: $(LINT_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) runs .pytest_cache
