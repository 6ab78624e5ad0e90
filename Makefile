# crm-workbook — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AS_OF ?= $(shell date +%F)
PARAMS ?=
JOBS ?= 2
REPORTS ?= reports
# Real public data sets for the real-data tests (skipped when absent).
SHARED_DATA := $(abspath ../shared/data/real)
TEST_DATA := $(or $(CRM_WORKBOOK_DATA),$(wildcard $(SHARED_DATA)))
# Two pytest workers (or report jobs) on two cores: one BLAS/OpenMP thread each, or the
# threads oversubscribe the cores and numeric code runs several times slower.
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# JupyterLab refuses to run as root (containers, classroom servers) without --allow-root;
# as root nothing can open a browser either, so the URL is printed instead.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root --no-browser,)
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
STRIP_KEYS := metadata.language_info metadata.papermill metadata.widgets cell.metadata.papermill cell.metadata.execution

.PHONY: help venv reports test lab strip bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-9s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

venv: $(VENV)/.installed ## create .venv and install the package with its test tools

reports: venv ## render every notebook into reports/<AS_OF>/ (AS_OF, PARAMS, JOBS settable)
	$(ONE_THREAD) $(BIN)/crm-workbook render --as-of $(AS_OF) --jobs $(JOBS) --output-dir $(REPORTS) $(if $(PARAMS),-f $(PARAMS),)

test: venv ## run the whole test suite: unit, notebook values, nbval, hygiene
	@bash .ci/postgres
	$(ONE_THREAD) CRM_WORKBOOK_DATA=$(TEST_DATA) $(BIN)/pytest -n 2 --dist loadscope --nbval-lax --nbval-current-env tests notebooks

lab: venv ## open JupyterLab on notebooks/ (LAB_ARGS, LAB_IP, LAB_PORT settable)
	$(BIN)/python -m pip install --quiet -e ".[test,lab]"
	@echo "JupyterLab on notebooks/: open http://$(LAB_IP):$(LAB_PORT)/lab with the token printed below"
	@echo "(in a container, publish the port and use LAB_IP=0.0.0.0; stop with Ctrl-C)"
	$(BIN)/jupyter lab notebooks/ --ip=$(LAB_IP) --port=$(LAB_PORT) $(LAB_ARGS)

strip: venv ## remove outputs and run metadata from the notebooks
	$(BIN)/nbstripout --extra-keys "$(STRIP_KEYS)" notebooks/*.ipynb

bench: venv ## run the speed and memory benchmarks (slow; results in benchmarks/README.md)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean: ## remove caches and rendered reports
	rm -rf $(REPORTS) .pytest_cache build *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
