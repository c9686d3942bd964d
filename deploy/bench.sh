#!/usr/bin/env bash
# bench.sh: run `playground bench` (after `deploy/setup.sh`).
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/runtime-env.sh
. "$DEPLOY/runtime-env.sh"

[[ -x $BIN ]] || die "$BIN is missing; run make build"
say "playground bench"
cd "$ROOT"
exec "$BIN" bench "$@"
