# One Makefile for people and CI. Every target creates the project's own .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= bench/configs/default.toml
STAMP := $(VENV)/.installed

LINT_STAMP := $(VENV)/.lint-installed

.PHONY: bench test test-slow perf lint typecheck format report clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

bench: $(STAMP)
	$(PY) -m bench run $(CONFIG)

# -n auto: one pytest worker per core (pytest-xdist); every test is independent of the others.
test: $(STAMP)
	$(PY) -m pytest -q -n auto

test-slow: $(STAMP)
	$(PY) -m pytest -q -n auto -m slow

# The engine against NumPy, PyTorch (eager and torch.compile, if torch is installed) and ceiling
# kernels, interleaved; writes runs/perf/perf.md. PERF_ARGS="--scale" adds the engine at 4 sizes.
perf: $(STAMP)
	$(PY) -m bench.perf $(PERF_ARGS)

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
