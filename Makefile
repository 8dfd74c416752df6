# symfind: two commands set everything up on a fresh machine.
#   make run    create .venv, install, run the workflow on the embedded sample
#   make test   create .venv, install, build the docs (warnings as errors), run the test suite
#   make lint   ruff (pyproject.toml), snakefmt --check on the rules and snakemake --lint
#   make docs   the documentation site (Sphinx, MyST Markdown) in docs/_build/html
# Override the PyTorch requirement with e.g.  make run TORCH_SPEC='torch==2.5.1'
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
CORES ?= 8
BIN := $(VENV)/bin
STAMP := $(VENV)/.symfind-installed

.PHONY: run test install clean-results sample lint docs

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[test,slurm,hats,docs,lint]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

# The TAP tests need a local GAVO DaCHS server, the votlint test STILTS, the browser test
# Chromium and the SLURM profile test slurm-wlm and munge: installed where possible (root +
# apt-get), else those tests are skipped with the reason (SYMFIND_REQUIRE_TEST_SERVICES=1 makes
# that a failure).
test: $(STAMP) docs
	bash tests/install_services.sh
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

sample: $(STAMP)
	$(BIN)/python -m symfind.mock --out resources/sample

clean-results:
	rm -rf results
