# Everything a developer runs.  `make test` and `make demo` set up .venv
# themselves on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: test demo lint docs bench load clean venv

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[testing,docs,demo,redis]'
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest tests

lint: $(STAMP)
	$(BIN)/ruff check pyramid_persona tests demo benchmarks docs

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# The demo package is the demo/ directory, imported from the repository root.
demo: $(STAMP)
	PYTHONPATH=$(CURDIR) $(BIN)/pserve demo/development.ini

# Against pyramid_persona 1.6.1 (benchmarks/.venv-161, built on first use);
# BENCH_ARGS=--quick for a smoke run.  See docs/performance.rst.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

load: $(STAMP)
	$(BIN)/python -m benchmarks.load

clean:
	rm -rf $(VENV) docs/_build .pytest_cache build *.egg-info
