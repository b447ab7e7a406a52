#!/usr/bin/env bash
# deploy/local-s3.sh - a private, loopback-only S3-compatible server (moto) for CodiIt's tests.
#
# Usage:
#   deploy/local-s3.sh start   ensure the server runs and answers; print its endpoint URL on stdout
#   deploy/local-s3.sh url     print the endpoint URL only (no side effects)
#   deploy/local-s3.sh stop    stop the server; no error if it is not running
#   deploy/local-s3.sh status  exit 0 if the server runs and answers, 3 if not
#
# stdout carries only the URL (start/url), e.g. http://127.0.0.1:25440; everything else goes to
# stderr, so `CODIIT_TEST_S3_ENDPOINT=$(deploy/local-s3.sh start)` works.
#
# The server is moto (PyPI, pinned below) in the venv <repo>/.local/venv, which the OpenAPI client
# check (tests/openapi-client/check.sh) shares: the venv is created only when missing or broken.
# It binds 127.0.0.1 only, keeps its data in memory (a restart empties it), accepts any
# credentials (use access key "test", secret "test", region "us-east-1") and serves path-style
# requests: http://127.0.0.1:25440/{bucket}/{key}.
#
# Files: <repo>/.local/s3/moto.pid (pid), moto.log (server log), moto.lock (flock).
#
# Environment:
#   CODIIT_S3_PORT     TCP port (default 25440)
#   CODIIT_S3_TIMEOUT  seconds to wait for the server to answer / to stop (default 30)
#   PYTHON             interpreter used to create the venv (default python3; needs >= 3.10)
# Single-quoted 'sh -c' bodies below are expanded by the inner shell on purpose.
# shellcheck disable=SC2016
set -euo pipefail
unset CDPATH
umask 022

readonly MOTO_VERSION=5.2.5 # latest 5.x on PyPI when pinned; needs Python >= 3.10

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO
readonly VENV=$REPO/.local/venv
readonly STATE_DIR=$REPO/.local/s3
readonly PIDFILE=$STATE_DIR/moto.pid
readonly LOGFILE=$STATE_DIR/moto.log
readonly LOCKFILE=$STATE_DIR/moto.lock
PYTHON=${PYTHON:-python3}

log() { printf 'local-s3: %s\n' "$*" >&2; }
die() {
	printf 'local-s3: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	[[ $# -eq 0 ]] || printf 'local-s3: %s\n' "$*" >&2
	cat >&2 <<'EOF'
usage: deploy/local-s3.sh start|url|stop|status
  start   ensure the loopback S3 server (moto) runs, print its endpoint URL on stdout
  url     print the endpoint URL only
  stop    stop the server if it is running
  status  exit 0 if the server runs and answers, 3 if not
env: CODIIT_S3_PORT (default 25440), CODIIT_S3_TIMEOUT (default 30), PYTHON (default python3)
EOF
	exit 2
}

# ---------------------------------------------------------------------------------------------
# Arguments and configuration
# ---------------------------------------------------------------------------------------------
[[ $# -eq 1 ]] || usage
CMD=$1
case $CMD in
start | url | stop | status) ;;
-h | --help | help) usage ;;
*) usage "unknown command: $CMD" ;;
esac

