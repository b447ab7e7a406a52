#!/usr/bin/env bash
# `make bench`: every hot path of the API under load, against the limit PostgreSQL itself sets.
#
# Builds release binaries, starts the project's own PostgreSQL (profile `bench`: durable, like
# production) and the server, loads the dataset of deploy/bench/dataset.sql, and runs the
# scenarios: wrk for the public GETs and the login flood, codiit-bench (crates/bench) for the
# authenticated cart and order flows and the SSE streams, and pgbench replaying the server's own
# SQL (captured from PostgreSQL's log by deploy/bench/capture.py) for the database's limit.
# Prints one table and writes it as JSON; it reports figures and never fails on a missed target.
#
# Environment: BENCH_SECONDS (per scenario, default 10), BENCH_PORT (default 25455),
# PGBENCH_CLIENTS (default "8 16 32": the limit is pgbench's best), BCRYPT_COST (default 10),
# BENCH_API_GROUP_NICE (the API's scheduling-group nice, default 10: weight 110 of 1024, as
# compose's cpu_shares 128), BENCH_ONLY (a space-separated subset of the groups "lists login
# orders sse"; default all), CODIIT_BENCH_OUT (default .local/bench).
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
OUT=${CODIIT_BENCH_OUT:-$REPO/.local/bench}
DURATION=${BENCH_SECONDS:-10}
PORT=${BENCH_PORT:-25455}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-8 16 32}
COST=${BCRYPT_COST:-10}
API_GROUP_NICE=${BENCH_API_GROUP_NICE:-10}
ONLY=${BENCH_ONLY:-lists login orders sse}
BASE=http://127.0.0.1:$PORT
RESULTS=$OUT/results.jsonl
DRIVER=target/release/codiit-bench
log() { printf 'bench: %s\n' "$*" >&2; }
wanted() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --- tools ---------------------------------------------------------------------------------
need() { # command, Debian package
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing $2"
		{ apt-get install -y -q "$2" || { apt-get update -q && apt-get install -y -q "$2"; }; } >/dev/null
	fi
	command -v "$1" >/dev/null 2>&1 || { log "$1 is required (Debian package $2)"; exit 1; }
}
need wrk wrk
need curl curl
need python3 python3
PGBENCH=$(command -v pgbench || ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1 || true)
[ -x "${PGBENCH:-}" ] || { need pgbench postgresql-contrib; PGBENCH=$(command -v pgbench); }
# 10,000 streams need 10,000 sockets on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

log "building release binaries"
cargo build -q --release -p server -p bench --bin codiit --bin codiit-bench

mkdir -p "$OUT"
: >"$RESULTS"
admin_url=$(deploy/local-pg.sh start bench)
server_url=${admin_url%/*}
psql_admin() { psql "$admin_url" -v ON_ERROR_STOP=1 -qAtX "$@"; }
JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
api_pid=''
rss_pid=''
cleanup() {
	[ -n "$rss_pid" ] && kill "$rss_pid" 2>/dev/null || true
	[ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
	psql_admin -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
	deploy/local-pg.sh stop bench >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_server() { # database name
	DATABASE_URL=$server_url/$1 JWT_SECRET=$JWT_SECRET PORT=$PORT HOST=127.0.0.1 \
		BCRYPT_COST=$COST LOG_FORMAT=json UPLOAD_DIR="$OUT/uploads" SEED_DEMO=false \
		LOGIN_RATE_PER_ADDRESS=1000000 LOGIN_RATE_PER_ACCOUNT=1000000 \
		setsid target/release/codiit >>"$OUT/server.log" 2>&1 &
	api_pid=$!
	for _ in $(seq 1 200); do
		if curl -fs "$BASE/api/health" >/dev/null 2>&1; then
			[ "$(cat "/proc/$api_pid/comm" 2>/dev/null)" = codiit ] || { log "the server is not pid $api_pid"; exit 1; }
			# Like a service of its own (compose: cpu_shares), the API has a scheduling group (its
			# setsid session) with less CPU weight than PostgreSQL: the database, which every request
			# waits on, wins the cores when both want them (a login flood's bcrypt work would
			# otherwise take half of them from it).
			echo "$API_GROUP_NICE" >"/proc/$api_pid/autogroup" 2>/dev/null || true
			return 0
		fi
		kill -0 "$api_pid" 2>/dev/null || break
		sleep 0.1
	done
	log "the server did not become ready; see $OUT/server.log"
	exit 1
}
stop_server() {
	kill "$api_pid" && wait "$api_pid" 2>/dev/null || true
	api_pid=''
}

# --- dataset: loaded once into a template database, cloned fresh for every run ---------------
fingerprint=$(cat migrations/*/up.sql deploy/bench/dataset.sql | sha256sum | cut -c1-16)
if [ "$(psql_admin -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'codiit_bench_template'")" != "$fingerprint" ]; then
	log "loading the dataset (once per change of schema or dataset)"
	psql_admin -c "DROP DATABASE IF EXISTS codiit_bench_template WITH (FORCE)" -c "CREATE DATABASE codiit_bench_template"
	start_server codiit_bench_template # applies the migrations
	stop_server
	started=$SECONDS
	psql "$server_url/codiit_bench_template" -v ON_ERROR_STOP=1 -qX -f deploy/bench/dataset.sql >/dev/null
	psql_admin -c "COMMENT ON DATABASE codiit_bench_template IS '$fingerprint'"
	log "dataset loaded in $((SECONDS - started)) s"
