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

# setup_engine brings the Docker engine up.
setup_engine() {
	say "Docker engine"
	if engine_answers; then
		note "already answering on $DOCKER_SOCK"
		check_default_bridge
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
		note "starting dockerd (log: $DOCKERD_LOG)"
		# setsid keeps the engine out of this terminal's process group, so
		# stopping `make run` with Ctrl-C does not stop the engine.
		setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
	fi
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
