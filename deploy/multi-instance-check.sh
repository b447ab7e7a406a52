#!/usr/bin/env bash
# The local multi-instance check: this project's PostgreSQL, two API processes and a real nginx
# (Debian's package) on loopback using deploy/nginx.conf. It drives the API through nginx and
# checks balancing, cross-instance notification delivery, and that stopping one instance
# mid-traffic fails no request and loses no order. Run by `make test` (and `make multi-instance`).
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"

BIN=${CODIIT_BIN:-target/debug/codiit}
RUN=$REPO/.local/multi
PORT_A=${CODIIT_MULTI_PORT_A:-25461}
PORT_B=${CODIIT_MULTI_PORT_B:-25462}
PORT_NGINX=${CODIIT_MULTI_PORT_NGINX:-25460}
log() { printf 'multi-instance: %s\n' "$*" >&2; }

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	if [ "$(id -u)" = 0 ]; then
		log "installing Debian's nginx"
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light gettext-base >/dev/null
	else
		log "nginx is not installed and this is not root: skipped"
		exit 0
	fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# Always build (a no-op when current): a stale binary would check yesterday's server.
[ -n "${CODIIT_BIN:-}" ] || cargo build -q -p server --bin codiit

base_url="${DATABASE_URL:-$(deploy/local-pg.sh start test)}"
db="codiit_multi_$$"
admin_url=$base_url
multi_url="${base_url%/*}/$db"
psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null

rm -rf "$RUN" && mkdir -p "$RUN/nginx"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	[ -f "$RUN/nginx/nginx.pid" ] && kill "$(cat "$RUN/nginx/nginx.pid")" 2>/dev/null || true
	sleep 0.5
	psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_api() { # name port
	DATABASE_URL=$multi_url JWT_SECRET=multi-instance-check-secret-0123456789 PORT=$2 HOST=127.0.0.1 \
		BCRYPT_COST=4 LOG_FORMAT=json RUST_LOG=warn SHUTDOWN_TIMEOUT_SECONDS=10 TRUST_PROXY=true \
		LOGIN_RATE_PER_ADDRESS=100000 LOGIN_RATE_PER_ACCOUNT=100000 UPLOAD_DIR="$RUN/uploads" \
		"$BIN" >"$RUN/$1.log" 2>&1 &
	pids+=($!)
}
start_api a "$PORT_A"
pid_a=${pids[0]}
start_api b "$PORT_B"
for port in "$PORT_A" "$PORT_B"; do
	for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
done

API_1=127.0.0.1:$PORT_A API_2=127.0.0.1:$PORT_B LISTEN=127.0.0.1:$PORT_NGINX RUNTIME_DIR=$RUN/nginx \
	envsubst '$API_1 $API_2 $LISTEN $RUNTIME_DIR' <deploy/nginx.conf >"$RUN/nginx/nginx.conf"
"$NGINX" -t -q -c "$RUN/nginx/nginx.conf" -p "$RUN/nginx" 2>"$RUN/nginx/test.log" || { cat "$RUN/nginx/test.log" >&2; exit 1; }
"$NGINX" -c "$RUN/nginx/nginx.conf" -p "$RUN/nginx"
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT_NGINX/api/health" >/dev/null && break; sleep 0.1; done

python3 deploy/multi_instance_driver.py "http://127.0.0.1:$PORT_NGINX" "http://127.0.0.1:$PORT_A" \
	"http://127.0.0.1:$PORT_B" "$pid_a" "$multi_url"
