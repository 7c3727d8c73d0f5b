# All targets use the project's own virtual environment in .venv/ (created on first use).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
STAMP := $(VENV)/.installed

.PHONY: install demo test train train-html lint bench wheel clean-venv chromium

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q cleaner  # as pip does for a wheel: no module compiled from source at each start
	touch $(STAMP)

demo: install
	@for f in seeds/*.txt; do echo "=== $$f"; $(BIN)/cleaner clean "$$f"; done
	@echo "=== explain (first 12 decisions of seeds/003)"
	@$(BIN)/cleaner clean --explain seeds/003_41f3834a8f22aa1c.txt | head -12

test: install chromium
	CLEANER_SHARED=$(SHARED) $(BIN)/python -m pytest

# Headless browser for tests/test_report.py and tests/test_review.py (selenium drives chromium through
# chromedriver): installed only in CI, as root, with apt-get (never on a user's machine behind their back);
# elsewhere the browser tests skip with the reason, in CI a missing browser fails them.
chromium:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	  echo "chromium: $$(command -v chromium), chromedriver: $$(command -v chromedriver)"; \
	elif [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "chromium install failed: the browser tests will fail"; \
	else echo "chromium or chromedriver not installed (installed automatically only with CI set, as root): browser tests skip"; fi

# Writes models/cleaner-candidate.npz, compares it with the shipped model on dev, and installs it only when it is
# not worse there (say FORCE=1 to install it anyway). Takes 10-30 minutes on 2 cores.
train: install
	$(BIN)/python -m training.train --shared $(SHARED) --replace $(if $(FORCE),--force) \
	  $(foreach f,$(USER_DATA),--user-data $(f))

# dist/cleaner-*.whl: the package and the shipped model (models/ becomes cleaner/models/), without training/.
# Built offline with the venv's setuptools; `pip install dist/*.whl` in any environment then cleans like `make demo`.
wheel: install
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

# The HTML line model (models/cleaner-html-v1.npz, or OUT=candidate.npz): WCXB + article-benchmark train pages;
# CACHE=/tmp/dir speeds reruns. The defaults below train the shipped model (html-v6); empty them to leave one out
# (e.g. `make train-html PAGE_WEIGHTS= TAIL_FEATURES= RECALL_FLOOR=` trains html-v2, the model before it).
# PAGE_WEIGHTS=1 trains the trees with every page weighing the same (train_html.page_weights).
# TAIL_FEATURES=1 adds the tail features (htmlcontext.TAIL_FEATURE_NAMES: blocks after the main text) and the page
# ones; PAGE_FEATURES=1 adds the page features alone (htmlcontext.py).
# RECALL_FLOOR=0.9399 takes each threshold among those keeping that mean word recall in CV (html-v2's).
# About 12 minutes on one core, 9 with a warm cache (BLAS threads pinned to one: they only oversubscribe).
PAGE_WEIGHTS ?= 1
TAIL_FEATURES ?= 1
RECALL_FLOOR ?= 0.9399
train-html: install
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(BIN)/python -m training.train_html --shared $(SHARED) $(if $(CACHE),--cache $(CACHE)) $(if $(OUT),--out $(OUT)) \
	  $(if $(PAGE_FEATURES),--page-features) $(if $(PAGE_WEIGHTS),--page-weights) $(if $(TAIL_FEATURES),--tail-features) \
	  $(if $(RECALL_FLOOR),--recall-floor $(RECALL_FLOOR))

lint: install
	$(BIN)/ruff check cleaner training tests examples
	$(BIN)/ruff format --check cleaner training tests examples

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	CLEANER_SHARED=$(SHARED) $(BIN)/python -m training.bench

clean-venv:
	rm -rf $(VENV)
