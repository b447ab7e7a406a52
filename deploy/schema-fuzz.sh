#!/usr/bin/env bash
# Schema fuzzing: schemathesis (PyPI) against the running server with its own OpenAPI document,
# every operation, a fixed seed and a bounded number of examples, authenticated as a buyer and
# as a seller. Run by `make test` (and `make schema-fuzz`).
#
# Checks: every check schemathesis has except `positive_data_acceptance`. The contract rejects
# some schema-valid input by rules OpenAPI 3.0 cannot state (a repeated (productId, sizeId)
# order line, a name of spaces that trimming empties, an unknown category), so that check
# would report the contract itself; everything else — no 5xx, documented status codes, content
# types, headers and bodies, rejection of schema-invalid input, 405 with Allow, auth — must hold.
# Also `ensure_resource_availability` (stateful ST302): it guesses that `POST /api/cart`
# creates what `DELETE /api/cart/{cartItemId}` removes, but the contract's POST returns the cart
# and the DELETE takes one of its items, so the guess, not the server, fails.
# Requests time out after 3 s: the notification stream never ends by itself (schemathesis
# reads it until the timeout), and no other operation comes near that on this machine.
# CODIIT_FUZZ_ARGS passes extra schemathesis options (e.g. --include-path /api/cart).
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
BIN=${CODIIT_BIN:-target/debug/codiit}
PORT=${CODIIT_FUZZ_PORT:-25481}
SCHEMATHESIS_VERSION=4.32.5
VENV=$REPO/.local/venv
RUN=$REPO/.local/fuzz
log() { printf 'schema-fuzz: %s\n' "$*" >&2; }

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
	log "installing schemathesis $SCHEMATHESIS_VERSION"
	"$VENV/bin/python" -m pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
# Always build (a no-op when current): a stale binary would check yesterday's server.
[ -n "${CODIIT_BIN:-}" ] || cargo build -q -p server --bin codiit
mkdir -p "$RUN"

base_url="${DATABASE_URL:-$(deploy/local-pg.sh start test)}"
db="codiit_fuzz_$$"
psql "$base_url" -qc "CREATE DATABASE $db" >/dev/null
api_pid=''
cleanup() {
	[ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null || true
	sleep 0.3
	psql "$base_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

DATABASE_URL="${base_url%/*}/$db" JWT_SECRET=schema-fuzz-secret-0123456789abcdef0123 PORT=$PORT HOST=127.0.0.1 \
	BCRYPT_COST=4 LOG_FORMAT=json RUST_LOG=warn SEED_DEMO=true UPLOAD_DIR="$RUN/uploads" \
	LOGIN_RATE_PER_ADDRESS=1000000 LOGIN_RATE_PER_ACCOUNT=1000000 \
	"$BIN" >"$RUN/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.1; done

status=0
for who in buyer seller; do
	log "as the demo $who"
	# Auth comes from deploy/schema_fuzz_hooks.py: a token renewed on 401 (see there why).
	if ! CODIIT_FUZZ_BASE="http://127.0.0.1:$PORT" CODIIT_FUZZ_WHO=$who \
		PYTHONPATH="$REPO/deploy" SCHEMATHESIS_HOOKS=schema_fuzz_hooks \
		"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
		--checks all --exclude-checks positive_data_acceptance,ensure_resource_availability \
		--seed 20261201 --max-examples "${CODIIT_FUZZ_EXAMPLES:-10}" --no-color \
		--request-timeout 3 ${CODIIT_FUZZ_ARGS:-} \
		>"$RUN/$who.log" 2>&1; then
		sed -n '/FAILURES/,$p' "$RUN/$who.log" >&2
		status=1
	fi
	tail -n 3 "$RUN/$who.log" | sed "s/^/schema-fuzz ($who): /" >&2
done
exit $status
