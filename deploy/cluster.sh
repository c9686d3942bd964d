#!/usr/bin/env bash
# cluster.sh: three Docker hosts on this machine, joined in one swarm, for
# the playground's cluster mode (`make cluster`).
#
#	deploy/cluster.sh up             make or repair the cluster (idempotent)
#	deploy/cluster.sh down [--wipe]  stop it; --wipe also deletes the hosts' data
#	deploy/cluster.sh status         one line a host; non-zero when one is not up
#	deploy/cluster.sh restart-host N start host N's engine again after it was killed
#	deploy/cluster.sh check          an overlay network across hosts 2 and 3
#	deploy/cluster.sh serve          serve the playground on the cluster
#
# Each host pg-hostN is a network namespace ($CLUSTER_NAME-hostN, at
# $CLUSTER_NET.1N on the bridge ${CLUSTER_NAME}l0) running Debian $CLUSTER_SUITE's dockerd in mount and
# UTS namespaces of its own, with user namespaces, on a unix socket under
# $CLUSTER_DIR/hostN and on TCP port 2376 with mutual TLS. Host 1 is the
# swarm's manager; the hosts hold the playground's images, loaded from the
# main engine. $CLUSTER_DIR/hosts.json describes them.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=deploy/engine.sh
. "$DEPLOY/engine.sh"
# shellcheck source=deploy/images.sh
. "$DEPLOY/images.sh"
# shellcheck source=deploy/cluster-lib.sh
. "$DEPLOY/cluster-lib.sh"
# shellcheck source=deploy/cluster-engine.sh
. "$DEPLOY/cluster-engine.sh"
# shellcheck source=deploy/cluster-swarm.sh
. "$DEPLOY/cluster-swarm.sh"

# lock keeps two runs of this script from working on the cluster at once.
# Its descriptor (9) must not reach the engines, or they would hold it.
lock() {
	mkdir -p "$CLUSTER_DIR"
	exec 9>"$CLUSTER_DIR/.lock"
	flock -w 600 9 || die "another deploy/cluster.sh holds $CLUSTER_DIR/.lock"
}

# names_owner prints the folder of the cluster that uses this machine's
# names for clusters called $CLUSTER_NAME (network namespaces, bridge,
# /run/$CLUSTER_NAME), when one other than $CLUSTER_DIR does: a clone of
# this repository elsewhere runs one. What a cluster whose engines all
# stopped left behind (its folder gone, or the machine started again with
# /run kept) belongs to no one: this folder takes it over.
names_owner() {
	local owner pidfile
	owner=$(cat "$CL_EXEC/owner" 2>/dev/null) || return 1
	[[ $owner != "$CLUSTER_DIR" ]] || return 1
	ip link show "$CL_BRIDGE" >/dev/null 2>&1 || compgen -G "/run/netns/$CLUSTER_NAME-host*" >/dev/null || return 1
	for pidfile in "$owner"/host*/dockerd.pid; do
		if runs_as "$(cat "$pidfile" 2>/dev/null)" dockerd; then
			echo "$owner"
			return 0
		fi
	done
	return 1
}

