# shellcheck shell=bash
# cluster-check.sh: `deploy/cluster.sh check`: an attachable, internal
# overlay network made from the manager, a one-replica service on each of
# hosts 2 and 3 with a dnsrr endpoint (the way the playground places its
# nodes), and the one reaching the other by name. Everything is removed
# afterwards. Sourced by cluster.sh.

CHECK_NET=pgc-check
CHECK_IMAGE=labplay/web:1

# check_cleanup removes the check's services and network.
check_cleanup() {
	hdocker 1 service rm pgc-check-2 pgc-check-3 >/dev/null 2>&1 || true
	local i
	for ((i = 0; i < 40; i++)); do
		hdocker 1 network rm "$CHECK_NET" >/dev/null 2>&1 && return 0
		hdocker 1 network inspect "$CHECK_NET" >/dev/null 2>&1 || return 0
		sleep 0.5
	done
	note "WARNING: the network $CHECK_NET is still there"
}

# task_container prints the ID of service $2's running container on host
# $1, waiting up to 30 s for it.
task_container() {
	local i id
	for ((i = 0; i < 60; i++)); do
		id=$(hdocker "$1" ps -q --filter "label=com.docker.swarm.service.name=$2" --filter status=running)
		[[ -n $id ]] && echo "$id" && return 0
		sleep 0.5
	done
	die "service $2 has no running task on $(host_name "$1") after 30s" \
		"$(hdocker 1 service ps --no-trunc "$2" 2>&1 | tail -n 3)"
}

check_overlay() {
	say "overlay check: $CHECK_NET (attachable, internal), a dnsrr service on $(host_name 2) and one on $(host_name 3)"
	local start=$EPOCHREALTIME n c2 out
	check_cleanup
	hdocker 1 network create -d overlay --attachable --internal "$CHECK_NET" >/dev/null
	for n in 2 3; do
		hdocker 1 service create -d -q --no-resolve-image --name "pgc-check-$n" --network "$CHECK_NET" \
			--constraint "node.hostname==$(host_name "$n")" --endpoint-mode dnsrr \
			--restart-condition none "$CHECK_IMAGE" >/dev/null
	done
	c2=$(task_container 2 pgc-check-2)
	task_container 3 pgc-check-3 >/dev/null
	note "both tasks run after $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
	local ok=1
	if out=$(hdocker 2 exec "$c2" ping -c 3 -W 2 pgc-check-3 2>&1); then
		note "ping pgc-check-3 from pgc-check-2: $(grep -o '[0-9]* packets received' <<<"$out"), $(grep -o 'min/avg/max = .*' <<<"$out")"
	else
		note "ping pgc-check-3 from pgc-check-2 FAILED: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		ok=0
	fi
	# nc, not wget: the static busybox wget of the labplay images crashes
	# (SIGSEGV) in a swarm task attached to an overlay network.
	out=$(hdocker 2 exec "$c2" sh -c 'printf "GET / HTTP/1.0\r\n\r\n" | nc -w 5 pgc-check-3 80' 2>&1 | head -n 1 | tr -d '\r')
	if [[ $out == HTTP/1.?" 200"* ]]; then
		note "HTTP GET http://pgc-check-3/ from pgc-check-2 (nc): $out"
	else
		note "HTTP GET http://pgc-check-3/ from pgc-check-2 (nc) FAILED: ${out:-no answer}"
		ok=0
	fi
	check_cleanup
	((ok)) || die "the overlay network did not carry traffic between $(host_name 2) and $(host_name 3)"
	note "overlay across hosts: OK ($(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s in all)"
}
