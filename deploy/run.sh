#!/usr/bin/env bash
# run.sh: serve the playground on $ADDR (after `deploy/setup.sh`).
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/runtime-env.sh
. "$DEPLOY/runtime-env.sh"

[[ -x $BIN ]] || die "$BIN is missing; run make build"
say "serving the playground on http://$ADDR (Ctrl-C stops it)"
note "DATABASE_URL=$DATABASE_URL (for bin/playground instructor add --email ...)"
cd "$ROOT"
exec "$BIN" serve "$@"
