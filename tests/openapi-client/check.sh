#!/usr/bin/env bash
# Proves that a client can be generated from CodiIt's OpenAPI document.
#
# Usage: tests/openapi-client/check.sh SPEC_JSON      (from any directory)
#
#   1. Validates SPEC_JSON with openapi-spec-validator (PyPI), installed into
#      the venv $REPO/.local/venv (created and reused automatically).
#   2. If Node.js/npm are available: installs this directory's pinned npm
#      devDependencies (npm ci, only when needed), generates TypeScript types
#      with openapi-typescript into $REPO/.local/openapi-client/schema.d.ts and
#      type-checks usage.ts against them with `tsc --noEmit --strict`.
#      Without Node.js, step 2 is skipped with a NOTICE on stderr.
#
# Prints "openapi client: OK (N paths)" on success; exits non-zero on failure.
set -euo pipefail

OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0 # needs Python >= 3.10

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/../.." && pwd -P)
VENV="$REPO/.local/venv"
OUT_DIR="$REPO/.local/openapi-client"
PYTHON=${PYTHON:-python3}

die() {
	echo "openapi client: ERROR: $*" >&2
	exit 1
}

if [ $# -ne 1 ]; then
	echo "usage: $0 SPEC_JSON" >&2
	exit 2
fi
[ -f "$1" ] || die "OpenAPI document not found: $1"
SPEC="$(cd -- "$(dirname -- "$1")" && pwd -P)/$(basename -- "$1")"

# --- 1. Python venv with openapi-spec-validator -----------------------------

command -v "$PYTHON" >/dev/null 2>&1 ||
	die "$PYTHON not found; install Python >= 3.10 (Debian: apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
	die "openapi-spec-validator $OPENAPI_SPEC_VALIDATOR_VERSION needs Python >= 3.10, but $PYTHON is $("$PYTHON" -V 2>&1)"

venv_usable() {
	[ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

validator_installed() {
	"$VENV/bin/python" - "$OPENAPI_SPEC_VALIDATOR_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
sys.exit(0 if version("openapi-spec-validator") == sys.argv[1] else 1)
EOF
}

if ! venv_usable; then
	if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
		die "$PYTHON lacks venv support (the venv/ensurepip modules are missing); on Debian/Ubuntu install it with: apt-get install python3-venv"
	fi
	echo "openapi client: creating Python venv in $VENV" >&2
	mkdir -p "$(dirname -- "$VENV")"
	# --clear: a venv that exists but is unusable (e.g. its interpreter moved)
	# is rebuilt rather than patched.
	"$PYTHON" -m venv --clear "$VENV" ||
		die "could not create a venv with $PYTHON (Debian/Ubuntu: apt-get install python3-venv)"
fi

if ! validator_installed; then
	echo "openapi client: installing openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION into $VENV" >&2
	"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
		"openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION" ||
		die "pip could not install openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION"
fi

# --- 2. Validate the document ----------------------------------------------

"$VENV/bin/openapi-spec-validator" --validation-errors all "$SPEC" ||
	die "$SPEC is not a valid OpenAPI document (see above)"

# Count the paths, and make sure it is OpenAPI 3.x (openapi-typescript 7 does
# not read Swagger 2.0).
N_PATHS=$("$VENV/bin/python" - "$SPEC" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
version = str(doc.get("openapi", ""))
if not version.startswith("3."):
    sys.exit("expected an OpenAPI 3.x document, found %s" % (
        "openapi: " + version if version else "swagger: %s" % doc.get("swagger")))
print(len(doc.get("paths") or {}))
EOF
) || die "$SPEC: unsupported document (see above)"

# --- 3. TypeScript client generation -----------------------------------------

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "NOTICE: Node.js not found; TypeScript client generation skipped" >&2
	echo "openapi client: OK ($N_PATHS paths; spec validated, TypeScript generation skipped)"
	exit 0
fi

node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
process.exit(major > 18 || (major === 18 && minor >= 17) ? 0 : 1);
' || die "Node.js >= 18.17 is needed by openapi-typescript 7, found $(node --version)"

# npm ci only when node_modules is missing or package.json/package-lock.json
# changed since the last install (the stamp lives inside node_modules, so
# deleting node_modules also forces a reinstall).
STAMP="$HERE/node_modules/.codiit-install-stamp"
WANT=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -x "$HERE/node_modules/.bin/openapi-typescript" ] ||
	[ ! -x "$HERE/node_modules/.bin/tsc" ] ||
	[ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
	echo "openapi client: npm ci in $HERE" >&2
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) ||
		die "npm ci failed in $HERE"
	echo "$WANT" >"$STAMP"
fi

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR/schema.d.ts"
"$HERE/node_modules/.bin/openapi-typescript" "$SPEC" -o "$OUT_DIR/schema.d.ts" ||
	die "openapi-typescript could not generate types from $SPEC"

# usage.ts imports ../../.local/openapi-client/schema (the file just written).
"$HERE/node_modules/.bin/tsc" -p "$HERE/tsconfig.json" --noEmit --strict ||
	die "generated client types do not fit tests/openapi-client/usage.ts (see tsc errors above)"

echo "openapi client: OK ($N_PATHS paths)"
