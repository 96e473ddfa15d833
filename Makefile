# Rebuild Local Trust's brief from raw survey data. `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

$(INSTALLED): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

.PHONY: help
## List the targets with one line each
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z][a-z-]*:/{if(doc){split($$1,t,":"); printf "  make %-10s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

.PHONY: env
## Create .venv from requirements.lock (done by every other target on first use)
env: $(INSTALLED)

.PHONY: report
## Build the brief: raw data -> notebooks -> validation -> _output/report.html and .pdf
report: $(INSTALLED)
	$(PY) -m ltbrief build

.PHONY: test
## Run every test (unit, suites, notebooks end to end, fidelity, rendering)
test: $(INSTALLED)
	$(PY) -m pytest

.PHONY: preview
## Serve the brief on 127.0.0.1, rebuilt and reloaded on every save (for editors; Ctrl+C stops)
preview: $(INSTALLED)
	$(PY) -m ltbrief.preview

.PHONY: audit
## Re-execute every notebook from data/raw in a fresh folder and compare outputs with outputs.sha256
audit: $(INSTALLED)
	$(PY) -m ltbrief.audit

.PHONY: outputs
## Record the hashes of the current outputs in outputs.sha256 (after a reviewed build)
outputs: $(INSTALLED)
	$(PY) -m ltbrief.audit --record

.PHONY: bench
## Benchmark: cold, no-op and prose-only builds; data stages at 1x-1000x with peak memory
bench: $(INSTALLED)
	$(PY) -m ltbrief.bench

.PHONY: lint
## Check code style with ruff
lint: $(INSTALLED)
	$(PY) -m ruff check src tests notebooks

.PHONY: data
## Regenerate the synthetic raw data (seed 2020, 1x) into data/raw, its checksums and data/sources.yml
data: $(INSTALLED)
	$(PY) -m ltbrief.synth

.PHONY: docs
## Regenerate the docs that are written from code and the codebook
docs: $(INSTALLED)
	$(PY) -m ltbrief.docs

.PHONY: lock
## Re-resolve requirements.lock from pyproject.toml (hashes, no URLs)
lock: $(INSTALLED)
	$(PY) -m uv pip compile pyproject.toml --all-extras --generate-hashes --universal --no-header \
		--python-version 3.11 --quiet -o requirements.lock

.PHONY: clean
## Remove generated outputs (keeps .venv and data/raw)
clean:
	rm -rf _output data/interim data/processed _variables.yml .doit.db*