# choose_names gives a folder that has no names yet the first free pair of
# pgc/10.251.0, pgd/10.251.1, ...: names no other folder's cluster runs
# under, and a /24 no route of this machine overlaps. A folder whose hosts
# were made before names were recorded keeps pgc/10.251.0, which their
# swarm and certificates name.
choose_names() {
	((CLUSTER_NAMES_GIVEN == 0)) && [[ ! -s $NAMES_FILE ]] || return 0
	compgen -G "$CLUSTER_DIR/host*/data" >/dev/null && return 0
	local i letters=cdefghijklmnopqrstuvwxyz
	for ((i = 0; i < ${#letters}; i++)); do
		CLUSTER_NAME=pg${letters:i:1} CLUSTER_NET=10.251.$i
		set_names
		if ! names_owner >/dev/null && [[ -z $(net_clash) ]]; then
			((i == 0)) || note "pgc and 10.251.0 are taken on this machine: this cluster is $CLUSTER_NAME on $CLUSTER_NET.0/24"
			return 0
		fi
	done
	die "no free names for the cluster on this machine (pgc to pgz, 10.251.0 to 10.251.23 all taken):" \
		"give some with CLUSTER_NAME=... CLUSTER_NET=... (a free /24)"
}

# claim_names dies when another folder's cluster uses the names, and
# otherwise records that this one does, and under which names.
claim_names() {
	local owner
	if owner=$(names_owner); then
		die "the cluster of $owner runs under the names $CLUSTER_NAME-host1... and $CL_BRIDGE." \
			"Stop it there (deploy/cluster.sh down), or give this one other names and addresses:" \
			"CLUSTER_NAME=lab1 CLUSTER_NET=10.249.0 (a free /24)."
	fi
	mkdir -p "$CL_EXEC"
	echo "$CLUSTER_DIR" >"$CL_EXEC/owner"
	echo "$CLUSTER_NAME $CLUSTER_NET" >"$NAMES_FILE"
}

need_root() {
	[[ $(id -u) == 0 ]] || die "deploy/cluster.sh $1 needs root (network namespaces and engines)"
}

# ensure_hosts brings each host's network namespace and engine up: an
# engine that runs and answers is kept; one that runs in a namespace no
# longer named, does not answer within 30 s, or refuses the client
# certificate on its port is stopped and started again.
ensure_hosts() {
	say "hosts $(host_name 1) to $(host_name "$CLUSTER_SIZE") on $CL_BRIDGE"
	ensure_bridge
	local n pid started=()
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		ensure_netns "$n"
		if pid=$(host_pid "$n"); then
			if [[ $(ip netns identify "$pid") != "$(host_netns "$n")" ]]; then
				note "$(host_name "$n")'s dockerd (pid $pid) runs outside $(host_netns "$n"): starting it again"
				stop_host "$n"
			elif host_answers "$n" || { note "$(host_name "$n")'s dockerd (pid $pid) runs but does not answer yet" && answers_within "$n" 30; }; then
				note "$(host_name "$n") runs already (dockerd pid $pid)"
				continue
			else
				note "it still does not answer: starting it again"
				stop_host "$n"
			fi
		fi
		start_host "$n" 9>&-
		started+=("$n")
	done
	for n in "${started[@]}"; do wait_host "$n"; done
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		tls_answers "$n" && continue
		note "$(host_name "$n") refuses the client certificate on $(host_url "$n") (certificates made since it started?): starting it again"
		stop_host "$n"
		start_host "$n" 9>&-
		wait_host "$n"
		tls_answers "$n" || die "$(host_name "$n") does not answer on $(host_url "$n") with the client certificate" \
			"try: DOCKER_CERT_PATH=$TLS_DIR/client $CL_BIN/docker --tlsverify -H $(host_url "$n") version"
	done
	note "each answers on $ENGINE_PORT with TLS to the client certificate ($CL_BIN/docker --tlsverify ... version)"
}

# answers_within reports whether host $1's engine answers within $2 seconds.
answers_within() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		host_answers "$1" && return 0
		sleep 0.5
	done
	return 1
}

# check_lxcfs reports whether each host's mount namespace sees LXCFS,
# which the main set-up mounts at $LXCFS_DIR (the namespaces got a copy of
# the machine's mounts when their engine started).
check_lxcfs() {
	[[ $LXCFS_DIR != off ]] || return 0
	local n bad=()
	if ! lxcfs_answers; then
		note "WARNING: LXCFS does not answer at $LXCFS_DIR on this machine (make setup starts it)"
		return 0
	fi
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		nsenter --target "$(host_pid "$n")" --mount grep -qs '^MemTotal:' "$LXCFS_DIR/proc/meminfo" || bad+=("$(host_name "$n")")
	done
	if ((${#bad[@]} == 0)); then
		note "LXCFS: seen at $LXCFS_DIR in every host's mount namespace"
	else
		note "WARNING: LXCFS at $LXCFS_DIR is not seen by ${bad[*]}: their engines started before it answered."
		note "deploy/cluster.sh down, then up, starts them again with it"
	fi
}

# write_hosts_json writes $HOSTS_JSON, atomically: one object a host.
write_hosts_json() {
	have jq || apt_install "jq (the cluster's hosts.json)" jq
	local n objs=() role
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		role=worker
		((n > 1)) || role=manager
		objs+=("$(jq -cn --arg name "$(host_name "$n")" --arg dh "unix://$(host_sock "$n")" \
			--argjson pid "$(host_pid "$n" || echo null)" --arg url "$(host_url "$n")" \
			--arg ns "$(host_netns "$n")" --arg role "$role" \
			'{name: $name, docker_host: $dh, engine_pid: $pid, engine_url: $url, netns: $ns, role: $role}')")
	done
	printf '%s\n' "${objs[@]}" | jq -s . >"$HOSTS_JSON.tmp"
	mv -f "$HOSTS_JSON.tmp" "$HOSTS_JSON"
}

# dockerd_rss prints the resident memory of host $1's dockerd and of its
# containerd, in MiB.
dockerd_rss() {
	local pid cpid
	pid=$(host_pid "$1") || return 0
	cpid=$(cat "$CL_EXEC/host$1/containerd/containerd.pid" 2>/dev/null || true)
	awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"
	[[ -z $cpid ]] || awk '/^VmRSS:/ { printf " + containerd %.0f", $2 / 1024 }' "/proc/$cpid/status" 2>/dev/null
	echo " MiB"
}

# how_to_reach prints the commands that reach each host.
how_to_reach() {
	local n
	say "reach a host (hosts.json: $HOSTS_JSON)"
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		note "$(host_name "$n"): $CL_BIN/docker -H unix://$(host_sock "$n") info   (dockerd $(dockerd_rss "$n"))"
	done
	note "over TCP: DOCKER_CERT_PATH=$TLS_DIR/client DOCKER_TLS_VERIFY=1 DOCKER_HOST=$(host_url 1) $CL_BIN/docker info"
}

cmd_up() {
	need_root up
	have ip || apt_install "iproute2 (the cluster's network namespaces)" iproute2
	lock
	choose_names
	claim_names
	step "the engine" ensure_engine
	step certificates ensure_tls
	step "engines up" ensure_hosts
	step "the swarm" ensure_swarm
	step images sync_images
	check_lxcfs
	write_hosts_json
	how_to_reach
}

cmd_restart_host() {
	local n=${1:-}
	if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > CLUSTER_SIZE)); then
		die "usage: deploy/cluster.sh restart-host 1..$CLUSTER_SIZE"
	fi
	need_root restart-host
	lock
	claim_names
	[[ -x $CL_BIN/dockerd && -s $TLS_DIR/host$n/cert.pem ]] || die "no cluster here yet: deploy/cluster.sh up makes it"
	ensure_bridge
	ensure_netns "$n"
	if host_pid "$n" >/dev/null && host_answers "$n"; then
		note "$(host_name "$n") runs already (dockerd pid $(host_pid "$n"))"
	else
		# A dockerd that runs but does not answer is stopped; the shims
		# of a killed one stay, for the new one to stop its containers.
		! host_pid "$n" >/dev/null || stop_host "$n"
		start_host "$n" 9>&-
		wait_host "$n"
	fi
	local m
	for ((m = 1; m <= CLUSTER_SIZE; m++)); do
		host_answers "$m" || {
			note "$(host_name "$m") does not answer: the swarm is not checked"
			write_hosts_json
			return 0
		}
	done
	ensure_swarm
	write_hosts_json
}

cmd_down() {
	local wipe=0 n
	case ${1:-} in --wipe) wipe=1 ;; "") ;; *) die "usage: deploy/cluster.sh down [--wipe]" ;; esac
	local owner
	if owner=$(names_owner); then
		note "the cluster's names belong to the cluster of $owner: left as it is"
	elif ip link show "$CL_BRIDGE" >/dev/null 2>&1 || compgen -G "/run/netns/$CLUSTER_NAME-host*" >/dev/null ||
		compgen -G "$CLUSTER_DIR/host*/dockerd.pid" >/dev/null; then
		need_root down
		lock
		stop_cluster
	fi
	rm -f "$HOSTS_JSON"
	if ((wipe)) && compgen -G "$CLUSTER_DIR/host*" >/dev/null; then
		note "deleting the hosts' data (the engine in $ENGINE_DIR and the certificates stay)"
		for ((n = 1; n <= CLUSTER_SIZE; n++)); do rm -rf "$(host_dir "$n")"; done
	fi
}

