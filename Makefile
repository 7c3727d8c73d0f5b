# All targets use the project's own virtual environment in .venv/ (created on first use).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
STAMP := $(VENV)/.installed

.PHONY: install demo test train lint bench clean-venv

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

test: install
	CLEANER_SHARED=$(SHARED) $(BIN)/python -m pytest

train: install
	$(BIN)/python -m training.train --shared $(SHARED)

lint: install
	$(BIN)/ruff check cleaner training tests
	$(BIN)/ruff format --check cleaner training tests

bench: install
	CLEANER_SHARED=$(SHARED) $(BIN)/python -m training.bench

clean-venv:
	rm -rf $(VENV)