fi
psql_admin -c "DROP DATABASE IF EXISTS codiit_bench WITH (FORCE)" -c "CREATE DATABASE codiit_bench TEMPLATE codiit_bench_template"
DB_URL=$server_url/codiit_bench
psql "$DB_URL" -qAtX -c "SELECT 'dataset: ' || (SELECT count(*) FROM stores) || ' stores, ' || (SELECT count(*) FROM products) || ' products, ' || (SELECT count(*) FROM stocks) || ' stocks, ' || (SELECT count(*) FROM users WHERE type = 'BUYER') || ' buyers, ' || (SELECT count(*) FROM orders) || ' orders, ' || (SELECT count(*) FROM reviews) || ' reviews, ' || (SELECT count(*) FROM inquiries) || ' inquiries'" >&2
# Sizes with enough stock that a run never sells them out (the hot size has its own scenario).
psql "$DB_URL" -qAtX -c "SELECT product_id || '|' || size_id FROM stocks WHERE quantity >= 100 AND product_id <> 'bench-product-1'" >"$OUT/pairs.txt"

# --- measuring helpers ----------------------------------------------------------------------
settle() { psql "$DB_URL" -qX -c "VACUUM ANALYZE" -c "CHECKPOINT" 2>/dev/null; }
record() { printf '%s\n' "$1" >>"$RESULTS"; }
rss_watch() {
	echo 0 >"$OUT/rss.max"
	"$DRIVER" rss-watch --pid "$api_pid" --out "$OUT/rss.max" &
	rss_pid=$!
}
rss_done() { # scenario, extra JSON fields
	kill "$rss_pid" 2>/dev/null || true
	wait "$rss_pid" 2>/dev/null || true
	rss_pid=''
	record "{\"scenario\":\"$1\",\"rss_mb\":$(awk '{printf "%.1f", $1 / 1024}' "$OUT/rss.max")${2:+,$2}}"
}
wrk_run() { # scenario, connections, path or "login", [background]
	local env=(BENCH_SCENARIO="$1" BENCH_CONNECTIONS="$2" BENCH_PATH="$3")
	[ "$3" = login ] && env+=(BENCH_LOGIN=1)
	env "${env[@]}" wrk -t2 -c"$2" -d"${DURATION}s" --timeout 10s -s deploy/bench/wrk.lua "$BASE" >"$OUT/wrk.out.$$.$2.$RANDOM" 2>&1
}
wrk_collect() { grep -h '^BENCH_JSON ' "$OUT"/wrk.out.* | sed 's/^BENCH_JSON //' >>"$RESULTS"; rm -f "$OUT"/wrk.out.*; }
scenario_wrk() { # scenario, connections, path, extra JSON fields
	log "$1 ($2 connections)"
	rss_watch
	wrk_run "$1" "$2" "$3"
	wrk_collect
	rss_done "$1" "$4"
}
scenario_driver() { # scenario, extra JSON fields, codiit-bench arguments...
	local name=$1 extra=$2
	shift 2
	log "$name"
	rss_watch
	"$DRIVER" "$@" --scenario "$name" --base "$BASE" --secret "$JWT_SECRET" >>"$RESULTS"
	rss_done "$name" "$extra"
}

