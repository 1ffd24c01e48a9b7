# gdlab: two commands do all set-up on a fresh clone.
#   make book   create .venv, install everything, build the site into _build/html
#   make test   unit and multi-process tests with coverage, the execution
#               cache, a strict clean build of the book, checks on the HTML
#   make bench  build and step timings against the budgets -> _build/bench.json
#   make pdf    the whole book as one PDF -> _build/pdf/gdlab-book.pdf
#   make serve  a live-reloading preview on 127.0.0.1:8000 (PORT=...)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
# npm, or the one $NPM names (as .ci/system-packages.txt allows)
NPM ?= npm
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# Executed cells run in the kernel of this environment: put it first on PATH.
export PATH := $(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: book test unit distributed coverage cuda-test strict-book \
	site-check browser-check notebook-check cache-check bench clean lock \
	help pdf pdf-check serve serve-check lane-code lane-build \
	lane-browser lane-site lane-notebooks

help:
	@sed -n '2,7p' Makefile

# System packages (.ci/system-packages.txt) come first: a missing one is
# installed with apt-get when make runs as root, and otherwise stops the
# command within seconds, naming the command that installs it. A success
# is stamped, so later runs cost nothing.
SYSTEM_BOOK := .cache/system-book.stamp
SYSTEM_TEST := .cache/system-test.stamp
SYSTEM_PDF := .cache/system-pdf.stamp
.cache/system-%.stamp: .ci/system-packages.txt .ci/system_packages.py
	$(PYTHON) .ci/system_packages.py $*
	@mkdir -p $(@D) && touch $@

# Re-installs only when the package metadata or the pinned versions change.
$(STAMP): pyproject.toml .ci/constraints.txt | $(SYSTEM_BOOK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c .ci/constraints.txt -e ".[book,test]"
	touch $(STAMP)

# What the build takes from the npm registry, pinned in .ci/package.json
# and its lock file: MathJax, copied into the site so that math renders
# offline. The build fails without it rather than load it from a CDN.
NODE_MODULES := .ci/node_modules/.package-lock.json
$(NODE_MODULES): .ci/package.json .ci/package-lock.json | $(SYSTEM_BOOK)
	$(NPM) ci --prefix .ci --silent --no-audit --no-fund
MATHJAX := book/_static/mathjax
MATHJAX_JS := $(MATHJAX)/tex-mml-chtml.js
$(MATHJAX_JS): $(NODE_MODULES)
	rm -rf $(MATHJAX) && mkdir -p $(MATHJAX)/output/chtml/fonts
	cp .ci/node_modules/mathjax/es5/tex-mml-chtml.js $(MATHJAX)/
	cp -r .ci/node_modules/mathjax/es5/output/chtml/fonts/woff-v2 \
		$(MATHJAX)/output/chtml/fonts/
# Thebe, for the "Live code" button (book/_ext/local_thebe.py): one
# prebuilt bundle, so only its tarball is fetched (`npm pack`), checked
# against the sha512 pinned in .ci/package.json and copied without its
# source maps.
THEBE := book/_static/thebe
THEBE_JS := $(THEBE)/index.js
THEBE_PIN = $(shell $(PYTHON) -c "import json; t = json.load(open( \
	'.ci/package.json'))['tarballs']['thebe']; print(t['version'], \
	t['sha512'])")
$(THEBE_JS): .ci/package.json | $(SYSTEM_BOOK)
	rm -rf $(THEBE) .cache/thebe && mkdir -p $(THEBE) .cache/thebe
	cd .cache/thebe && $(NPM) pack --silent \
		thebe@$(word 1,$(THEBE_PIN)) >/dev/null
	echo "$(word 2,$(THEBE_PIN))  .cache/thebe/thebe-$(word \
		1,$(THEBE_PIN)).tgz" | sha512sum --check --quiet
	tar -xzf .cache/thebe/thebe-*.tgz -C .cache/thebe
	cp .cache/thebe/package/lib/*.js .cache/thebe/package/lib/*.css \
		.cache/thebe/package/lib/*.LICENSE.txt $(THEBE)/
BOOK_INPUTS := $(STAMP) $(MATHJAX_JS) $(THEBE_JS)

# A build's console output is kept in $(BUILD_LOG); the site checks fail on
# a line in it with WARNING or Traceback that is not expected
# (tests/build_log.py).
BUILD_LOG := _build/build.log
LOGGED := 2>&1 | tee $(BUILD_LOG)
book: $(BOOK_INPUTS)
	@mkdir -p _build
	PYTHONUNBUFFERED=1 $(BIN)/jupyter-book build . $(LOGGED)

# make test: every stage, at most three at a time. While the strict build
# runs, the code stages run one after another beside it; once the build is
# done, the checks on its site, its notebooks and in a browser start, each
# as soon as a place is free. Lines are prefixed with their group. The
# system packages and everything installed come first, before any test.
#   build: strict-book, then browser: browser-check, site: site-check and
#          notebooks: notebook-check (the quick notebooks; CI's notebooks
#          job runs all)
#   code:  unit, distributed, coverage, cache-check, serve-check
CODE_LANE := unit distributed coverage cache-check serve-check
LANE = $(MAKE) --no-print-directory -j1 $(1) 2>&1 | sed -u 's/^/[$(2)] /'
# A passing run records its wall-clock time for make bench ($(TEST_TIME)).
TEST_TIME := .cache/make-test.json
test: $(SYSTEM_TEST) $(BOOK_INPUTS) $(NODE_MODULES)
	@mkdir -p .cache && date +%s.%N > .cache/make-test.start
	$(MAKE) --no-print-directory -j3 lane-code lane-browser lane-site \
		lane-notebooks
	@$(BIN)/python tests/bench/make_test_time.py .cache/make-test.start \
		$(TEST_TIME)

lane-code:
	$(call LANE,$(CODE_LANE),code)

lane-build:
	$(call LANE,strict-book,build)

lane-browser: lane-build
	$(call LANE,browser-check,browser)

lane-site: lane-build
	$(call LANE,site-check,site)

lane-notebooks: lane-build
	$(call LANE,notebook-check GDLAB_NOTEBOOKS=quick,notebooks)

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

# A live-reloading preview on 127.0.0.1:$(PORT) (.ci/serve.py,
# sphinx-autobuild): rebuilds into _build/serve when book/, src/gdlab,
# _config.yml or _toc.yml change, re-executing only pages whose code or
# gdlab modules changed (the execution cache of make book). Ctrl+C stops it.
PORT ?= 8000
serve: $(BOOK_INPUTS)
	$(BIN)/python .ci/serve.py --port $(PORT)

# The preview started on a small copy of the book, edited, and watched.
serve-check: $(BOOK_INPUTS)
	$(BIN)/python -m pytest tests/serve -p no:cacheprovider

# Timings against the budgets (README); writes _build/bench.json.
bench: $(BOOK_INPUTS)
	$(BIN)/python tests/bench/bench.py

# Strict: a clean execution of every chapter, warnings are errors. Where
# `unshare` may create a network namespace (root on Linux), the build runs
# with only loopback, which proves that it needs no network.
# Without a network there is no name server, and torch's C++ side warns on
# stderr (into a cell's output) that it cannot name a loopback socket;
# TORCH_CPP_LOG_LEVEL=ERROR keeps that sandbox artefact off the pages.
OFFLINE := $(shell unshare --net sh -c 'ip link set lo up' >/dev/null 2>&1 \
	&& echo "unshare --net sh -c 'ip link set lo up && exec env TORCH_CPP_LOG_LEVEL=ERROR \"\$$@\"' offline")
strict-book: $(BOOK_INPUTS)
	rm -rf _build && mkdir -p _build
	@echo "network during the build: $(if $(OFFLINE),cut off,left on (no unshare))"
	PYTHONUNBUFFERED=1 $(OFFLINE) $(BIN)/jupyter-book build . \
		--warningiserror --keep-going $(LOGGED)

# The whole book as one PDF: a build of the book on one page (Sphinx's
# singlehtml builder, from the execution cache `make book` fills, so with
# a current cache no chapter runs again), printed by headless Chromium
# (.ci/print_pdf.py with .ci/print.css). A copy goes into _build/html,
# when there is one, where the front page links to it; the publish
# workflow builds it after the strict build. pdf-check reads its text.
PDF := _build/pdf/gdlab-book.pdf
pdf: $(SYSTEM_PDF) $(BOOK_INPUTS)
	@mkdir -p $(dir $(PDF))
	PYTHONUNBUFFERED=1 $(BIN)/jupyter-book build . --builder singlehtml \
		2>&1 | tee $(dir $(PDF))build.log
	$(BIN)/python .ci/print_pdf.py _build/singlehtml $(PDF)
	if [ -d _build/html ]; then cp $(PDF) _build/html/; fi

pdf-check: $(SYSTEM_PDF) $(STAMP)
	$(BIN)/python -m pytest tests/pdf -p no:cacheprovider

site-check: $(STAMP)
	$(BIN)/python -m pytest tests/site -p no:cacheprovider

# The built notebooks run as a reader gets them (tests/notebooks): each in
# a temporary folder outside the repository, on a kernel whose gdlab is a
# wheel of the working tree, without network; outputs must equal the
# stored ones. The wheel goes into a venv cached in ~/.cache/gdlab
# ($GDLAB_READER_ENVS), made once per set of pinned versions; it and the
# wheel's build take packages from pip's cache or index, nothing else
# does. GDLAB_NOTEBOOKS: all, quick (make test) or names.
GDLAB_NOTEBOOKS ?= all
notebook-check: $(STAMP)
	GDLAB_NOTEBOOKS=$(GDLAB_NOTEBOOKS) $(BIN)/python -m pytest \
		tests/notebooks -p no:cacheprovider

# Every page in headless Chromium (Debian package `chromium`, or $CHROMIUM),
# served compressed as a static host serves it, with axe-core (npm, pinned
# in .ci/package.json) checking accessibility in light and dark mode.
browser-check: $(STAMP) $(SYSTEM_TEST) $(NODE_MODULES)
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider

clean:
	rm -rf _build .pytest_cache .coverage

# Refresh the pinned versions from the current environment (and the npm
# lock file from .ci/package.json).
lock: $(STAMP)
	$(NPM) install --prefix .ci --package-lock-only --silent --no-audit
	{ sed -n '1,2p' .ci/constraints.txt; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^torch=='; \
	  echo 'torch==2.13.0'; } > .ci/constraints.tmp
	mv .ci/constraints.tmp .ci/constraints.txt
