# shellcheck shell=bash
# cluster-swarm.sh: the swarm of deploy/cluster.sh's hosts (host 1 manages,
# the others are workers) and the images they need, loaded from the main
# engine. Sourced after cluster-lib.sh and images.sh.

# swarm_info prints host $1's swarm state, node ID and whether it manages.
swarm_info() {
	hdocker "$1" info -f '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}' 2>/dev/null
}

# settled_swarm_info prints swarm_info once host $1 is no longer pending
# (an engine that just started reconnects for a moment), waiting up to 15 s.
settled_swarm_info() {
	local i info
	for ((i = 0; i < 30; i++)); do
		info=$(swarm_info "$1")
		[[ $info == pending* ]] || break
		sleep 0.5
	done
	echo "$info"
}

# node_state prints, from the manager, the state of the node $1 (ready,
# down, ...), or nothing when the swarm does not know it.
node_state() {
	[[ -n $1 ]] && hdocker 1 node inspect -f '{{.Status.State}}' "$1" 2>/dev/null
}

# ensure_swarm makes host 1 a manager and the others its workers, keeps a
# swarm whose members are all there, removes the entries of nodes that
# are none of the hosts now (a host that came back with a new identity),
# waits for all to be ready, and labels each with its engine's URL.
ensure_swarm() {
	say "swarm: $(host_name 1) manages, the others are workers"
	local start=$EPOCHREALTIME changed=() n state id ctl token ids=() i ready
	read -r state id ctl < <(settled_swarm_info 1) || die "$(host_name 1) does not answer"
	if [[ $state == active && $ctl != true ]]; then
		die "$(host_name 1) is a worker of some swarm; deploy/cluster.sh down --wipe, then up, starts afresh"
	elif [[ $state != active ]]; then
		[[ $state == inactive ]] || hdocker 1 swarm leave --force >/dev/null 2>&1 || true
		hdocker 1 swarm init --advertise-addr "$(host_ip 1)" --listen-addr "$(host_ip 1):2377" \
			--default-addr-pool "$CLUSTER_SWARM_POOL" --default-addr-pool-mask-length 24 >/dev/null ||
			die "docker swarm init on $(host_name 1) failed; see $(host_log 1)"
		changed+=("$(host_name 1) init")
		read -r state id ctl < <(swarm_info 1) || true
	fi
	ids[1]=$id
	token=$(hdocker 1 swarm join-token -q worker)
	for ((n = 2; n <= CLUSTER_SIZE; n++)); do
		read -r state id ctl < <(settled_swarm_info "$n") || die "$(host_name "$n") does not answer"
		if [[ $state != active || -z $(node_state "$id") ]]; then
			[[ $state == inactive ]] || hdocker "$n" swarm leave --force >/dev/null 2>&1 || true
			hdocker "$n" swarm join --token "$token" --advertise-addr "$(host_ip "$n")" \
				--listen-addr "$(host_ip "$n"):2377" "$(host_ip 1):2377" >/dev/null ||
				die "$(host_name "$n") could not join the swarm; see $(host_log "$n")"
			changed+=("$(host_name "$n") joined")
			read -r state id ctl < <(swarm_info "$n") || true
		fi
		ids[n]=$id
	done
	for id in $(hdocker 1 node ls -q); do
		[[ " ${ids[*]} " == *" $id "* ]] && continue
		note "removing the node entry $id ($(hdocker 1 node inspect -f '{{.Description.Hostname}} {{.Status.State}}' "$id")): none of the hosts now"
		hdocker 1 node rm --force "$id" >/dev/null
	done
	for ((i = 0; i < 60; i++)); do
		ready=0
		for ((n = 1; n <= CLUSTER_SIZE; n++)); do
			[[ $(node_state "${ids[n]}") == ready ]] && ((++ready))
		done
		((ready == CLUSTER_SIZE)) && break
		sleep 0.5
	done
	((ready == CLUSTER_SIZE)) || die "only $ready of $CLUSTER_SIZE swarm nodes are ready after 30s" "$(hdocker 1 node ls)"
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		[[ $(hdocker 1 node inspect -f '{{index .Spec.Labels "playground.engine"}}' "${ids[n]}") == "$(host_url "$n")" ]] ||
			hdocker 1 node update --label-add "playground.engine=$(host_url "$n")" "${ids[n]}" >/dev/null
	done
	local took
	took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if ((${#changed[@]} > 0)); then
		note "formed in ${took}s ($(join_comma "${changed[@]}"))"
	else
		note "all $CLUSTER_SIZE were members already (checked in ${took}s)"
	fi
	note "nodes labelled playground.engine=tcp://IP:$ENGINE_PORT"
}

# cluster_images prints the images the hosts need: the node image (also
# the per-host helper's), the stand-in lab image and the labs' own images.
cluster_images() {
	printf '%s\n' "$NODE_IMAGE" "$LAB_IMAGE" "${!LABPLAY_IMAGES[@]}" | sort -u
}

# sync_images loads into each host every image it lacks or holds in
# another version than the main engine: one docker save, then a docker
# load into each host that needs it, in parallel. No registry needed.
sync_images() {
	say "images on the hosts (from the main engine, without a registry)"
	local imgs img id n need tar=$CLUSTER_DIR/image.tar start size loads
	local -a old
	mapfile -t imgs < <(cluster_images)
	for img in "${imgs[@]}"; do
		id=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null) ||
			die "the main engine has no $img; make images builds it"
		need=()
		for ((n = 1; n <= CLUSTER_SIZE; n++)); do
			[[ $(hdocker "$n" image inspect -f '{{.Id}}' "$img" 2>/dev/null) == "$id" ]] || need+=("$n")
		done
		if ((${#need[@]} == 0)); then
			note "$img ${id:7:12}: on every host"
			continue
		fi
		start=$EPOCHREALTIME
		docker save -o "$tar" "$img" || die "docker save $img failed"
		size=$(du -m "$tar" | cut -f1)
		loads=()
		for n in "${need[@]}"; do
			old[n]=$(hdocker "$n" image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)
			hdocker "$n" load -q -i "$tar" >"$(host_dir "$n")/load.log" 2>&1 &
			loads+=($!)
		done
		for n in "${!loads[@]}"; do
			wait "${loads[n]}" || die "docker load of $img into $(host_name "${need[n]}") failed" \
				"$(tail -n 5 "$(host_dir "${need[n]}")/load.log")"
		done
		rm -f "$tar"
		for n in "${need[@]}"; do
			[[ $(hdocker "$n" image inspect -f '{{.Id}}' "$img") == "$id" ]] ||
				die "$(host_name "$n") holds another $img than the main engine after the load"
			# The version it replaced is untagged now; drop it unless used.
			[[ -z ${old[n]} ]] || hdocker "$n" rmi "${old[n]}" >/dev/null 2>&1 || true
		done
		note "$img ${id:7:12} (${size} MB): loaded into host ${need[*]} in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
	done
}
