# CodiIt — the two commands: `make run` and `make test`. See README.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

LOCAL := .local
PROFILE ?= dev
CARGO_PROFILE_DIR := $(if $(filter release,$(PROFILE)),release,debug)
PORT ?= 3000

.PHONY: help run test fmt-check clippy unit-and-api openapi-check deploy-check schema-fuzz multi-instance resilience openapi db-stop bench

help:
	@echo "make run    - build and serve the API on http://localhost:$(PORT) (private PostgreSQL, demo data)"
	@echo "make test   - everything CI checks: fmt, clippy -D warnings, all tests, OpenAPI client check"
	@echo "make openapi - regenerate docs/openapi.json from the server after reviewing an API change"
	@echo "make multi-instance - two API instances behind nginx: balancing, cross-instance SSE, failover"
	@echo "make resilience - PostgreSQL restarted under order load: 503s, recovery, no lost order"
	@echo "make bench  - release build, benchmark dataset, every hot path under load: one table (.local/bench)"
	@echo "make db-stop - stop the private PostgreSQL servers"

## run: zero-configuration local server.
run:
	@mkdir -p $(LOCAL)
	@if [ ! -s $(LOCAL)/jwt-secret ]; then \
	  head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > $(LOCAL)/jwt-secret; \
	  chmod 600 $(LOCAL)/jwt-secret; echo "generated a local JWT secret in $(LOCAL)/jwt-secret"; fi
	cargo build --profile $(PROFILE) -p server
	@db_url="$${DATABASE_URL:-$$(deploy/local-pg.sh start run)}"; \
	echo ""; \
	echo "  CodiIt API   http://localhost:$(PORT)/api"; \
	echo "  Swagger UI   http://localhost:$(PORT)/api/docs"; \
	echo "  OpenAPI      http://localhost:$(PORT)/api/openapi.json"; \
	echo ""; \
	DATABASE_URL="$$db_url" \
	JWT_SECRET="$${JWT_SECRET:-$$(cat $(LOCAL)/jwt-secret)}" \
	PORT=$(PORT) \
	UPLOAD_DIR="$${UPLOAD_DIR:-$(LOCAL)/uploads}" \
	SEED_DEMO="$${SEED_DEMO:-true}" \
	LOG_FORMAT="$${LOG_FORMAT:-text}" \
	exec target/$(CARGO_PROFILE_DIR)/codiit

## test: what CI runs (.ci/run calls exactly this).
test: fmt-check clippy unit-and-api openapi-check deploy-check schema-fuzz multi-instance resilience

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

unit-and-api:
	@db_url="$${DATABASE_URL:-$$(deploy/local-pg.sh start test)}"; \
	s3_url="$${CODIIT_TEST_S3_ENDPOINT:-}"; \
	if [ -z "$$s3_url" ] && [ "$${CODIIT_SKIP_S3_TESTS:-}" != 1 ]; then \
	  for attempt in 1 2 3; do \
	    s3_url="$$(deploy/local-s3.sh start)" && break; \
	    echo "local-s3 did not start (attempt $$attempt); retrying" >&2; sleep 2; \
	  done; \
	  [ -n "$$s3_url" ] || { echo "could not start the loopback S3 server" >&2; exit 1; }; \
	  trap 'deploy/local-s3.sh stop' EXIT; \
	fi; \
	export DATABASE_URL="$$db_url" CODIIT_TEST_S3_ENDPOINT="$$s3_url"; \
	if cargo nextest --version >/dev/null 2>&1; then \
	  cargo nextest run --workspace --no-fail-fast; \
	else \
	  echo "NOTICE: cargo-nextest not found; running cargo test"; \
	  cargo test --workspace --no-fail-fast; \
	fi

openapi-check:
	bash tests/openapi-client/check.sh docs/openapi.json

## deploy-check: hadolint, nginx -t and docker compose config (plus a structure check).
deploy-check:
	bash deploy/check-deploy-files.sh

## bench: figures for every hot path against PostgreSQL's own limit (deploy/bench.sh). It reports
## and never fails on a missed target; it is not part of `make test`.
bench:
	bash deploy/bench.sh

## schema-fuzz: schemathesis over every operation of the served document, as buyer and seller.
schema-fuzz:
	bash deploy/schema-fuzz.sh

## multi-instance: two API processes behind a real nginx using deploy/nginx.conf.
multi-instance:
	bash deploy/multi-instance-check.sh

## resilience: PostgreSQL stopped and started under order load on a private cluster.
resilience:
	bash deploy/resilience-check.sh

## openapi: rewrite the committed snapshot from the running code.
openapi:
	@db_url="$${DATABASE_URL:-$$(deploy/local-pg.sh start test)}"; \
	DATABASE_URL="$$db_url" UPDATE_OPENAPI_SNAPSHOT=1 cargo nextest run -p api-tests the_served_document_matches_the_committed_snapshot
	@echo "docs/openapi.json updated; review it with git diff"

db-stop:
	deploy/local-pg.sh stop run
	deploy/local-pg.sh stop test
	deploy/local-pg.sh stop bench
	deploy/local-s3.sh stop
