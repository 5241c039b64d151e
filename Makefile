# The one entry point: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 100000
WORKERS ?= 1
export HOST PORT

# With neither variable set, `run` and `token` share the secret scripts/jwt-secret keeps in
# .localdb/: the API never runs without authentication, not even on a newcomer's machine.
NO_TOKEN_KEY := [ -z "$${AUTH_JWT_SECRET:-}" ] && [ -z "$${AUTH_JWT_PUBLIC_KEY:-}" ]

.PHONY: help install run token migrate migrate-unlock rollback rollback-all psql psql-app db-status db-stop test lint format bench bench-readme clean

help: ## list the targets
	@echo "custom-fields-sql: start with 'make run' (the API) or 'make test'."
	@echo
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'
	@echo
	@echo "Database: DATABASE_URL if set (postgresql://user:password@host:port/dbname), else the"
	@echo "  project's own PostgreSQL in .localdb/, started on first use. make test starts its own."
	@echo "Tokens: AUTH_JWT_SECRET (HS256) or AUTH_JWT_PUBLIC_KEY (RS256/ES256) if set, else a secret"
	@echo "  made once in .localdb/jwt-secret. Optional: AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE."
	@echo "Variables: HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) (make run), SUB=... (make token SUB=alice),"
	@echo "  ARGS=... (make psql ARGS=\"-c '\\dt'\")"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV) (Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## create .venv with the app and its dev tools

run: install migrate ## serve the API on HOST:PORT with WORKERS processes (local PostgreSQL unless DATABASE_URL is set)
	@if $(NO_TOKEN_KEY); then \
		AUTH_JWT_SECRET=$$(scripts/jwt-secret) && export AUTH_JWT_SECRET || exit 1; \
		echo "run: tokens are signed with .localdb/jwt-secret; get one with 'make token SUB=alice', use it as curl -H \"Authorization: Bearer \$$(make -s token SUB=alice)\" http://$(HOST):$(PORT)/lists"; \
	fi; \
	PORT="$(PORT)" WORKERS="$(WORKERS)" scripts/with-db $(BIN)/python -m app.api.check_config && \
	scripts/with-db $(BIN)/uvicorn app.api.app:create_app --factory --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --log-config app/api/log-config.json

token: install ## print a bearer token for owner SUB, valid for a day (make -s token SUB=alice)
	@[ -n "$(SUB)" ] || { echo "usage: make token SUB=alice" >&2; exit 2; }
	@if $(NO_TOKEN_KEY); then \
		AUTH_JWT_SECRET=$$(scripts/jwt-secret) && export AUTH_JWT_SECRET || exit 1; \
	fi; \
	$(BIN)/python -m app.tokens --sub "$(SUB)"

test: install ## run the test suite against a PostgreSQL (and a PgBouncer) the tests start
	scripts/ensure-postgres
	scripts/ensure-pgbouncer
	$(BIN)/pytest --numprocesses=auto --maxprocesses=4 --dist=worksteal

migrate: install ## apply pending migrations
	scripts/with-db $(BIN)/python -m app.db.migrate apply

migrate-unlock: install ## remove the migration lock a killed make migrate left behind (yoyo_lock)
	scripts/with-db $(BIN)/python -m app.db.migrate unlock

rollback: install ## roll back the latest migration
	scripts/with-db $(BIN)/python -m app.db.migrate rollback

rollback-all: install ## roll back every migration (drops the schema)
	scripts/with-db $(BIN)/python -m app.db.migrate rollback --all

psql: ## open psql on the same database (extra psql arguments: ARGS="...")
	scripts/with-db scripts/psql $(ARGS)

psql-app: install ## psql as the app's role for OWNER (and LIST), under row-level security (make psql-app OWNER=alice)
	@[ -n "$(OWNER)" ] || { echo "usage: make psql-app OWNER=alice [LIST=<list id>]" >&2; exit 2; }
	OWNER="$(OWNER)" LIST="$(LIST)" scripts/with-db scripts/psql-app $(ARGS)

db-status: ## say whether the local PostgreSQL runs, and on which port
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "DATABASE_URL is set: run, migrate and psql use it, not .localdb/"; fi
	@if [ -n "$${DATABASE_URL:-}" ]; then scripts/localdb status || true; else scripts/localdb status; fi

db-stop: ## stop the local PostgreSQL (data stays in .localdb/)
	scripts/localdb stop

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install ## format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## build a bench database of SCALE videos (REBUILD=1 rebuilds), measure, delete it last (NO_PURGE=1 keeps it); report in .bench/
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null || $(BIN)/pip install --quiet -e '.[dev,bench]'
	scripts/with-db $(BIN)/python -m bench --scale $(SCALE) $(if $(REBUILD),--rebuild) $(if $(NO_PURGE),--no-purge)

bench-readme: install ## write the README's table of every case and target from the last runs in .bench/
	$(BIN)/python -m bench.readme

clean: ## remove the venv and caches (keeps .localdb/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
