#!/usr/bin/env bash
# test.sh: run every test, with the environment that turns on the
# integration and end-to-end tests (after `deploy/setup.sh`).
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/runtime-env.sh
. "$DEPLOY/runtime-env.sh"

# The cluster tests run on make cluster's hosts when they are up (make
# test brings them up first).
if [[ -f $CLUSTER_DIR/hosts.json ]]; then
	export PLAYGROUND_CLUSTER_DIR="$CLUSTER_DIR"
fi
say "go test -race -count=1 -timeout $GO_TEST_TIMEOUT $PKGS"
note "DATABASE_URL=$DATABASE_URL"
note "PLAYGROUND_NODE_IMAGE=$PLAYGROUND_NODE_IMAGE PLAYGROUND_CHROMIUM=$PLAYGROUND_CHROMIUM"
note "PLAYGROUND_BIN=$PLAYGROUND_BIN"
note "PLAYGROUND_CLUSTER_DIR=${PLAYGROUND_CLUSTER_DIR:-(no cluster: its tests are skipped)}"
cd "$ROOT"
# shellcheck disable=SC2086 # PKGS may name several package patterns.
go test -race -count=1 -timeout "$GO_TEST_TIMEOUT" "$@" $PKGS
# The outer engine's restart runs alone, after the rest: the packages above
# run side by side, and would fail with their engine gone. Only a whole run
# (no arguments) does it, and only on an engine setup.sh started.
if (($# == 0)) && [[ -f /var/run/docker.pid ]] && ! systemctl is-active -q docker 2>/dev/null; then
	say "the outer engine's restart, alone (PLAYGROUND_RESTART_ENGINE=1)"
	PLAYGROUND_RESTART_ENGINE=1 go test -race -count=1 -timeout 10m -run '^TestSoakEngineRestart$' ./e2e
fi