# stop_cluster stops every host's engine and removes their namespaces, the
# bridge and the machine's rules for it.
stop_cluster() {
	local n
	say "stopping the cluster's hosts"
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do stop_host "$n" 9>&- & done
	wait
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		unmount_host "$n"
		ip netns del "$(host_netns "$n")" 2>/dev/null || true
		ip link del "$(host_veth "$n")" 2>/dev/null || true
		rm -rf "$CL_EXEC/host$n" "$CL_EXEC/host$n".* "$CL_EXEC/.cgroup-host$n"
	done
	rm -f "$CL_EXEC/owner"
	rmdir "$CL_EXEC" 2>/dev/null || true
	remove_bridge
}

cmd_status() {
	local n pid engine tls node avail failing=0 id s
	printf '%-9s %-8s %-7s %-5s %-8s %s\n' HOST DOCKERD ENGINE TLS NODE AVAILABILITY
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		pid=$(host_pid "$n") || pid=-
		engine=no tls=no node=- avail=-
		if host_answers "$n"; then
			engine=yes
			id=$(swarm_info "$n" | awk '{ print $2 }')
			[[ -n $id ]] && s=$(hdocker 1 node inspect -f '{{.Status.State}} {{.Spec.Availability}}' "$id" 2>/dev/null) &&
				read -r node avail <<<"$s"
		fi
		tls_answers "$n" && tls=yes
		printf '%-9s %-8s %-7s %-5s %-8s %s\n' "$(host_name "$n")" "$pid" "$engine" "$tls" "$node" "$avail"
		[[ $pid != - && $engine == yes && $tls == yes && $node == ready ]] || failing=1
	done
	return "$failing"
}

