#!/usr/bin/env bash
# PostgreSQL restarts under load: a server on a private PostgreSQL cluster of its own takes
# orders while the database is stopped and started again. The server must answer 503 (never
# hang) while it is down, recover by itself, and lose or duplicate no committed order.
# Run by `make test` (and `make resilience`).
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
BIN=${CODIIT_BIN:-target/debug/codiit}
PORT_API=${CODIIT_RESILIENCE_PORT:-25471}
export CODIIT_PG_ROOT=$REPO/.local/resilience CODIIT_PG_PORT=${CODIIT_RESILIENCE_PG_PORT:-25472}
RUN=$REPO/.local/resilience-run
log() { printf 'resilience: %s\n' "$*" >&2; }
# Always build (a no-op when current): a stale binary would check yesterday's server.
[ -n "${CODIIT_BIN:-}" ] || cargo build -q -p server --bin codiit
mkdir -p "$RUN"

db_url=$(deploy/local-pg.sh start test)
api_pid=''
cleanup() {
	[ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null || true
	deploy/local-pg.sh stop test >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql "$db_url" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null

DATABASE_URL=$db_url JWT_SECRET=resilience-check-secret-0123456789abcdef PORT=$PORT_API HOST=127.0.0.1 \
	BCRYPT_COST=4 LOG_FORMAT=json RUST_LOG=warn UPLOAD_DIR="$RUN/uploads" \
	LOGIN_RATE_PER_ADDRESS=100000 LOGIN_RATE_PER_ACCOUNT=100000 \
	"$BIN" >"$RUN/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT_API/api/health" >/dev/null && break; sleep 0.1; done

python3 deploy/resilience_driver.py "http://127.0.0.1:$PORT_API" "$db_url"
