# Every target the README and CI run. `make help` lists them.
# uv is installed with pip when missing, so a machine with only Python 3.11, pip and make works.
# It goes into .tools/uv with `pip --target`: that needs no venv module, no root and works on
# distributions whose Python refuses plain `pip install` (PEP 668, e.g. Debian and Ubuntu).
SHELL := /bin/bash
PYTHON ?= python3
UV_TOOL := .tools/uv/bin/uv
UV := $(shell command -v uv 2>/dev/null || echo $(UV_TOOL))
DBT := $(UV) run dbt
DBT_ARGS := --project-dir dbt_project --profiles-dir dbt_project
SAMPLE_WAREHOUSE := data/sample_check.duckdb
SPARK_DIR := $(CURDIR)/data/spark

.DEFAULT_GOAL := help
.PHONY: help setup browser demo check lint format dbt-check test sample dev bench clean \
	spark-java spark-check spark-build bench-pipeline

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: browser  ## install uv if missing, then the locked environment (and Chromium)
	@if ! command -v uv >/dev/null 2>&1 && [ ! -x $(UV_TOOL) ]; then \
		echo "uv not found: installing it with pip into .tools/uv"; \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
			--target .tools/uv uv; \
	fi
	@$(UV) sync --frozen --quiet
	@$(DBT) parse $(DBT_ARGS) --quiet

# The UI test drives Debian's Chromium; a fresh CI machine gets it here. Skipped when present.
browser:  ## install Debian's chromium for the UI test (apt; skipped when /usr/bin/chromium exists)
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		echo "installing chromium with apt-get (for tests/orchestration/test_ui.py)"; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium; \
	fi

demo: setup  ## README (a): run the whole pipeline on the committed sample data
	@$(UV) run python -m orchestration.demo --fresh

# spark-check installs Java 17 when missing, builds the sample on Spark and compares every mart
# with the DuckDB build (issue 10).
check: setup lint dbt-check test spark-check  ## README (b): every check and test (what CI runs)

lint:  ## ruff, ruff format --check, sqlfluff on the models
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run sqlfluff lint dbt_project/models

format:  ## apply ruff and sqlfluff fixes
	$(UV) run ruff check --fix .
	$(UV) run ruff format .
	$(UV) run sqlfluff fix dbt_project/models

dbt-check:  ## land the sample into a scratch warehouse and run `dbt build` on it
	@rm -f $(SAMPLE_WAREHOUSE)
	JOURNEY_WAREHOUSE=$(SAMPLE_WAREHOUSE) $(UV) run python -m orchestration.landing \
		--inbox data/sample/inbox --warehouse $(SAMPLE_WAREHOUSE)
	JOURNEY_WAREHOUSE=$(SAMPLE_WAREHOUSE) $(DBT) build $(DBT_ARGS)

test:  ## pytest (all but the Spark suite, which spark-check runs)
	$(UV) run pytest -m "not spark"

spark-java:  ## install Java 17 for PySpark when no Java 17+ is on PATH (Debian apt)
	@if java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then :; else \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openjdk-17-jre-headless; fi

spark-check: spark-java  ## build the project on Spark and DuckDB, compare every mart
	$(UV) run pytest -m spark --durations=5 tests/spark

# The unit tests run on DuckDB (dbt-check): on Spark, a test whose input is a whole seed is one
# partition per seed row and takes minutes (TEMP, see tests/spark/conftest.py).
spark-build: setup spark-java  ## land the sample, copy raw.* into Spark, dbt build on Spark
	@rm -rf $(SPARK_DIR) && mkdir -p $(SPARK_DIR)/raw_parquet
	$(UV) run python -m orchestration.landing \
		--inbox data/sample/inbox --warehouse $(SPARK_DIR)/landing.duckdb
	JOURNEY_WAREHOUSE=$(SPARK_DIR)/landing.duckdb $(DBT) run-operation export_raw_parquet \
		--args '{path: $(SPARK_DIR)/raw_parquet}' $(DBT_ARGS)
	JOURNEY_SPARK_DIR=$(SPARK_DIR) $(DBT) run-operation import_raw_parquet \
		--args '{path: $(SPARK_DIR)/raw_parquet}' $(DBT_ARGS) --target spark
	JOURNEY_SPARK_DIR=$(SPARK_DIR) $(DBT) build $(DBT_ARGS) --target spark \
		--exclude-resource-type unit_test

sample:  ## regenerate the committed sample (300 people, seed 7)
	rm -rf data/sample
	$(UV) run python -m data.generator --people 300 --seed 7 --out data/sample

# The dev instance lives in the project (gitignored), never in a DAGSTER_HOME of your own.
DEV_DAGSTER_HOME := $(CURDIR)/.dagster_home

dev: setup  ## open the Dagster UI with the whole graph (http://127.0.0.1:3000)
	@mkdir -p $(DEV_DAGSTER_HOME) && cp orchestration/instance/dagster.yaml $(DEV_DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DEV_DAGSTER_HOME) $(UV) run dagster dev -m orchestration.definitions \
		-h 127.0.0.1 -p 3000

bench: setup  ## print the performance figures (long: generates 1M people)
	$(UV) run python bench/bench_landing.py

# Sizes for bench-pipeline; e.g. `make bench-pipeline PIPELINE_PEOPLE=100000`.
PIPELINE_PEOPLE ?= 100000 300000 1000000

bench-pipeline: setup  ## full build + ~1% hourly increment per size (long: up to 1M people)
	$(UV) run python bench/bench_pipeline.py --people $(PIPELINE_PEOPLE)

clean:  ## remove build output and local warehouses
	rm -rf dbt_project/target dbt_project/logs data/*.duckdb data/*.duckdb.wal bench/out data/spark
