#!/usr/bin/env bash
# soak.sh: the fault and abuse suite at full size (PLAYGROUND_SOAK=1), after
# `deploy/setup.sh`; prints its figures as a table. make test runs the same
# cases at a small size.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/runtime-env.sh
. "$DEPLOY/runtime-env.sh"

log=$DATA/soak.log
say "go test -run TestSoak ./e2e at full size (log: $log)"
cd "$ROOT"
status=0
PLAYGROUND_SOAK=1 PLAYGROUND_RESTART_ENGINE=1 go test -count=1 -timeout 60m -run 'TestSoak' -v ./e2e >"$log" 2>&1 || status=$?
grep -E '^(--- |ok|FAIL)' "$log" || true
echo
printf '%s\n' "case|figures" "---|---"
sed -n 's/^ *soak_test.go:[0-9]*: soak|//p' "$log"
exit "$status"
