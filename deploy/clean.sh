#!/usr/bin/env bash
# clean.sh: stop the local Postgres, remove the project's own labelled
# containers, networks and volumes, and delete .data and bin. The Docker
# engine itself and its images are left alone.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/engine.sh
. "$DEPLOY/engine.sh"
# shellcheck source=deploy/postgres.sh
. "$DEPLOY/postgres.sh"

stop_postgres
if engine_answers; then
	say "removing containers, networks and volumes labelled $SESSION_LABEL"
	mapfile -t ids < <(docker ps -aq --filter "label=$SESSION_LABEL")
	((${#ids[@]} == 0)) || docker rm -f -v "${ids[@]}" >/dev/null
	mapfile -t ids < <(docker network ls -q --filter "label=$SESSION_LABEL")
	((${#ids[@]} == 0)) || docker network rm "${ids[@]}" >/dev/null
	mapfile -t ids < <(docker volume ls -q --filter "label=$SESSION_LABEL")
	((${#ids[@]} == 0)) || docker volume rm "${ids[@]}" >/dev/null
fi
case $DATA in
"" | / | "$ROOT") die "refusing to remove DATA=$DATA" ;;
esac
say "removing $DATA and $ROOT/bin"
rm -rf "$DATA" "${ROOT:?}/bin"
