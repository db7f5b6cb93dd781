SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-builtin-rules
.DEFAULT_GOAL := help
.NOTPARALLEL:

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out
DB ?= $(OUT)/hubcarbon.duckdb
# extra flags for `hubcarbon crawl`, e.g. CRAWL_FLAGS="--endpoint https://huggingface.co --models co2"
CRAWL_FLAGS ?=

.PHONY: help install crawl analyze classify report lint test test-fast test-browser bench check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all]' --group dev
	touch $@

install: $(VENV)/.installed ## Create .venv and install hubcarbon with its dev tools

crawl: install ## Crawl the embedded snapshot (or CRAWL_FLAGS="--endpoint URL") into $(DB)
	$(PY) -P -m hubcarbon crawl --db $(DB) $(CRAWL_FLAGS)

analyze: install ## Analyse the latest crawl, grade it and build the site into $(OUT)/
	$(PY) -P -m hubcarbon analyze --db $(DB) --out $(OUT)
	$(PY) -P -m hubcarbon replicate --out $(OUT)/replication.json
	$(PY) -P -m hubcarbon classify --db $(DB)
	$(PY) -P -m hubcarbon report --db $(DB) --out $(OUT)/site \
		--findings $(OUT)/findings.json --replication $(OUT)/replication.json

classify: install ## Grade the latest crawl in $(DB): reporting levels, labels, alternatives, lint
	$(PY) -P -m hubcarbon classify --db $(DB)

report: install ## Build the static site into $(OUT)/site from $(DB) and the analysis outputs
	$(PY) -P -m hubcarbon report --db $(DB) --out $(OUT)/site \
		--findings $(OUT)/findings.json --replication $(OUT)/replication.json

lint: install ## ruff, mypy and the import-layer contract
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# the tests start many interpreters: let them cache compiled modules (and pytest its rewritten
# tests) in __pycache__, whatever the environment says
TEST_ENV := PYTHONDONTWRITEBYTECODE=

test: install ## Run the test suite
	$(TEST_ENV) $(PY) -m pytest

test-fast: install ## The quick loop: every test not marked slow or browser, on 2 workers
	$(TEST_ENV) $(PY) -m pytest -m "not slow and not browser" -q -n 2 --dist loadfile

test-browser: install ## Only the browser tests (Debian chromium through Playwright)
	$(TEST_ENV) $(PY) -m pytest -m browser

bench: install ## Run the benchmarks in bench/ and print their ratios
	$(PY) -m bench

check: lint test ## Everything CI checks

clean: ## Remove outputs and caches (keeps .venv)
	rm -rf $(OUT) build dist .pytest_cache .mypy_cache .ruff_cache
