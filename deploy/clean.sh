#!/usr/bin/env bash
# clean.sh: stop the local Postgres and the cluster's hosts (make cluster),
# remove the project's own labelled containers, networks and volumes, the
# nodes' egress rules and disks, and delete .data and bin. The Docker
# engine itself, its images, LXCFS and the kernel limits the set-up raised
# are left alone.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/engine.sh
. "$DEPLOY/engine.sh"
# shellcheck source=deploy/postgres.sh
. "$DEPLOY/postgres.sh"

stop_postgres
# The cluster's hosts (make cluster) run out of $DATA: stop them first.
"$DEPLOY/cluster.sh" down --wipe
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
# The nodes' egress rules (sessions/agent/egress.go): a server removes its
# own when it stops; one that crashed leaves them.
if [[ $(id -u) == 0 ]] && have iptables; then
	mapfile -t jumps < <(iptables -w 10 -S 2>/dev/null | grep -E '^-A (INPUT|FORWARD) .* -j PG-(IN|FWD)-' || true)
	mapfile -t chains < <(iptables -w 10 -S 2>/dev/null | sed -n 's/^-N \(PG-\(IN\|FWD\)-.*\)$/\1/p')
	if ((${#chains[@]} > 0)); then
		say "removing the nodes' egress rules (${#chains[@]} chains)"
		for j in "${jumps[@]}"; do
			read -ra rule <<<"${j#-A }"
			iptables -w 10 -D "${rule[@]}" || true
		done
		for c in "${chains[@]}"; do
			{ iptables -w 10 -F "$c" && iptables -w 10 -X "$c"; } || true
		done
	fi
fi
disks=${PLAYGROUND_DISK_DIR:-/var/lib/playground/disks}
if [[ -d $disks && $(id -u) == 0 ]]; then
	say "removing the nodes' disks in $disks"
	# One engine's at the top, a cluster host's in a folder of its own.
	for img in "$disks"/*.img "$disks"/*/*.img; do
		[[ -e $img ]] || continue
		losetup -j "$img" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null || true
		rm -f "$img" "${img%.img}.dev"
	done
	find "$disks" -mindepth 1 -maxdepth 1 -type d -empty -delete
fi
case $DATA in
"" | / | "$ROOT") die "refusing to remove DATA=$DATA" ;;
esac
say "removing $DATA and $ROOT/bin"
rm -rf "$DATA" "${ROOT:?}/bin"
