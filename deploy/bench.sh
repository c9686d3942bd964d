#!/usr/bin/env bash
# bench.sh: run `playground bench` (after `deploy/setup.sh`).
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/runtime-env.sh
. "$DEPLOY/runtime-env.sh"

[[ -x $BIN ]] || die "$BIN is missing; run make build"
# The cluster figures run on make cluster's three hosts (not for -fill,
# which fills the one engine).
if [[ " $* " != *" -fill "* ]]; then
	"$DEPLOY/cluster.sh" up
	# shellcheck source=deploy/cluster-lib.sh
	. "$DEPLOY/cluster-lib.sh"
	PLAYGROUND_CLUSTER="unix://$(host_sock 1)"
	export PLAYGROUND_CLUSTER PLAYGROUND_CLUSTER_TLS="$TLS_DIR/client"
fi
say "playground bench"
cd "$ROOT"
exec "$BIN" bench "$@"
