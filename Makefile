# The two commands: `make docs` (build the site into site/) and `make test`.
# Both create .venv and install the pinned dependencies on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The first interpreter found that the dependencies support: 3.11.5 or newer, below 3.14
# (make PYTHON=/path/to/python3.12 to choose one).
SUPPORTED_PYTHON := (3, 11, 5) <= sys.version_info[:3] < (3, 14)
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not ($(SUPPORTED_PYTHON)))' 2>/dev/null \
  && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/constraints.txt | sha256sum | cut -c1-12)

# Data files are copied from a local mirror when there is one (this project's
# development machines have ../shared/datasets); otherwise they are downloaded.
SHARED_DATA := $(abspath $(CURDIR)/../shared/datasets)
ifneq ($(wildcard $(SHARED_DATA)/README.md),)
export MLVIZ_DATA_MIRROR ?= $(SHARED_DATA)
endif
export PYTHONPATH := $(CURDIR)/src
export MPLBACKEND := agg
export NO_MKDOCS_2_WARNING := 1
# umap-learn compiles with numba on first use (~25 s): keep the compiled code.
export NUMBA_CACHE_DIR ?= $(CURDIR)/.cache/numba

# Build only the examples whose path matches a regular expression:
#   make docs EXAMPLES=plot_01_pca      (the others are listed without output)
ifdef EXAMPLES
export MLVIZ_EXAMPLES := $(EXAMPLES)
endif
# make docs JOBS=1: run the examples one after the other (default: one worker per core).
ifdef JOBS
export MLVIZ_JOBS := $(JOBS)
endif
# make docs QUICK=1: small subsets and few epochs everywhere (a few minutes in all).
ifdef QUICK
export MLVIZ_QUICK := $(QUICK)
endif

.PHONY: help install docs serve test test-fast lint bench check-rounding clean clean-gallery

help:
	@echo "make docs        build the site into site/ (QUICK=1 for the fast variant, EXAMPLES=regex for some pages)"
	@echo "make serve       serve the site with live reload on http://127.0.0.1:8000"
	@echo "make test        run the tests (lint, unit tests, every page in quick mode, the site in a browser)"
	@echo "make test-fast   lint and the unit tests only: no page runs, no site build, no browser (minutes)"
	@echo "make lint        ruff on gallery/, src/ and tests/"
	@echo "make bench       time a cold, a warm and a one-page rebuild; per-page time and memory; page weights"
	@echo "make check-rounding  build every page in full mode under other CPU kernels (EXAMPLES=regex for some)"
	@echo "make clean       remove the built site and generated pages (keeps .venv and caches)"

# The stamp's name holds a hash of the dependency files: it changes when they change.
# pip's output goes to .venv/install.log; when it fails, its last lines say why.
$(STAMP):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No suitable Python found: the gallery needs Python 3.11.5 to 3.13 (python3 here is" \
	    "$$(python3 --version 2>&1 || echo missing)). Install one, or run: make PYTHON=/path/to/python3.12"; \
	  exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(not ($(SUPPORTED_PYTHON)))' || { \
	  echo "$(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'):" \
	    "the gallery needs 3.11.5 to 3.13 (make PYTHON=/path/to/python3.12)"; exit 1; }
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the pinned dependencies into $(VENV) (log: $(VENV)/install.log)"
	@{ $(BIN)/python -m pip install --upgrade pip && \
	   $(BIN)/python -m pip install -c requirements/constraints.txt -e ".[docs,test]"; } \
	  > $(VENV)/install.log 2>&1 || { \
	  grep -v "^WARNING: Location" $(VENV)/install.log | tail -n 25; \
	  echo "pip could not install the dependencies (above: its last lines; all of it in $(VENV)/install.log)"; \
	  exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# Build into a temporary folder and swap it in only when the whole build succeeded, so
# that a failed build never leaves a half-built site/ that looks complete.
docs: $(STAMP)
	@mkdir -p $(NUMBA_CACHE_DIR)
	rm -rf site.tmp
	$(BIN)/mkdocs build --strict --site-dir site.tmp || { rm -rf site.tmp; exit 1; }
	rm -rf site && mv site.tmp site
	@echo "Site built in site/ -- open site/index.html or run 'make serve'."

serve: $(STAMP)
	$(BIN)/mkdocs serve

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests"
	@.ci/apt-install chromium

test: lint $(CHROMIUM)
	@mkdir -p $(NUMBA_CACHE_DIR)
	$(BIN)/python -m pytest

test-fast: lint
	@mkdir -p $(NUMBA_CACHE_DIR)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check gallery src tests

# A measurement, not a test: writes bench/report.json and prints a table with the budgets.
bench: $(STAMP)
	@mkdir -p $(NUMBA_CACHE_DIR)
	$(BIN)/python -m mlviz.bench

# Every claim must hold under another processor's rounding: build the full site in a copy
# of the project with torch, oneDNN, MKL, OpenBLAS and numpy on other kernels (make bench
# does this too; make test does it in quick mode).
check-rounding: $(STAMP)
	@mkdir -p $(NUMBA_CACHE_DIR)
	$(BIN)/python -m mlviz.bench.rounding build $(if $(EXAMPLES),--examples '$(EXAMPLES)')

clean:
	rm -rf site site.tmp docs/gallery

clean-gallery:
	rm -rf docs/gallery
