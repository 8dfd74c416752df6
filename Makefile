# symfind: two commands set everything up on a fresh machine.
#   make run    create .venv, install, run the workflow on the embedded sample
#   make test   create .venv, install, run the test suite
# Override the PyTorch requirement with e.g.  make run TORCH_SPEC='torch==2.5.1'
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
CORES ?= 8
BIN := $(VENV)/bin
STAMP := $(VENV)/.symfind-installed

.PHONY: run test install clean-results sample lint

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[test,slurm]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

# The TAP tests need a local GAVO DaCHS server, the votlint test STILTS, the browser test
# Chromium and the SLURM profile test slurm-wlm and munge: installed where possible (root +
# apt-get), else those tests are skipped with the reason (SYMFIND_REQUIRE_TEST_SERVICES=1 makes
# that a failure).
test: $(STAMP)
	bash tests/install_services.sh
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakemake --lint

sample: $(STAMP)
	$(BIN)/python -m symfind.mock --out resources/sample

clean-results:
	rm -rf results
