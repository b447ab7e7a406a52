#!/usr/bin/env bash
# deploy/local-pg.sh - a private PostgreSQL server for CodiIt's `make run` / `make test`.
#
# Usage:
#   deploy/local-pg.sh start  [run|test|bench]  ensure the cluster exists and runs; print its URL on stdout
#   deploy/local-pg.sh url    [run|test|bench]  print the URL only (no side effects)
#   deploy/local-pg.sh stop   [run|test|bench]  stop the cluster (fast mode); no error if not running
#   deploy/local-pg.sh status [run|test|bench]  exit 0 if running, 3 if not
#
# PROFILE defaults to `run`.  stdout carries only the URL (start/url); everything else goes to stderr.
#
# Profiles:
#   run   data dir $CODIIT_PG_ROOT/pg-run,  port 25429, max_connections=200
#   test  data dir $CODIIT_PG_ROOT/pg-test, port 25430, max_connections=300,
#         fsync/synchronous_commit/full_page_writes off
#   bench data dir $CODIIT_PG_ROOT/pg-bench, port 25450, max_connections=300, durable like
#         production, 256MB shared buffers, pg_stat_statements (make bench)
#
# Environment:
#   CODIIT_PG_PORT     TCP port (default 25429 for run, 25430 for test)
#   CODIIT_PG_ROOT     directory holding the data dirs (default <repo>/.local)
#   PG_BIN             directory containing initdb, pg_ctl, postgres (default: autodetect)
#   CODIIT_PG_TIMEOUT  seconds to wait for the server to start/stop (default 60)
#
# When run as root, the server runs as the unprivileged system user `codiit-pg` (created on
# demand), because PostgreSQL refuses to run as root.  If PostgreSQL is not installed and we are
# root, it is installed with apt-get.
# Single-quoted 'sh -c' bodies below are expanded by the inner shell on purpose.
# shellcheck disable=SC2016
set -euo pipefail
unset CDPATH
umask 022

readonly DB_USER=codiit
readonly DB_PASSWORD=codiit
readonly DB_NAME=codiit
readonly SYS_USER=codiit-pg

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO

log() { printf 'local-pg: %s\n' "$*" >&2; }
die() {
	printf 'local-pg: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	[[ $# -eq 0 ]] || printf 'local-pg: %s\n' "$*" >&2
	cat >&2 <<'EOF'
usage: deploy/local-pg.sh start|url|stop|status [run|test|bench]
  start   ensure the cluster is initialised and running, print its URL on stdout
  url     print the URL only
  stop    stop the cluster (fast mode) if it is running
  status  exit 0 if the cluster is running, 3 if not
env: CODIIT_PG_PORT, CODIIT_PG_ROOT, PG_BIN, CODIIT_PG_TIMEOUT
EOF
	exit 2
}

# ---------------------------------------------------------------------------------------------
# Arguments and configuration
# ---------------------------------------------------------------------------------------------
[[ $# -ge 1 && $# -le 2 ]] || usage
CMD=$1
PROFILE=${2:-run}
case $CMD in
start | url | stop | status) ;;
-h | --help | help) usage ;;
*) usage "unknown command: $CMD" ;;
esac
case $PROFILE in
run)
	DEFAULT_PORT=25429
	MAX_CONNECTIONS=200
	;;
test)
	DEFAULT_PORT=25430
	MAX_CONNECTIONS=300
	;;
bench)
	DEFAULT_PORT=25450
	MAX_CONNECTIONS=300
	;;
*) usage "unknown profile: $PROFILE (expected run, test or bench)" ;;
esac