# --- capture: the server's SQL for one request, as a pgbench script ---------------------------
PGLOG=$(psql_admin -c "SHOW data_directory")/server.log
capture() { # name, curl arguments..., then -- capture.py arguments
	local name=$1 offset
	shift
	local curl_args=()
	while [ "$1" != -- ]; do curl_args+=("$1") && shift; done
	shift
	offset=$(stat -c %s "$PGLOG")
	psql_admin -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.3
	curl -fsS -o /dev/null "${curl_args[@]}"
	sleep 0.3
	psql_admin -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
	tail -c "+$((offset + 1))" "$PGLOG" >"$OUT/$name.log"
	python3 deploy/bench/capture.py "$OUT/$name.log" --out "$OUT/$name.pgbench.sql" "$@"
}
pgbench_limit() { # scenario, script (its first line names the protocol: capture.py --mode)
	local best=0 tps clients mode
	mode=$(head -1 "$2" | sed -n 's/.*pgbench -M \([a-z]*\).*/\1/p')
	for clients in $PGBENCH_CLIENTS; do
		tps=$("$PGBENCH" -n -M "${mode:-simple}" -c "$clients" -j 2 -T "$DURATION" -f "$2" "$DB_URL" 2>"$OUT/pgbench.err" |
			awk '/^tps = / {print $3}')
		[ -n "$tps" ] || { log "pgbench failed on $2:"; cat "$OUT/pgbench.err" >&2; tps=0; }
		log "  pgbench $1: $clients clients, $tps tps"
		best=$(awk -v a="$best" -v b="$tps" 'BEGIN {print (b > a) ? b : a}')
	done
	record "{\"scenario\":\"$1\",\"rps\":$best,\"clients\":\"$PGBENCH_CLIENTS\",\"protocol\":\"${mode:-simple}\",\"script\":\"$2\"}"
}

# --- the run ---------------------------------------------------------------------------------
log "timing bcrypt at cost $COST"
"$DRIVER" bcrypt-time --cost "$COST" |
	sed "s/^{/{\"scenario\":\"login ceiling: cores ÷ bcrypt time\",/; s/\"limit_per_s\"/\"rps\"/" >>"$RESULTS"

