#!/usr/bin/env bash
# setup.sh: bring up what the playground needs on this machine. Each step is
# idempotent and skips what is already there.
#
#	deploy/setup.sh STEP...
#
# Steps: engine (a Docker engine), engine-restart (stop and start the
# dockerd this script started, for the fault suite), postgres (the local cluster, unless
# DATABASE_URL is set), images (the node image, the stand-in lab image, the
# labs' own labplay images and the registry image),
# base (only the offline base image), test-tools (chromium and a C compiler
# for go test -race).
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/engine.sh
. "$DEPLOY/engine.sh"
# shellcheck source=deploy/postgres.sh
. "$DEPLOY/postgres.sh"
# shellcheck source=deploy/images.sh
. "$DEPLOY/images.sh"

# setup_test_tools installs what the tests need beyond the server's needs.
setup_test_tools() {
	say "test tools"
	if [[ -x $CHROMIUM ]]; then
		note "chromium: $CHROMIUM"
	else
		apt_install "Chromium (for the browser tests)" chromium
	fi
	if have cc; then
		note "C compiler: $(command -v cc)"
	else
		apt_install "a C compiler (go test -race needs cgo)" gcc libc6-dev
	fi
}

# restart_engine stops and starts a dockerd that this script started (not
# one a service manager runs).
restart_engine() {
	say "restarting the Docker engine"
	[[ -f /var/run/docker.pid ]] || die "no /var/run/docker.pid: the engine was not started by this script"
	if [[ $(cat /proc/1/comm 2>/dev/null) == systemd ]] && systemctl is-active -q docker 2>/dev/null; then
		die "dockerd is run by systemd here; restart it with systemctl restart docker"
	fi
	stop_dockerd
	start_dockerd
	wait_engine
	ensure_userns
}

main() {
	(($# > 0)) || die "usage: deploy/setup.sh engine|engine-restart|postgres|images|base|test-tools..."
	local s
	for s in "$@"; do
		case $s in
		engine) step engine setup_engine ;;
		engine-restart) step engine-restart restart_engine ;;
		postgres) step postgres setup_postgres ;;
		images)
			step node-image setup_node_image
			step lab-image setup_lab_image
			step labplay-images setup_labplay_images
			step registry-image setup_registry_image
			;;
		base) step base "$DEPLOY/base-image.sh" ;;
		test-tools) step test-tools setup_test_tools ;;
		*) die "unknown step $s" ;;
		esac
	done
}

main "$@"
