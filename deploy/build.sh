#!/usr/bin/env bash
# build.sh: build the web bundle (when web/package.json exists) and the
# static playground binary bin/playground.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"

# web_deps_current reports whether the file $1 (written when node_modules
# was last installed) is newer than web/package.json and its lock file.
web_deps_current() {
	local web=$ROOT/web
	[[ -d $web/node_modules && -f $1 && $1 -nt $web/package.json ]] || return 1
	[[ ! -f $web/package-lock.json || $1 -nt $web/package-lock.json ]]
}

# build_web runs npm ci (when the lock file changed) and npm run build
# (when a source changed) in web/.
build_web() {
	local web=$ROOT/web
	if [[ ! -f $web/package.json ]]; then
		note "no web/package.json yet; skipping the web bundle"
		return
	fi
	if ! have npm; then
		apt_install "npm (for the web bundle)" nodejs npm
	fi
	export npm_config_update_notifier=false
	local stamp=$DATA/web-build.stamp
	if ! web_deps_current "$web/node_modules/.package-lock.json" && ! web_deps_current "$DATA/web-deps.stamp"; then
		note "npm ci"
		(cd "$web" && npm ci --no-audit --no-fund) >"$DATA/npm.log" 2>&1 ||
			die "npm ci failed; see $DATA/npm.log" "$(tail -n 10 "$DATA/npm.log")"
		touch "$DATA/web-deps.stamp"
		rm -f "$stamp"
	fi
	if [[ -f $stamp ]] && [[ -n $(find "$web/dist" -mindepth 1 ! -name .keep -print -quit 2>/dev/null) ]] &&
		[[ -z $(find "$web" \( -name node_modules -o -name dist \) -prune -o -type f ! -name '*.go' -newer "$stamp" -print -quit) ]]; then
		note "web bundle is up to date"
		return
	fi
	note "npm run build"
	(cd "$web" && npm run build) >"$DATA/npm.log" 2>&1 ||
		die "npm run build failed; see $DATA/npm.log" "$(tail -n 20 "$DATA/npm.log")"
	touch "$stamp"
}

# build_go builds the static binary.
build_go() {
	if ! have go; then
		die "Go is missing (the module needs Go $(awk '$1 == "go" { print $2 }' "$ROOT/go.mod"))." \
			"Install it from https://go.dev/dl/: tar -C /usr/local -xzf go<version>.linux-amd64.tar.gz" \
			"and put /usr/local/go/bin on PATH."
	fi
	note "go build -o bin/playground ./cmd/playground"
	(cd "$ROOT" && CGO_ENABLED=0 go build -o "$BIN" ./cmd/playground)
}

main() {
	say "build"
	step web build_web
	step go build_go
}

main "$@"
