# shellcheck shell=bash
# postgres.sh: the project's own Postgres cluster under $PG_DIR, from
# Debian's postgresql package, run as the postgres user (Postgres refuses
# root), listening on $PG_HOST:$PG_PORT with trust auth.

# pg_bin prints the bin folder of the newest installed PostgreSQL.
pg_bin() {
	local d
	d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
	[[ -n $d && -x $d/initdb ]] && echo "$d"
}

# as_pg runs a command from / as the postgres user (or as the current user
# when that is not root).
as_pg() {
	if [[ $(id -u) == 0 ]]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# pg_running reports whether the project's cluster is up.
pg_running() {
	local bin
	bin=$(pg_bin) || return 1
	[[ -f $PG_DIR/PG_VERSION ]] || return 1
	as_pg "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1
}

# pg_open_path gives the postgres user a way through every parent folder
# of $PG_DIR: it adds o+x (traverse, not read) where it is missing.
pg_open_path() {
	local dir
	dir=$(dirname "$PG_DIR")
	while [[ $dir != / ]]; do
		if ! runuser -u postgres -- test -x "$dir"; then
			note "letting the postgres user traverse $dir (chmod o+x)"
			chmod o+x "$dir"
		fi
		dir=$(dirname "$dir")
	done
}

# setup_postgres brings the local cluster up and creates the database.
setup_postgres() {
	say "Postgres"
	if [[ -n ${DATABASE_URL:-} ]]; then
		note "DATABASE_URL is set; not starting a local cluster"
		return
	fi
	local bin
	if ! bin=$(pg_bin); then
		apt_install "PostgreSQL" postgresql
		bin=$(pg_bin) || die "PostgreSQL is installed but no initdb was found under /usr/lib/postgresql"
	fi
	mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
	touch "$PG_LOG"
	if [[ $(id -u) == 0 ]]; then
		id postgres >/dev/null 2>&1 || die "the postgres user is missing (reinstall the postgresql package)"
		chown postgres:postgres "$PG_DIR" "$PG_SOCKET_DIR" "$PG_LOG"
		pg_open_path
	fi
	chmod 700 "$PG_DIR"
	if [[ ! -f $PG_DIR/PG_VERSION ]]; then
		note "creating the cluster in $PG_DIR"
		as_pg "$bin/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
			--no-instructions >"$DATA/initdb.log" 2>&1 ||
			die "initdb failed; see $DATA/initdb.log"
		printf '\n# Set by deploy/postgres.sh.\nmax_connections = %s\n' "$PG_MAX_CONNECTIONS" \
			>>"$PG_DIR/postgresql.conf"
	fi
	if pg_running; then
		note "already running on $PG_HOST:$PG_PORT"
	else
		note "starting on $PG_HOST:$PG_PORT (log: $PG_LOG)"
		as_pg "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -w -t 60 \
			-o "-p $PG_PORT -k $PG_SOCKET_DIR -c listen_addresses=$PG_HOST" start >/dev/null ||
			die "Postgres did not start; see $PG_LOG" "$(tail -n 5 "$PG_LOG")"
	fi
	local psql=("$bin/psql" -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
	if [[ $("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") != 1 ]]; then
		note "creating database $PG_DB"
		"${psql[@]}" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
	fi
	note "DATABASE_URL=$LOCAL_DATABASE_URL"
}

# stop_postgres stops the local cluster when it runs.
stop_postgres() {
	local bin
	if pg_running && bin=$(pg_bin); then
		say "stopping the local Postgres"
		as_pg "$bin/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null
	fi
}