PORT=${CODIIT_PG_PORT:-$DEFAULT_PORT}
if [[ ! $PORT =~ ^[0-9]{1,5}$ ]] || ((10#$PORT < 1 || 10#$PORT > 65535)); then
	die "CODIIT_PG_PORT must be a TCP port number between 1 and 65535 (got '$PORT')"
fi
PORT=$((10#$PORT))
TIMEOUT=${CODIIT_PG_TIMEOUT:-60}
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -gt 0 ]] || die "CODIIT_PG_TIMEOUT must be a positive number of seconds (got '$TIMEOUT')"
readonly CMD PROFILE PORT TIMEOUT MAX_CONNECTIONS

URL="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PORT}/${DB_NAME}"
readonly URL

if [[ $CMD == url ]]; then
	printf '%s\n' "$URL"
	exit 0
fi

IS_ROOT=false
[[ $(id -u) -eq 0 ]] && IS_ROOT=true
readonly IS_ROOT

hash_str() {
	if command -v sha256sum >/dev/null 2>&1; then
		printf '%s' "$1" | sha256sum | cut -c1-12
	else
		printf '%s' "$1" | cksum | cut -d' ' -f1
	fi
}

BASE_ROOT=${CODIIT_PG_ROOT:-$REPO/.local}
[[ $BASE_ROOT == /* ]] || BASE_ROOT=$PWD/$BASE_ROOT
BASE_ROOT=${BASE_ROOT%/}
FALLBACK_ROOT=/var/tmp/codiit-pg-$(hash_str "$REPO")
readonly BASE_ROOT FALLBACK_ROOT

# Set by set_paths once the data root is known.
ROOT=
PGDATA=
LOGFILE=
SOCK_DIR=
RUN_USER= # empty: the current user

set_paths() {
	ROOT=$1
	PGDATA=$ROOT/pg-$PROFILE
	LOGFILE=$PGDATA/server.log
	SOCK_DIR=$PGDATA/socket
	# sun_path holds 107 bytes + NUL; deep checkouts can exceed that.
	local sock_file="$SOCK_DIR/.s.PGSQL.$PORT"
	if ((${#sock_file} > 107)); then
		SOCK_DIR=/tmp/codiit-pg-$(hash_str "$PGDATA")
	fi
}

# ---------------------------------------------------------------------------------------------
# Running things as the PostgreSQL user
# ---------------------------------------------------------------------------------------------

# close_fds : close every descriptor above 2 (call in a subshell right before exec), so that a
# daemonised postmaster never inherits our flock or a caller's pipe (which would make
# `$(local-pg.sh start)` or a CI step hang or keep a lock held).
close_fds() {
	local f fd
	for f in /proc/self/fd/* /dev/fd/*; do
		fd=${f##*/}
		if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
			exec {fd}>&- || true
		fi
	done
}

# run_as CMD ARGS... : run CMD as $RUN_USER (or the current user), with cwd / and fds > 2 closed.
run_as() {
	if [[ -z $RUN_USER ]]; then
		(cd / && close_fds && exec "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && close_fds && exec runuser -u "$RUN_USER" -- "$@")
	elif command -v setpriv >/dev/null 2>&1; then
		local gid
		gid=$(id -g "$RUN_USER")
		(cd / && close_fds && exec setpriv --reuid="$RUN_USER" --regid="$gid" --init-groups -- "$@")
	else
		(cd / && close_fds && exec su -s /bin/sh -c 'exec "$0" "$@"' "$RUN_USER" -- "$@")
	fi
}

# write_file PATH : write stdin to PATH as $RUN_USER
write_file() {
	run_as sh -c 'cat > "$1.tmp" && mv -f "$1.tmp" "$1"' sh "$1"
}

ensure_sys_user() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		id -u "$SYS_USER" >/dev/null 2>&1 && return 0
		if [[ $i -eq 1 ]]; then
			log "creating unprivileged system user '$SYS_USER' to run PostgreSQL (it refuses to run as root)"
		fi
		if command -v useradd >/dev/null 2>&1; then
			# May fail when a concurrent invocation creates the user at the same time: re-check.
			useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
				--user-group --comment 'CodiIt local PostgreSQL' "$SYS_USER" >&2 2>/dev/null && return 0
		elif command -v adduser >/dev/null 2>&1; then
			adduser --system --no-create-home --home /nonexistent --group "$SYS_USER" >&2 2>/dev/null && return 0
		else
			die "cannot create system user '$SYS_USER': neither useradd nor adduser is available"
		fi
		sleep 0.5
	done
	id -u "$SYS_USER" >/dev/null 2>&1 || die "could not create system user '$SYS_USER'"
}

# can_enter USER DIR : can USER traverse DIR (and therefore all its ancestors)?
can_enter() {
	local RUN_USER=$1
	run_as sh -c 'cd "$1"' sh "$2" >/dev/null 2>&1
}

# prepare_root DIR : (root only) create DIR for $SYS_USER; fail if $SYS_USER cannot reach it.
prepare_root() {
	local dir=$1 anc=$1
	while [[ ! -d $anc ]]; do anc=$(dirname -- "$anc"); done
	can_enter "$SYS_USER" "$anc" || return 1
	if [[ ! -d $dir ]]; then
		mkdir -p -- "$dir"
		chmod 755 -- "$dir"
		chown "$SYS_USER:" -- "$dir"
	elif [[ $dir == "$REPO/.local" || $dir == "$FALLBACK_ROOT" ]] && [[ $(stat -c %U -- "$dir") != "$SYS_USER" ]]; then
		chown "$SYS_USER:" -- "$dir"
	fi
	can_enter "$SYS_USER" "$dir"
}

# resolve_root create|lookup : pick the data root and set the paths.
resolve_root() {
	if ! $IS_ROOT; then
		set_paths "$BASE_ROOT"
		[[ $1 == create ]] && { mkdir -p -- "$ROOT" || die "cannot create $ROOT"; }
		return 0
	fi
	if [[ -d $BASE_ROOT/pg-$PROFILE ]]; then
		set_paths "$BASE_ROOT"
	elif [[ -d $FALLBACK_ROOT/pg-$PROFILE ]]; then
		set_paths "$FALLBACK_ROOT"
	elif [[ $1 != create ]]; then
		set_paths "$BASE_ROOT"
	elif prepare_root "$BASE_ROOT"; then
		set_paths "$BASE_ROOT"
	else
		log "user '$SYS_USER' cannot traverse $BASE_ROOT (or one of its parent directories);"
		log "using $FALLBACK_ROOT for the data directories instead"
		prepare_root "$FALLBACK_ROOT" || die "cannot prepare $FALLBACK_ROOT for user '$SYS_USER'"
		set_paths "$FALLBACK_ROOT"
	fi
}

# pick_run_user : decide who owns/runs the cluster.
pick_run_user() {
	local owner
	if ! $IS_ROOT; then
		RUN_USER=
		if [[ -e $PGDATA ]]; then
			owner=$(stat -c %u -- "$PGDATA")
			[[ $owner == "$(id -u)" ]] || die "$PGDATA is owned by $(stat -c %U -- "$PGDATA"), not by you ($(id -un)); run this script as that user (or as root)"
		fi
		return 0
	fi
	RUN_USER=$SYS_USER
	if [[ -e $PGDATA ]]; then
		owner=$(stat -c %U -- "$PGDATA")
		[[ $owner != root ]] || die "$PGDATA is owned by root, but PostgreSQL cannot run as root; fix with: chown -R $SYS_USER: '$PGDATA'"
		RUN_USER=$owner
	fi
}

# ---------------------------------------------------------------------------------------------
# Binaries
# ---------------------------------------------------------------------------------------------
BIN=

find_pg_bin() {
	local d cand
	if [[ -n ${PG_BIN:-} ]]; then
		[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/postgres ]] ||
			die "PG_BIN=$PG_BIN does not contain initdb, pg_ctl and postgres"
		BIN=$PG_BIN
		return 0
	fi
	if command -v pg_config >/dev/null 2>&1 && d=$(pg_config --bindir 2>/dev/null) && [[ -x $d/initdb ]]; then
		BIN=$d
		return 0
	fi
	cand=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)
	if [[ -n $cand ]]; then
		BIN=${cand%/initdb}
		return 0
	fi
	if d=$(command -v initdb 2>/dev/null); then
		BIN=$(dirname -- "$(readlink -f -- "$d")")
		return 0
	fi
	return 1
}

