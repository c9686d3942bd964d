#!/usr/bin/env bash
# clean.sh: stop the local Postgres, remove the project's own labelled
# containers, networks and volumes and the nodes' disks, and delete .data
# and bin. The Docker
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
	# The nodes' disks: their volumes, then their loop devices and files.
	mapfile -t ids < <(docker volume ls -q --filter "label=$INSTANCE_LABEL")
	((${#ids[@]} == 0)) || docker volume rm -f "${ids[@]}" >/dev/null
fi
disks=${PLAYGROUND_DISK_DIR:-/var/lib/playground/disks}
if [[ -d $disks && $(id -u) == 0 ]]; then
	say "removing the nodes' disks in $disks"
	for img in "$disks"/*.img; do
		[[ -e $img ]] || continue
		losetup -j "$img" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null || true
		rm -f "$img" "${img%.img}.dev"
	done
fi
case $DATA in
"" | / | "$ROOT") die "refusing to remove DATA=$DATA" ;;
esac
say "removing $DATA and $ROOT/bin"
rm -rf "$DATA" "${ROOT:?}/bin"
