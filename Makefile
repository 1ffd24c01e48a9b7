# gdlab: two commands do all set-up on a fresh clone.
#   make book   create .venv, install everything, build the site into _build/html
#   make test   unit and multi-process tests with coverage, the execution
#               cache, a strict clean build of the book, checks on the HTML
#   make bench  build and step timings against the budgets -> _build/bench.json
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# Executed cells run in the kernel of this environment: put it first on PATH.
export PATH := $(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: book test unit distributed coverage cuda-test strict-book \
	site-check browser-check cache-check bench mathjax clean lock help

help:
	@sed -n '2,5p' Makefile

# Re-installs only when the package metadata or the pinned versions change.
$(STAMP): pyproject.toml .ci/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c .ci/constraints.txt -e ".[book,test]"
	$(MAKE) --no-print-directory mathjax
	touch $(STAMP)

# MathJax from the npm registry, so that math renders offline (optional).
MATHJAX := book/_static/mathjax
mathjax:
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-save --no-package-lock --prefix .cache/npm \
	    mathjax@3.2.2 && rm -rf $(MATHJAX) && mkdir -p $(MATHJAX)/output/chtml/fonts && \
	  cp .cache/npm/node_modules/mathjax/es5/tex-mml-chtml.js $(MATHJAX)/ && \
	  cp -r .cache/npm/node_modules/mathjax/es5/output/chtml/fonts/woff-v2 \
	    $(MATHJAX)/output/chtml/fonts/; \
	else echo "npm not found: pages will load MathJax from its CDN"; fi

book: $(STAMP)
	$(BIN)/jupyter-book build .

test: unit distributed coverage cache-check strict-book site-check \
	browser-check

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -n auto --cov=gdlab --cov-report=

# Several processes on torch.distributed (gloo, CPU): slower, so kept apart.
distributed: $(STAMP)
	$(BIN)/python -m pytest tests/distributed --cov=gdlab --cov-append \
		--cov-report=

# Tests marked `cuda` (skipped without a GPU); run by the GPU workflow.
cuda-test: $(STAMP)
	$(BIN)/python -m pytest tests -m cuda -p no:cacheprovider

coverage: $(STAMP)
	$(BIN)/python -m coverage report --fail-under=90

# A small book built four times: editing gdlab re-executes exactly the
# pages that use the edited module (book/_ext/execution_key.py).
cache-check: $(STAMP)
	$(BIN)/python -m pytest tests/build -p no:cacheprovider

# Timings against the budgets (README); writes _build/bench.json.
bench: $(STAMP)
	$(BIN)/python tests/bench/bench.py

# Strict: a clean execution of every chapter, warnings are errors. Where
# `unshare` may create a network namespace (root on Linux), the build runs
# with only loopback, which proves that it needs no network.
OFFLINE := $(shell unshare --net sh -c 'ip link set lo up' >/dev/null 2>&1 \
	&& echo "unshare --net sh -c 'ip link set lo up && exec \"\$$@\"' offline")
strict-book: $(STAMP)
	rm -rf _build
	@echo "network during the build: $(if $(OFFLINE),cut off,left on (no unshare))"
	$(OFFLINE) $(BIN)/jupyter-book build . --warningiserror --keep-going

site-check: $(STAMP)
	$(BIN)/python -m pytest tests/site -p no:cacheprovider

# Every page in headless Chromium (Debian package `chromium`, or $CHROMIUM).
browser-check: $(STAMP)
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider

clean:
	rm -rf _build .pytest_cache .coverage

# Refresh the pinned versions from the current environment.
lock: $(STAMP)
	{ sed -n '1,2p' .ci/constraints.txt; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^torch=='; \
	  echo 'torch==2.13.0'; } > .ci/constraints.tmp
	mv .ci/constraints.tmp .ci/constraints.txt