start_server codiit_bench
buyer_token=$(curl -fsS -H 'Content-Type: application/json' \
	-d '{"email":"buyer4999@bench.codiit","password":"BenchPass1!"}' "$BASE/api/auth/login" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')

declare -A LIST=(
	["product list: default sort"]="/api/products?page=1&pageSize=16"
	["product list: category"]="/api/products?page=1&pageSize=16&categoryName=outer"
	["product list: search"]="/api/products?page=1&pageSize=16&search=linen"
	["product list: price band"]="/api/products?page=1&pageSize=16&priceMin=20000&priceMax=50000"
)
LIST_ORDER=("product list: default sort" "product list: category" "product list: search" "product list: price band")
if wanted lists; then
i=0
for name in "${LIST_ORDER[@]}"; do
	i=$((i + 1))
	capture "list$i" "$BASE${LIST[$name]}" -- --mode prepared
	pgbench_limit "pgbench: $name" "$OUT/list$i.pgbench.sql"
done
capture detail "$BASE/api/products/bench-product-777" -- --mode prepared --var product bench-product-777 'random(1, 20000)'
pgbench_limit "pgbench: product detail" "$OUT/detail.pgbench.sql"

LIST_TARGETS='"targets":{"share_min":0.7,"p99_ms_max":25,"errors_max":0,"rss_mb_max":60}'
for name in "${LIST_ORDER[@]}"; do
	scenario_wrk "$name" 64 "${LIST[$name]}" "\"compare\":\"pgbench: $name\",$LIST_TARGETS"
done
scenario_wrk "product detail" 64 "/api/products/bench-product-{id}" \
	"\"compare\":\"pgbench: product detail\",$LIST_TARGETS"
fi
if wanted login; then
scenario_wrk "login" 16 login \
	"\"compare\":\"login ceiling: cores ÷ bcrypt time\",\"targets\":{\"share_min\":0.95,\"errors_max\":0,\"rss_mb_max\":60}"

log "product list during a login flood (64 + 16 connections)"
rss_watch
wrk_run "login during the flood" 16 login &
flood=$!
wrk_run "product list during a login flood" 64 "${LIST["product list: default sort"]}"
wait "$flood"
wrk_collect
rss_done "product list during a login flood" '"targets":{"p99_ms_max":50,"errors_max":0,"rss_mb_max":60}'
fi

# The write scenarios come last, each group on a settled database: no autovacuum or
# checkpoint left over from the previous group runs during a measurement.
if wanted orders; then
settle
# Order capture: an in-stock size of a product outside the accessories category (sizes 1-5);
# pgbench then picks such products at random (category = (n - 1) % 7, accessories last).
order_pair=$(grep -m1 -E '^bench-product-[0-9]+\|[1-5]$' "$OUT/pairs.txt")
order_product=${order_pair%|*}
order_size=${order_pair#*|}
capture order -X POST -H "Authorization: Bearer $buyer_token" -H 'Content-Type: application/json' \
	-H "Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4())')" \
	-d "{\"name\":\"Bench Buyer\",\"phone\":\"010-1234-5678\",\"address\":\"Seoul, Bench-ro 1\",\"usePoint\":0,\"orderItems\":[{\"productId\":\"$order_product\",\"sizeId\":$order_size,\"quantity\":1}]}" \
	"$BASE/api/orders" -- --mode prepared \
	--var buyer bench-buyer-4999 ':client_id + 1' \
	--var product "$order_product" '7 * random(0, 2856) + random(1, 6)' # not accessories (FREE only)
pgbench_limit "pgbench: order placement" "$OUT/order.pgbench.sql"
settle
scenario_driver "cart PATCH" '"targets":{"errors_max":0,"rss_mb_max":60}' \
	cart --connections 32 --seconds "$DURATION" --pairs "$OUT/pairs.txt"
scenario_driver "orders: uncontended" \
	'"compare":"pgbench: order placement","targets":{"share_min":0.6,"errors_max":0,"rss_mb_max":60}' \
	orders --connections 32 --seconds "$DURATION" --pairs "$OUT/pairs.txt"

# One hot size that sells out mid-run: exactly the stock is sold, and every later order is the
# contract's 400. Its stock is a third of what the uncontended run placed (rounded to hundreds),
# so it sells out on slower machines too: one size serialises its orders.
HOT_STOCK=$(python3 -c 'import json, sys
rps = next(r["rps"] for r in map(json.loads, open(sys.argv[1])) if r.get("scenario") == "orders: uncontended" and "rps" in r)
print(max(100, round(rps * float(sys.argv[2]) / 3 / 100) * 100))' "$RESULTS" "$DURATION")
psql "$DB_URL" -qX -c "UPDATE stocks SET quantity = $HOT_STOCK WHERE product_id = 'bench-product-1' AND size_id = 3"
sales_before=$(psql "$DB_URL" -qAtX -c "SELECT sales FROM products WHERE id = 'bench-product-1'")
scenario_driver "orders: one hot size" '"targets":{"errors_max":0,"rss_mb_max":60,"stock_consistent":true,"sold_out":true}' \
	orders --connections 32 --seconds "$DURATION" --hot bench-product-1:3
read -r left sold < <(psql "$DB_URL" -qAtX -F ' ' -c "SELECT s.quantity, p.sales - $sales_before FROM stocks s JOIN products p ON p.id = s.product_id WHERE s.product_id = 'bench-product-1' AND s.size_id = 3")
placed=$(python3 -c 'import json, sys
print(next(r["orders_placed"] for r in map(json.loads, open(sys.argv[1])) if "orders_placed" in r and r["scenario"] == "orders: one hot size"))' "$RESULTS")
consistent=false
[ "$((HOT_STOCK - left))" = "$placed" ] && [ "$sold" = "$placed" ] && consistent=true
sold_out=false
[ "$left" = 0 ] && sold_out=true
record "{\"scenario\":\"orders: one hot size\",\"stock_consistent\":$consistent,\"sold_out\":$sold_out,\"stock\":$HOT_STOCK,\"left\":$left,\"sold\":$sold}"
log "  hot size: stock $HOT_STOCK, $placed orders placed, $left left, sales +$sold"
fi

if wanted sse; then

scenario_driver "SSE: delivery with 1,000 streams" '"targets":{"p99_ms_max":50,"errors_max":0,"rss_mb_max":60}' \
	sse-latency --streams 1000 --events 1000
scenario_driver "SSE: 10,000 idle streams" '"targets":{"errors_max":0,"rss_mb_max":300}' \
	sse-idle --streams 10000 --hold 5 --server-pid "$api_pid"
fi

echo
"$DRIVER" report --input "$RESULTS" --json "$OUT/bench.json"
echo
log "JSON: $OUT/bench.json (raw records: $RESULTS, pgbench scripts: $OUT/*.pgbench.sql)"
