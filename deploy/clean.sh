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
	# Every node and probe container carries the instance label; their
	# volumes are anonymous and go with them (rm -v).
	say "removing containers and networks labelled $INSTANCE_LABEL"
	mapfile -t ids < <(docker ps -aq --filter "label=$INSTANCE_LABEL")
	((${#ids[@]} == 0)) || docker rm -f -v "${ids[@]}" >/dev/null
	mapfile -t ids < <(docker network ls -q --filter "label=$INSTANCE_LABEL")
	((${#ids[@]} == 0)) || docker network rm "${ids[@]}" >/dev/null
fi
case $DATA in
"" | / | "$ROOT") die "refusing to remove DATA=$DATA" ;;
esac
say "removing $DATA and $ROOT/bin"
rm -rf "$DATA" "${ROOT:?}/bin"