install_pg() {
	$IS_ROOT || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: looked at \$PG_BIN, 'pg_config --bindir', /usr/lib/postgresql/*/bin and PATH. Install PostgreSQL (e.g. 'sudo apt-get install postgresql') or point PG_BIN at its bin directory."
	command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries not found and apt-get is not available; install PostgreSQL or set PG_BIN"
	local lockdir=/run/lock
	[[ -d $lockdir ]] || lockdir=/tmp
	exec 8>"$lockdir/codiit-pg-install.lock"
	flock -w 1800 8 || die "timed out waiting for another invocation that is installing PostgreSQL"
	if ! find_pg_bin; then
		log "PostgreSQL server binaries not found; installing the Debian 'postgresql' package"
		log "running: apt-get update"
		(close_fds && exec env DEBIAN_FRONTEND=noninteractive apt-get update) >&2 || die "apt-get update failed"
		log "running: apt-get install -y --no-install-recommends postgresql"
		(close_fds && exec env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql) >&2 ||
			die "apt-get install postgresql failed"
		find_pg_bin || die "PostgreSQL was installed but initdb still cannot be found; set PG_BIN"
		log "installed PostgreSQL (binaries in $BIN); any system cluster it started on port 5432 is not used"
	fi
	exec 8>&-
}

tool() { # tool NAME : path of a client tool, preferring $BIN
	if [[ -n $BIN && -x $BIN/$1 ]]; then
		printf '%s\n' "$BIN/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	else
		die "'$1' not found (looked in $BIN and PATH)"
	fi
}

bin_major() {
	local v
	v=$("$BIN/postgres" --version 2>/dev/null) || die "cannot run $BIN/postgres --version"
	[[ $v =~ ([0-9]+)\.?[0-9]* ]] || die "cannot parse PostgreSQL version from '$v'"
	printf '%s\n' "${BASH_REMATCH[1]}"
}

check_version() {
	local data_major have
	data_major=$(<"$PGDATA/PG_VERSION")
	have=$(bin_major)
	[[ $data_major == "$have" ]] && return 0
	if [[ -z ${PG_BIN:-} && -x /usr/lib/postgresql/$data_major/bin/postgres ]]; then
		BIN=/usr/lib/postgresql/$data_major/bin
		log "using PostgreSQL $data_major binaries from $BIN to match $PGDATA"
		return 0
	fi
	die "$PGDATA was created by PostgreSQL $data_major but $BIN is PostgreSQL $have; set PG_BIN to a PostgreSQL $data_major bin directory, or stop and delete $PGDATA to start afresh"
}

# ---------------------------------------------------------------------------------------------
# Server state
# ---------------------------------------------------------------------------------------------
PIDFILE_PID=
PIDFILE_PORT=

read_pidfile() {
	PIDFILE_PID=
	PIDFILE_PORT=
	local f=$PGDATA/postmaster.pid
	[[ -f $f ]] || return 1
	{
		IFS= read -r PIDFILE_PID || true
		IFS= read -r _ || true
		IFS= read -r _ || true
		IFS= read -r PIDFILE_PORT || true
	} <"$f"
	[[ $PIDFILE_PID =~ ^[0-9]+$ ]]
}

# pid_alive PID : the process exists and is not a zombie.  (A kill -9'd postmaster whose parent
# is slow to reap it still answers kill -0, which would fool pg_ctl and postgres' own checks.)
pid_exists() { kill -0 "$1" 2>/dev/null || [[ -d /proc/$1 ]]; } # kill -0 says EPERM for other users

pid_alive() {
	local stat
	pid_exists "$1" || return 1
	if stat=$(cat "/proc/$1/stat" 2>/dev/null); then
		stat=${stat##*) }
		[[ ${stat:0:1} != [ZX] ]] || return 1
	fi
	return 0
}

# is_running : the postmaster named in postmaster.pid is alive and really serves $PGDATA.
is_running() {
	read_pidfile || return 1
	pid_alive "$PIDFILE_PID" || return 1
	local cwd real
	# The postmaster chdirs into its data directory; a live pid with another cwd is a reused pid.
	if cwd=$(readlink -- "/proc/$PIDFILE_PID/cwd" 2>/dev/null) && real=$(cd -- "$PGDATA" && pwd -P); then
		[[ $cwd == "$real" ]] || return 1
	fi
	return 0
}

# procs_in_pgdata : pids of live processes whose cwd is $PGDATA (a postmaster and all its
# children chdir there), i.e. leftovers of a previous server.
procs_in_pgdata() {
	local real d cwd
	local -a pids=()
	real=$(cd -- "$PGDATA" && pwd -P)
	for d in /proc/[0-9]*; do
		cwd=$(readlink -- "$d/cwd" 2>/dev/null) || continue
		if [[ $cwd == "$real" ]] && pid_alive "${d#/proc/}"; then
			pids+=("${d#/proc/}")
		fi
	done
	printf '%s' "${pids[*]}"
}

# clear_stale_lockfiles : called with the lock held when no live postmaster serves $PGDATA.
clear_stale_lockfiles() {
	local left deadline=$((SECONDS + 15))
	read_pidfile || return 0
	if ! pid_exists "$PIDFILE_PID"; then
		# PostgreSQL itself handles this case (and checks its old shared memory is unused).
		log "found a stale postmaster.pid (pid $PIDFILE_PID is gone, e.g. after a crash or reboot)"
		return 0
	fi
	# The pid exists but is an unreaped zombie (e.g. kill -9'd postmaster) or an unrelated process
	# that reused the pid; postgres would refuse to start ("lock file already exists"), so remove
	# the lock files ourselves -- but only once no leftover server process uses the data dir.
	while left=$(procs_in_pgdata) && [[ -n $left ]]; do
		((SECONDS < deadline)) ||
			die "processes of a previous server are still running in $PGDATA (pids: $left); stop them (kill $left) and retry"
		sleep 0.5
	done
	log "removing stale postmaster.pid (pid $PIDFILE_PID is not a running postmaster for this cluster)"
	rm -f -- "$PGDATA/postmaster.pid" "$SOCK_DIR/.s.PGSQL.$PORT.lock"
}

show_log_tail() {
	if [[ -f $LOGFILE ]]; then
		log "last lines of $LOGFILE:"
		tail -n 25 -- "$LOGFILE" | sed 's/^/    | /' >&2 || true
	else
		log "(no server log at $LOGFILE)"
	fi
}

port_in_use() {
	if command -v timeout >/dev/null 2>&1; then
		timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' bash "$PORT" 2>/dev/null
	else
		bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' bash "$PORT" 2>/dev/null
	fi
}

die_port_taken() {
	die "port $PORT on 127.0.0.1 is already in use by another program; stop it or choose another port with CODIIT_PG_PORT=<port> (e.g. CODIIT_PG_PORT=$((PORT + 100)) deploy/local-pg.sh start $PROFILE)"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_config() {
	{
		printf '# Managed by deploy/local-pg.sh (profile %s); rewritten on every start.\n' "$PROFILE"
		printf 'port = %s\n' "$PORT"
		printf "listen_addresses = '127.0.0.1'\n"
		printf 'unix_socket_directories = %s\n' "$(sql_quote "$SOCK_DIR")"
		printf 'max_connections = %s\n' "$MAX_CONNECTIONS"
		if [[ $PROFILE == bench ]]; then
			printf 'shared_buffers = 256MB\n'
			printf "shared_preload_libraries = 'pg_stat_statements'\n"
			printf 'pg_stat_statements.track = all\n'
		else
			printf 'shared_buffers = 128MB\n'
		fi
		printf "password_encryption = 'scram-sha-256'\n"
		printf 'logging_collector = off\n'
		printf "log_destination = 'stderr'\n"
		printf "log_line_prefix = '%%m [%%p] %%q%%u@%%d '\n"
		if [[ $PROFILE == test ]]; then
			printf 'fsync = off\n'
			printf 'synchronous_commit = off\n'
			printf 'full_page_writes = off\n'
		fi
	} | write_file "$PGDATA/codiit.conf"
	if ! grep -qxF "include_if_exists = 'codiit.conf'" "$PGDATA/postgresql.conf"; then
		printf "\n# CodiIt settings (deploy/local-pg.sh)\ninclude_if_exists = 'codiit.conf'\n" |
			run_as sh -c 'cat >> "$1"' sh "$PGDATA/postgresql.conf"
	fi
}

write_hba() {
	cat <<'EOF' | write_file "$PGDATA/pg_hba.conf"
# Managed by deploy/local-pg.sh.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
local   replication  all                  trust
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
}

TMP_INIT=
PWFILE=
cleanup() {
	[[ -n $PWFILE ]] && rm -f -- "$PWFILE"
	[[ -n $TMP_INIT && -d $TMP_INIT ]] && rm -rf -- "$TMP_INIT"
	return 0
}
trap cleanup EXIT

init_cluster() {
	if [[ -e $PGDATA ]]; then
		[[ -d $PGDATA ]] || die "$PGDATA exists but is not a directory"
		[[ -z $(ls -A -- "$PGDATA") ]] ||
			die "$PGDATA exists but is not a PostgreSQL data directory (no PG_VERSION); move it away or delete it"
		rmdir -- "$PGDATA"
	fi
	log "initialising the '$PROFILE' cluster in $PGDATA ($("$BIN/postgres" --version))"

	# initdb into a scratch directory and rename it into place, so an interrupted initdb never
	# leaves a half-initialised data directory behind.
	TMP_INIT=$ROOT/.pg-$PROFILE.initdb
	rm -rf -- "$TMP_INIT"
	mkdir -m 700 -- "$TMP_INIT"
	PWFILE=$(mktemp "$ROOT/.pg-$PROFILE.pw.XXXXXX")
	printf '%s\n' "$DB_PASSWORD" >"$PWFILE"
	if [[ -n $RUN_USER ]]; then
		chown "$RUN_USER:" -- "$TMP_INIT" "$PWFILE"
	fi

	local -a locale_args=(--no-locale) # plus other initdb flags
	if command -v locale >/dev/null 2>&1 && locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		locale_args=(--locale=C.UTF-8)
	fi
	if "$BIN/initdb" --help 2>/dev/null | grep -q -- --no-instructions; then
		locale_args+=(--no-instructions)
	fi
	if ! run_as "$BIN/initdb" -D "$TMP_INIT" -U "$DB_USER" --pwfile="$PWFILE" -E UTF8 "${locale_args[@]}" \
		--auth-local=trust --auth-host=scram-sha-256 >&2; then
		die "initdb failed (see messages above)"
	fi
	rm -f -- "$PWFILE"
	PWFILE=
	mv -- "$TMP_INIT" "$PGDATA"
	TMP_INIT=
	write_hba
}

start_server() {
	local attempt offset
	# Never rotate a log the server may still hold; only reached when it is not running.
	if [[ -f $LOGFILE ]] && (($(stat -c %s -- "$LOGFILE") > 64 * 1024 * 1024)); then
		run_as mv -f -- "$LOGFILE" "$LOGFILE.1"
	fi
	clear_stale_lockfiles
	if port_in_use; then die_port_taken; fi

	if [[ $SOCK_DIR != "$PGDATA"/* ]]; then
		log "a socket path under $PGDATA would be too long; using $SOCK_DIR for the unix socket"
		if [[ -e $SOCK_DIR && $(stat -c %U -- "$SOCK_DIR") != "${RUN_USER:-$(id -un)}" ]]; then
			die "$SOCK_DIR exists but is owned by $(stat -c %U -- "$SOCK_DIR"); remove it"
		fi
	fi
	run_as mkdir -p -m 700 -- "$SOCK_DIR"
	write_config

	log "starting the '$PROFILE' cluster on 127.0.0.1:$PORT (data: $PGDATA, log: $LOGFILE)"
	for attempt in 1 2 3; do
		offset=0
		[[ -f $LOGFILE ]] && offset=$(stat -c %s -- "$LOGFILE")
		if run_as "$BIN/pg_ctl" start -D "$PGDATA" -l "$LOGFILE" -w -t "$TIMEOUT" >&2; then
			return 0
		fi
		# After a kill -9 of the postmaster its children may take a moment to notice and exit.
		if [[ $attempt -lt 3 ]] && tail -c +"$((offset + 1))" -- "$LOGFILE" 2>/dev/null | grep -q 'pre-existing shared memory block'; then
			log "old server processes still hold shared memory; retrying in 2s"
			sleep 2
			continue
		fi
		break
	done
	if tail -c +"$((offset + 1))" -- "$LOGFILE" 2>/dev/null | grep -qE 'could not bind .*Address already in use|Address already in use'; then
		show_log_tail
		die_port_taken
	fi
	show_log_tail
	die "PostgreSQL ('$PROFILE' cluster, port $PORT) failed to start or did not become ready within ${TIMEOUT}s (CODIIT_PG_TIMEOUT); see $LOGFILE"
}

wait_ready() {
	local isready deadline=$((SECONDS + TIMEOUT))
	isready=$(tool pg_isready)
	until "$isready" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres -t 2 &&
		"$isready" -q -h "$SOCK_DIR" -p "$PORT" -U "$DB_USER" -d postgres -t 2; do
		if ! is_running; then
			show_log_tail
			die "PostgreSQL ('$PROFILE' cluster) exited while starting; see $LOGFILE"
		fi
		if ((SECONDS >= deadline)); then
			show_log_tail
			die "timed out after ${TIMEOUT}s waiting for PostgreSQL to accept connections on 127.0.0.1:$PORT (raise CODIIT_PG_TIMEOUT if the machine is just slow)"
		fi
		sleep 0.5
	done
}

psql_local() { # psql over the unix socket as the superuser (trust auth)
	run_as "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PORT" -U "$DB_USER" "$@"
}

ensure_database() {
	local out
	out=$(psql_local -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = $(sql_quote "$DB_NAME")") ||
		die "cannot query the server over its unix socket ($SOCK_DIR)"
	if [[ $out != 1 ]]; then
		log "creating database '$DB_NAME'"
		psql_local -d postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\"" >&2 ||
			die "could not create database '$DB_NAME'"
	fi
	# Make sure the password is stored as SCRAM (older initdb versions default to md5).
	out=$(psql_local -d postgres -tA -c "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = $(sql_quote "$DB_USER")")
	if [[ $out != t ]]; then
		log "setting a SCRAM password for role '$DB_USER'"
		psql_local -d postgres -c "SET password_encryption = 'scram-sha-256'" \
			-c "ALTER ROLE \"$DB_USER\" PASSWORD $(sql_quote "$DB_PASSWORD")" >&2
	fi
	# End-to-end check of exactly what the application will use.
	if ! out=$(PGCONNECT_TIMEOUT=5 "$PSQL" -X -q -tA -d "$URL" -c 'SELECT 1' 2>&1) || [[ $out != 1 ]]; then
		die "the server runs but connecting to $URL failed: $out"
	fi
}

lock_profile() {
	local lockfile=$ROOT/pg-$PROFILE.lock
	exec 9>>"$lockfile" || die "cannot open lock file $lockfile"
	if ! flock -n 9; then
		log "waiting for another local-pg.sh invocation on the '$PROFILE' cluster (lock: $lockfile)"
		flock -w $((TIMEOUT * 3 + 120)) 9 || die "timed out waiting for the lock $lockfile"
	fi
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
cmd_start() {
	command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required"
	find_pg_bin || install_pg
	$IS_ROOT && ensure_sys_user
	resolve_root create
	pick_run_user # early, for a clear error when the data dir belongs to someone else
	lock_profile
	pick_run_user # again: another invocation may have created the data dir meanwhile
	rm -rf -- "$ROOT/.pg-$PROFILE.initdb" # leftover of an interrupted initdb (we hold the lock)

	[[ -f $PGDATA/PG_VERSION ]] || init_cluster
	check_version
	PSQL=$(tool psql)

	if is_running; then
		if [[ -n $PIDFILE_PORT && $PIDFILE_PORT != "$PORT" ]]; then
			die "the '$PROFILE' cluster is already running on port $PIDFILE_PORT, but port $PORT was requested (CODIIT_PG_PORT); stop it first with: deploy/local-pg.sh stop $PROFILE"
		fi
		log "the '$PROFILE' cluster is already running (pid $PIDFILE_PID, port $PORT)"
	else
		start_server
	fi
	wait_ready
	ensure_database
	log "ready: $URL"
	printf '%s\n' "$URL"
}

cmd_stop() {
	resolve_root lookup
	if [[ ! -f $PGDATA/PG_VERSION ]]; then
		log "the '$PROFILE' cluster does not exist ($PGDATA); nothing to stop"
		return 0
	fi
	[[ -d $ROOT ]] && lock_profile
	pick_run_user
	if ! is_running; then
		log "the '$PROFILE' cluster is not running"
		return 0
	fi
	log "stopping the '$PROFILE' cluster (pid $PIDFILE_PID)"
	if find_pg_bin; then
		check_version
		run_as "$BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$TIMEOUT" >&2 && return 0
		is_running || return 0
		die "pg_ctl stop failed for $PGDATA"
	fi
	# No binaries around any more: do what 'pg_ctl stop -m fast' does.
	kill -INT "$PIDFILE_PID" 2>/dev/null || true
	local deadline=$((SECONDS + TIMEOUT))
	while is_running; do
		((SECONDS < deadline)) || die "timed out waiting for the '$PROFILE' cluster (pid $PIDFILE_PID) to stop"
		sleep 0.2
	done
	log "stopped"
}

cmd_status() {
	resolve_root lookup
	if is_running; then
		log "the '$PROFILE' cluster is running (pid $PIDFILE_PID, port ${PIDFILE_PORT:-?}, data $PGDATA)"
		return 0
	fi
	if [[ -d $PGDATA && ! -r $PGDATA ]]; then
		log "cannot inspect $PGDATA (owned by $(stat -c %U -- "$PGDATA")); run this as that user or as root"
	elif [[ -f $PGDATA/PG_VERSION ]]; then
		log "the '$PROFILE' cluster is not running (data $PGDATA)"
	else
		log "the '$PROFILE' cluster does not exist ($PGDATA)"
	fi
	return 3
}

PSQL=
case $CMD in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
esac