PORT=${CODIIT_S3_PORT:-25440}
if [[ ! $PORT =~ ^[0-9]{1,5}$ ]] || ((10#$PORT < 1 || 10#$PORT > 65535)); then
	die "CODIIT_S3_PORT must be a TCP port number between 1 and 65535 (got '$PORT')"
fi
PORT=$((10#$PORT))
TIMEOUT=${CODIIT_S3_TIMEOUT:-30}
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -gt 0 ]] || die "CODIIT_S3_TIMEOUT must be a positive number of seconds (got '$TIMEOUT')"
TIMEOUT=$((10#$TIMEOUT))
readonly CMD PORT TIMEOUT PYTHON

readonly URL="http://127.0.0.1:${PORT}"

if [[ $CMD == url ]]; then
	printf '%s\n' "$URL"
	exit 0
fi

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

# close_fds : close every descriptor above 2 (call in a subshell right before exec), so that the
# daemonised server never inherits our flock or a caller's pipe (which would make
# `$(local-s3.sh start)` or a CI step hang until the server exits, or keep the lock held).
close_fds() {
	local f fd
	for f in /proc/self/fd/* /dev/fd/*; do
		fd=${f##*/}
		if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
			exec {fd}>&- || true
		fi
	done
}

# with_timeout SECONDS CMD ARGS... : run CMD, bounded when coreutils' timeout exists.
with_timeout() {
	local secs=$1
	shift
	if command -v timeout >/dev/null 2>&1; then
		timeout "$secs" "$@"
	else
		"$@"
	fi
}

# port_in_use : does anything accept TCP connections on 127.0.0.1:$PORT?
port_in_use() {
	with_timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' bash "$PORT" 2>/dev/null
}

# answers : does an S3 server answer ListBuckets (GET /, unsigned; moto accepts it) on $URL?
answers() {
	local body
	if command -v curl >/dev/null 2>&1; then
		body=$(curl -s --fail --max-time 3 "$URL/" 2>/dev/null) || return 1
	elif [[ -x $VENV/bin/python ]]; then
		body=$(with_timeout 5 "$VENV/bin/python" - "$URL/" <<'EOF' 2>/dev/null
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode("utf-8", "replace"))
EOF
		) || return 1
	else
		return 1
	fi
	[[ $body == *ListAllMyBucketsResult* ]]
}

pid_alive() {
	# A zombie (exited but not yet reaped) counts as dead.
	local state
	[[ -n ${1:-} ]] || return 1
	kill -0 "$1" 2>/dev/null || return 1
	state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 0
	[[ $state != Z ]]
}

# server_pid : print the pid from the pid file if it is a live moto server, else fail.
server_pid() {
	local pid
	[[ -f $PIDFILE ]] || return 1
	pid=$(head -n 1 -- "$PIDFILE" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	pid_alive "$pid" || return 1
	# Guard against a reused pid: the process must be a moto server.
	if [[ -r /proc/$pid/cmdline ]]; then
		server_args "$pid" | grep -q 'moto' || return 1
	fi
	printf '%s\n' "$pid"
}

# server_args PID : the command line of PID, arguments separated by single spaces.
server_args() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
}

# server_port PID : the port the moto server PID was started with (from its command line).
server_port() {
	local args re=' -p ([0-9]+)'
	args=$(server_args "$1") || return 1
	[[ $args =~ $re ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

show_log_tail() {
	if [[ -f $LOGFILE ]]; then
		log "last lines of $LOGFILE:"
		tail -n 25 -- "$LOGFILE" | sed 's/^/    | /' >&2 || true
	else
		log "(no server log at $LOGFILE)"
	fi
}

lock_state() {
	mkdir -p -- "$STATE_DIR" || die "cannot create $STATE_DIR"
	exec 9>>"$LOCKFILE" || die "cannot open lock file $LOCKFILE"
	if ! flock -n 9; then
		log "waiting for another local-s3.sh invocation (lock: $LOCKFILE)"
		flock -w $((TIMEOUT * 3 + 300)) 9 || die "timed out waiting for the lock $LOCKFILE"
	fi
}

# ---------------------------------------------------------------------------------------------
# The venv and moto
# ---------------------------------------------------------------------------------------------
venv_usable() {
	[[ -x $VENV/bin/python ]] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

moto_installed() {
	[[ -x $VENV/bin/moto_server ]] || return 1
	"$VENV/bin/python" - "$MOTO_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
# moto itself at the pinned version, plus what its [server] extra brings for the HTTP server.
ok = version("moto") == sys.argv[1]
version("flask")
version("flask-cors")
sys.exit(0 if ok else 1)
EOF
}

ensure_moto() {
	if ! venv_usable; then
		command -v "$PYTHON" >/dev/null 2>&1 ||
			die "$PYTHON not found; install Python >= 3.10 (Debian: apt-get install python3 python3-venv)"
		"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
			die "moto $MOTO_VERSION needs Python >= 3.10, but $PYTHON is $("$PYTHON" -V 2>&1)"
		"$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
			die "$PYTHON lacks venv support (the venv/ensurepip modules are missing); on Debian/Ubuntu install it with: apt-get install python3-venv"
		log "creating Python venv in $VENV"
		mkdir -p -- "$(dirname -- "$VENV")"
		# --clear: a venv that exists but is unusable (e.g. its interpreter moved) is rebuilt.
		(close_fds && exec "$PYTHON" -m venv --clear "$VENV") >&2 ||
			die "could not create a venv with $PYTHON (Debian/Ubuntu: apt-get install python3-venv)"
	fi
	if ! moto_installed; then
		log "installing moto[server]==$MOTO_VERSION into $VENV"
		(close_fds && exec "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
			"moto[server]==$MOTO_VERSION") >&2 ||
			die "pip could not install moto[server]==$MOTO_VERSION"
		moto_installed || die "moto[server]==$MOTO_VERSION is still not usable in $VENV after pip install"
	fi
}

# ---------------------------------------------------------------------------------------------
# Starting and stopping
# ---------------------------------------------------------------------------------------------

# stop_pid PID : SIGTERM, then SIGKILL after $TIMEOUT seconds.
stop_pid() {
	local pid=$1 deadline=$((SECONDS + TIMEOUT))
	kill -TERM "$pid" 2>/dev/null || true
	while pid_alive "$pid"; do
		if ((SECONDS >= deadline)); then
			log "moto (pid $pid) did not exit within ${TIMEOUT}s of SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
			pid_alive "$pid" && die "could not stop moto (pid $pid)"
			break
		fi
		sleep 0.1
	done
	rm -f -- "$PIDFILE"
}

start_server() {
	local pid='' deadline
	# Never rotate a log the server may still hold; only reached when it is not running.
	if [[ -f $LOGFILE ]] && (($(stat -c %s -- "$LOGFILE") > 16 * 1024 * 1024)); then
		mv -f -- "$LOGFILE" "$LOGFILE.1"
	fi
	rm -f -- "$PIDFILE"
	printf '\n==== %s: starting moto %s on 127.0.0.1:%s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$MOTO_VERSION" "$PORT" >>"$LOGFILE"

	log "starting moto $MOTO_VERSION on $URL (log: $LOGFILE)"
	# The child writes its own pid (after setsid, which may fork) and then becomes the server;
	# stdin/stdout/stderr are detached from the caller and every other fd is closed.
	local -a detach=()
	command -v setsid >/dev/null 2>&1 && detach=(setsid)
	(
		cd / && close_fds &&
			exec "${detach[@]}" sh -c 'echo "$$" >"$1" && shift && exec "$@"' sh "$PIDFILE" \
				"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT"
	) </dev/null >>"$LOGFILE" 2>&1 &

	deadline=$((SECONDS + TIMEOUT))
	until answers; do
		[[ -n $pid ]] || pid=$(head -n 1 -- "$PIDFILE" 2>/dev/null) || pid=''
		if [[ -n $pid ]] && ! pid_alive "$pid"; then
			show_log_tail
			if grep -qiE 'address already in use' "$LOGFILE" 2>/dev/null; then
				die "moto exited: port $PORT on 127.0.0.1 is taken; choose another with CODIIT_S3_PORT=<port>"
			fi
			die "moto exited while starting; see $LOGFILE"
		fi
		if ((SECONDS >= deadline)); then
			show_log_tail
			[[ -n $pid ]] && stop_pid "$pid"
			die "moto did not answer on $URL within ${TIMEOUT}s (raise CODIIT_S3_TIMEOUT if the machine is just slow); see $LOGFILE"
		fi
		sleep 0.2
	done
	server_pid >/dev/null || die "something answers on $URL, but it is not the moto server this script started (pid file $PIDFILE)"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
cmd_start() {
	local pid other
	command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"
	lock_state

	if pid=$(server_pid); then
		other=$(server_port "$pid") || other=
		if [[ -n $other && $other != "$PORT" ]]; then
			die "moto is already running on port $other (pid $pid), but port $PORT was requested (CODIIT_S3_PORT); stop it first with: CODIIT_S3_PORT=$other deploy/local-s3.sh stop"
		fi
		if answers; then
			log "moto is already running (pid $pid) on $URL"
			printf '%s\n' "$URL"
			return 0
		fi
		log "moto (pid $pid) runs but does not answer on $URL; restarting it"
		stop_pid "$pid"
	fi
	if port_in_use; then
		die "port $PORT on 127.0.0.1 is already in use by another program; stop it or choose another port with CODIIT_S3_PORT=<port> (e.g. CODIIT_S3_PORT=$((PORT + 100)) deploy/local-s3.sh start)"
	fi
	ensure_moto
	start_server
	log "ready: $URL (pid $(server_pid))"
	printf '%s\n' "$URL"
}

cmd_stop() {
	local pid
	if [[ ! -d $STATE_DIR ]]; then
		log "moto is not running (no $STATE_DIR)"
		return 0
	fi
	command -v flock >/dev/null 2>&1 && lock_state
	if ! pid=$(server_pid); then
		rm -f -- "$PIDFILE"
		log "moto is not running"
		return 0
	fi
	log "stopping moto (pid $pid)"
	stop_pid "$pid"
	log "stopped"
}

cmd_status() {
	local pid
	if pid=$(server_pid) && [[ $(server_port "$pid" || true) == "$PORT" ]] && answers; then
		log "moto is running (pid $pid) on $URL"
		return 0
	fi
	log "moto is not running on $URL"
	return 3
}

case $CMD in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
esac
