# All targets use the project's own virtual environment in .venv/ (created on first use).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
STAMP := $(VENV)/.installed

.PHONY: install demo test train train-html lint bench clean-venv chromium

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	@for f in seeds/*.txt; do echo "=== $$f"; $(BIN)/cleaner clean "$$f"; done
	@echo "=== explain (first 12 decisions of seeds/003)"
	@$(BIN)/cleaner clean --explain seeds/003_41f3834a8f22aa1c.txt | head -12

test: install chromium
	CLEANER_SHARED=$(SHARED) $(BIN)/python -m pytest

# Headless browser for tests/test_report.py: installed only in CI, as root, with apt-get (never on a user's
# machine behind their back); elsewhere the browser tests skip with the reason.
chromium:
	@if command -v chromium >/dev/null; then echo "chromium: $$(command -v chromium)"; \
	elif [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium install failed: the browser tests will skip"; \
	else echo "chromium not installed (installed automatically only with CI set, as root): browser tests skip"; fi

train: install
	$(BIN)/python -m training.train --shared $(SHARED) $(foreach f,$(USER_DATA),--user-data $(f))

# The HTML line model (models/cleaner-html-v1.npz): WCXB + article-benchmark train pages; CACHE=/tmp/dir speeds reruns.
train-html: install
	$(BIN)/python -m training.train_html --shared $(SHARED) $(if $(CACHE),--cache $(CACHE))

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