main() {
	local cmd=${1:-}
	shift || true
	case $cmd in
	up) cmd_up ;;
	down) cmd_down "$@" ;;
	status) cmd_status ;;
	restart-host) cmd_restart_host "$@" ;;
	check)
		# shellcheck source=deploy/cluster-check.sh
		. "$DEPLOY/cluster-check.sh"
		check_overlay
		;;
	serve)
		[[ -s $HOSTS_JSON ]] || die "no cluster here: deploy/cluster.sh up (make cluster) makes it"
		PLAYGROUND_CLUSTER="unix://$(host_sock 1)"
		export PLAYGROUND_CLUSTER PLAYGROUND_CLUSTER_TLS="$TLS_DIR/client"
		# The three hosts share this one machine's memory, yet each tells
		# the swarm it has all of it: cap the sessions at what one host
		# holds (see README, Capacity) unless told otherwise.
		export PLAYGROUND_MAX_SESSIONS="${PLAYGROUND_MAX_SESSIONS:-100}"
		# Its own deployment name: make run's sessions (and warm pool) on
		# the one engine are another deployment's.
		export PLAYGROUND_INSTANCE="${PLAYGROUND_INSTANCE:-cluster}"
		note "PLAYGROUND_CLUSTER=$PLAYGROUND_CLUSTER PLAYGROUND_CLUSTER_TLS=$PLAYGROUND_CLUSTER_TLS"
		note "PLAYGROUND_MAX_SESSIONS=$PLAYGROUND_MAX_SESSIONS (the hosts share one machine)"
		exec "$DEPLOY/run.sh" "$@"
		;;
	*) die "usage: deploy/cluster.sh up|down [--wipe]|status|restart-host N|check|serve" ;;
	esac
}

main "$@"
