# The one entry point: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 100000
export HOST PORT

.PHONY: help install run migrate rollback rollback-all psql db-stop test lint format bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## create .venv with the app and its dev tools

run: install migrate ## serve the API on HOST:PORT (local PostgreSQL unless DATABASE_URL is set)
	scripts/with-db $(BIN)/uvicorn app.api.app:create_app --factory --host $(HOST) --port $(PORT)

migrate: install ## apply pending migrations
	scripts/with-db $(BIN)/python -m app.db.migrate apply

rollback: install ## roll back the latest migration
	scripts/with-db $(BIN)/python -m app.db.migrate rollback

rollback-all: install ## roll back every migration (drops the schema)
	scripts/with-db $(BIN)/python -m app.db.migrate rollback --all

psql: ## open psql on the database
	scripts/with-db scripts/psql

db-stop: ## stop the local PostgreSQL (data stays in .localdb/)
	scripts/localdb stop

test: install ## run the test suite against a PostgreSQL the tests start
	scripts/ensure-postgres
	$(BIN)/pytest

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## remove the venv and caches (keeps .localdb/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
