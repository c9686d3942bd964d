# shellcheck shell=bash
# engine.sh: make sure a Docker engine answers on $DOCKER_SOCK, installing
# Debian's docker.io and starting dockerd in the background when none does.

# engine_answers reports whether the Docker engine answers.
engine_answers() {
	have docker && timeout 10 docker info >/dev/null 2>&1
}

# check_default_bridge warns when the engine's default bridge lost its
# interface (something on the host deleted docker0): containers on the
# default network and RUN steps of image builds fail until dockerd restarts.
check_default_bridge() {
	have ip || return 0
	local name
	name=$(docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' bridge 2>/dev/null) || return 0
	if [[ -n $name ]] && ! ip link show "$name" >/dev/null 2>&1; then
		note "WARNING: the engine's default bridge $name is gone from the host;"
		note "containers on the default network fail until dockerd is restarted"
		note "(a second dockerd started with --bridge none deletes it)"
	fi
}

# engine_remaps_users reports whether the engine runs containers in user
# namespaces (dockerd --userns-remap), which the nodes' default isolation
# needs.
engine_remaps_users() {
	docker info --format '{{range .SecurityOptions}}{{.}} {{end}}' 2>/dev/null | grep -q 'name=userns'
}

# remap_flag prints the dockerd flag that turns user namespaces on, unless
# the daemon's config file sets it already (dockerd refuses both at once).
remap_flag() {
	grep -qs '"userns-remap"' /etc/docker/daemon.json || echo "--userns-remap=default"
}

# start_dockerd starts dockerd in the background, with user namespaces.
start_dockerd() {
	note "starting dockerd with user namespaces (log: $DOCKERD_LOG)"
	# setsid keeps the engine out of this terminal's process group, so
	# stopping `make run` with Ctrl-C does not stop the engine.
	# shellcheck disable=SC2046 # remap_flag prints one word or nothing.
	setsid nohup dockerd $(remap_flag) >"$DOCKERD_LOG" 2>&1 </dev/null &
}

# stop_dockerd stops the dockerd of /var/run/docker.pid and waits for it.
stop_dockerd() {
	local pid i
	pid=$(cat /var/run/docker.pid 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 60; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	die "dockerd (pid $pid) did not stop within 30s"
}

# ensure_userns makes sure the answering engine remaps users, restarting a
# hand-started dockerd with the flag; a service manager's engine is left to
# the administrator, with the steps to follow.
ensure_userns() {
	if engine_remaps_users; then
		note "user namespaces: on (a node's root is an unprivileged user on the host)"
		return
	fi
	if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != unix://$DOCKER_SOCK ]]; then
		die "the Docker engine at $DOCKER_HOST runs without user namespaces, so a node's root would be its host's root." \
			"Start that dockerd with --userns-remap=default, or set PLAYGROUND_NODE_ISOLATION=unsafe-host-root" \
			"(only for learners you trust with that machine)."
	fi
	if [[ $NODE_ISOLATION == unsafe-host-root ]]; then
		note "WARNING: the engine has no user namespaces and PLAYGROUND_NODE_ISOLATION=unsafe-host-root:"
		note "a node's root is the host's root; serve only learners you trust with this machine"
		return
	fi
	if [[ $(cat /proc/1/comm 2>/dev/null) == systemd ]] && systemctl is-active -q docker 2>/dev/null; then
		die "the Docker engine runs without user namespaces, so a node's root would be the host's root." \
			"Add \"userns-remap\": \"default\" to /etc/docker/daemon.json and run systemctl restart docker," \
			"or set PLAYGROUND_NODE_ISOLATION=unsafe-host-root (only for learners you trust with this machine)."
	fi
	[[ $(id -u) == 0 ]] || die "the running dockerd has no user namespaces, and only root can restart it with them (run as root)."
	note "the running dockerd has no user namespaces: restarting it with them"
	note "(its containers stop; the playground ends or restarts its sessions; images are kept apart per mode and built again)"
	stop_dockerd
	start_dockerd
	wait_engine
	engine_remaps_users || die "dockerd restarted without user namespaces; see $DOCKERD_LOG" "$(tail -n 5 "$DOCKERD_LOG" 2>/dev/null)"
}

# wait_engine waits up to 30 s for the engine to answer.
wait_engine() {
	local i
	for ((i = 0; i < 60; i++)); do
		if engine_answers; then
			note "dockerd answers after $((i / 2))s"
			return
		fi
		sleep 0.5
	done
	die "dockerd did not answer within 30s; see $DOCKERD_LOG" "$(tail -n 5 "$DOCKERD_LOG" 2>/dev/null)"
}

# setup_host_limits raises the kernel limits every node of this host shares
# (counted per host user, or host-wide) to what the host's memory needs, so
# that no learner can use one up (see the README's Security section), and
# keeps them in /etc/sysctl.d for the next boot. The server checks them at
# start and refuses to serve while one is too low.
setup_host_limits() {
	[[ $NODE_ISOLATION == userns ]] || return 0
	if [[ $(id -u) != 0 ]]; then
		"$BIN" node host-limits >/dev/null 2>&1 ||
			die "kernel limits shared by every node are too low for this host; run as root: $BIN node host-limits --apply"
		return 0
	fi
	local out
	out=$("$BIN" node host-limits --apply 2>&1) || die "could not raise the kernel limits every node shares:" "$out"
	note "kernel limits shared by the nodes: sized to this host's memory (/etc/sysctl.d/60-playground.conf)"
	if grep -q '^advisory:' <<<"$out"; then
		note "WARNING: this host's root may not raise the namespace counts (it lacks CAP_SYS_RESOURCE):"
		note "$(grep '^advisory:' <<<"$out" | cut -c1-300)"
		note "a learner could use up user.max_*_namespaces here; see the README's Security section"
	fi
}

# lxcfs_answers reports whether LXCFS serves its files at $LXCFS_DIR.
lxcfs_answers() {
	grep -qs '^MemTotal:' "$LXCFS_DIR/proc/meminfo"
}

# setup_lxcfs makes sure LXCFS serves /proc files that show each node its
# own memory and CPUs (Debian's lxcfs, with CPU views from the CFS quota);
# a service manager's lxcfs is left as it is.
setup_lxcfs() {
	[[ $LXCFS_DIR != off ]] || return 0
	if lxcfs_answers; then
		note "LXCFS: answering at $LXCFS_DIR"
		return 0
	fi
	have lxcfs || apt_install "LXCFS (nodes show their own memory and CPUs)" lxcfs
	if lxcfs_answers; then # the package's service started it
		note "LXCFS: started by its service at $LXCFS_DIR"
		return 0
	fi
	[[ $(id -u) == 0 ]] || die "LXCFS does not answer at $LXCFS_DIR and only root can start it."
	# A mount point left by an lxcfs that died answers nothing until unmounted.
	umount -l "$LXCFS_DIR" 2>/dev/null || true
	mkdir -p "$LXCFS_DIR"
	note "starting lxcfs at $LXCFS_DIR (log: $LXCFS_LOG)"
	setsid nohup lxcfs --enable-cfs --enable-loadavg "$LXCFS_DIR" >"$LXCFS_LOG" 2>&1 </dev/null &
	local i
	for ((i = 0; i < 20; i++)); do
		lxcfs_answers && return 0
		sleep 0.5
	done
	die "lxcfs did not answer within 10s; see $LXCFS_LOG" "$(tail -n 5 "$LXCFS_LOG" 2>/dev/null)"
}

# setup_engine brings the Docker engine up, with user namespaces, the
# kernel limits its nodes share and LXCFS.
setup_engine() {
	say "Docker engine"
	if engine_answers; then
		note "already answering on $DOCKER_SOCK"
		check_default_bridge
		ensure_userns
		setup_host_limits
		setup_lxcfs
		return
	fi
	if ! have dockerd || ! have docker || ! have iptables; then
		apt_install "the Docker engine" docker.io iptables
	fi
	if [[ $(id -u) != 0 ]]; then
		die "no Docker engine answers on $DOCKER_SOCK and only root can start one." \
			"Start it (e.g. sudo systemctl start docker) or run as root."
	fi
	# Not pgrep: the nodes' own engines are dockerd processes too.
	if [[ -f /var/run/docker.pid ]] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
		note "dockerd is running but not answering yet"
	else
		start_dockerd
	fi
	wait_engine
	ensure_userns
	setup_host_limits
	setup_lxcfs
}
