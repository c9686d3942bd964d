# shellcheck shell=bash disable=SC2034 # its constants serve the other files
# cluster-lib.sh: the names and paths of deploy/cluster.sh, and the hosts
# themselves: the bridge, each host's network namespace and its engine.
# Sourced after lib.sh; cluster-engine.sh and cluster-swarm.sh build on it.

# The hosts are numbered 1 to CLUSTER_SIZE; host 1 is the swarm's manager.
CLUSTER_SIZE=3
# ENGINE_DIR holds the extracted packages; its bin/ is what the hosts run.
ENGINE_DIR=$CLUSTER_DIR/docker26
CL_BIN=$ENGINE_DIR/bin
TLS_DIR=$CLUSTER_DIR/tls
HOSTS_JSON=$CLUSTER_DIR/hosts.json
ENGINE_PORT=2376

# The cluster's names on this machine: CLUSTER_NAME prefixes its network
# namespaces (NAME-hostN), bridge (NAMEl0), cgroups and /run/NAME;
# CLUSTER_NET is the /24 of the bridge (three numbers: the machine is .1,
# the hosts .11, .12 and .13). Both given, they are used as they are.
# Otherwise a folder keeps the names it was first brought up under
# ($NAMES_FILE), and a new one takes the first free pair of pgc/10.251.0,
# pgd/10.251.1, ... (choose_names): two clones of this repository on one
# machine then run a cluster each, neither taking the other's.
NAMES_FILE=$CLUSTER_DIR/names
CLUSTER_NAMES_GIVEN=0
if [[ -n ${CLUSTER_NAME:-} || -n ${CLUSTER_NET:-} ]]; then
	CLUSTER_NAMES_GIVEN=1
elif [[ -s $NAMES_FILE ]]; then
	read -r CLUSTER_NAME CLUSTER_NET <"$NAMES_FILE" || true
fi
CLUSTER_NAME=${CLUSTER_NAME:-pgc}
CLUSTER_NET=${CLUSTER_NET:-10.251.0}

# set_names checks CLUSTER_NAME and CLUSTER_NET and sets the names derived
# from them: CL_BRIDGE, the bridge in the machine's network namespace that
# joins the hosts; CL_CHAIN, the machine's iptables chain for it; CL_EXEC,
# the engines' exec roots (short, for the unix sockets made below them).
set_names() {
	[[ $CLUSTER_NAME =~ ^[a-z][a-z0-9]{0,7}$ ]] ||
		die "CLUSTER_NAME=$CLUSTER_NAME: one to eight lower-case letters and digits, a letter first"
	[[ $CLUSTER_NET =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
		die "CLUSTER_NET=$CLUSTER_NET: the first three numbers of a /24, e.g. 10.249.0"
	CL_BRIDGE=${CLUSTER_NAME}l0
	CL_CHAIN=${CLUSTER_NAME^^}-FWD
	CL_EXEC=/run/$CLUSTER_NAME
}
set_names

# host_name is host $1's hostname, its name in the swarm: pg-hostN for the
# first cluster of the machine (pgc), NAME-hostN for another, so that the
# hosts of two clusters never share a name, nor the folder of their disks
# (/var/lib/playground/disks/HOSTNAME), which the machine's file system
# holds for all of them.
host_name() {
	if [[ $CLUSTER_NAME == pgc ]]; then echo "pg-host$1"; else echo "$CLUSTER_NAME-host$1"; fi
}
host_netns() { echo "$CLUSTER_NAME-host$1"; }
host_veth() { echo "$CLUSTER_NAME-h$1"; }
# host_cgroup is the cgroup (in each hierarchy) of host $1's containers.
host_cgroup() { echo "$CLUSTER_NAME-host$1"; }
host_ip() { echo "$CLUSTER_NET.1$1"; }
host_dir() { echo "$CLUSTER_DIR/host$1"; }
host_sock() { echo "$CLUSTER_DIR/host$1/docker.sock"; }
host_url() { echo "tcp://$(host_ip "$1"):$ENGINE_PORT"; }
host_log() { echo "$CLUSTER_DIR/host$1/dockerd.log"; }

# join_comma prints its arguments joined by ", ".
join_comma() {
	local out
	printf -v out '%s, ' "$@"
	echo "${out%, }"
}

# hdocker runs Docker 26's client against host $1's engine, on its socket.
hdocker() {
	local n=$1
	shift
	"$CL_BIN/docker" -H "unix://$(host_sock "$n")" "$@"
}

# uplink prints the interface of this machine's default route, if any.
uplink() {
	ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }'
}

# net_clash prints the routes of this machine, other than the cluster's own
# bridge, that overlap the bridge's /24.
net_clash() {
	local net=$CLUSTER_NET.0/24
	{
		ip -4 route show root "$net"
		ip -4 route show match "$net"
	} | grep -v '^default' | grep -Ev "dev $CL_BRIDGE( |$)" | sort -u || true
}

# check_cluster_net dies when a route of this machine, other than the
# cluster's own bridge, overlaps the bridge's /24.
check_cluster_net() {
	local clash
	clash=$(net_clash)
	[[ -z $clash ]] || die "$CLUSTER_NET.0/24 is routed on this machine already, so the cluster's bridge cannot use it:" \
		"$clash" "Pick a free /24 with CLUSTER_NET (its first three numbers, e.g. CLUSTER_NET=10.249.0)."
}

# ensure_bridge makes the bridge that joins the hosts, with the machine's
# address on it, and the machine's rules for it: frames between hosts pass
# FORWARD (br_netfilter sends bridged frames there, and the main engine's
# policy there is DROP); the hosts reach out through the default route,
# masqueraded, as the main engine's containers do.
ensure_bridge() {
	check_cluster_net
	ip link show "$CL_BRIDGE" >/dev/null 2>&1 || ip link add "$CL_BRIDGE" type bridge ||
		die "could not create the bridge $CL_BRIDGE"
	ip addr replace "$CLUSTER_NET.1/24" dev "$CL_BRIDGE"
	ip link set "$CL_BRIDGE" up
	local out
	out=$(uplink)
	iptables -w 10 -N "$CL_CHAIN" 2>/dev/null || iptables -w 10 -F "$CL_CHAIN"
	iptables -w 10 -A "$CL_CHAIN" -i "$CL_BRIDGE" -o "$CL_BRIDGE" -j ACCEPT
	if [[ -n $out ]]; then
		iptables -w 10 -A "$CL_CHAIN" -i "$CL_BRIDGE" -o "$out" -j ACCEPT
		iptables -w 10 -A "$CL_CHAIN" -i "$out" -o "$CL_BRIDGE" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
		iptables -w 10 -t nat -C POSTROUTING -s "$CLUSTER_NET.0/24" -o "$out" -j MASQUERADE 2>/dev/null ||
			iptables -w 10 -t nat -A POSTROUTING -s "$CLUSTER_NET.0/24" -o "$out" -j MASQUERADE
	fi
	iptables -w 10 -C FORWARD -j "$CL_CHAIN" 2>/dev/null || iptables -w 10 -I FORWARD 1 -j "$CL_CHAIN"
	note "bridge $CL_BRIDGE $CLUSTER_NET.1/24${out:+, out through $out (masqueraded)}"
}

# remove_bridge undoes ensure_bridge.
remove_bridge() {
	local rule
	while iptables -w 10 -D FORWARD -j "$CL_CHAIN" 2>/dev/null; do :; done
	iptables -w 10 -F "$CL_CHAIN" 2>/dev/null && iptables -w 10 -X "$CL_CHAIN"
	iptables -w 10 -t nat -S POSTROUTING | grep -F -- "-s $CLUSTER_NET.0/24 " | while read -r rule; do
		read -ra rule <<<"${rule#-A }"
		iptables -w 10 -t nat -D "${rule[@]}" || true
	done
	ip link del "$CL_BRIDGE" 2>/dev/null || true
}

# ensure_netns makes host $1's network namespace, with loopback up, a veth
# to the bridge (eth0 inside, at the host's address), a default route
# through the machine and forwarding on.
ensure_netns() {
	local n=$1 ns veth
	ns=$(host_netns "$n")
	veth=$(host_veth "$n")
	[[ -e /run/netns/$ns ]] || ip netns add "$ns" || die "ip netns add $ns failed"
	if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
		ip link del "$veth" 2>/dev/null || true
		ip link add "$veth" type veth peer name eth0 netns "$ns" || die "could not make the veth pair of $ns"
	fi
	ip link set "$veth" master "$CL_BRIDGE" up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr replace "$(host_ip "$n")/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route replace default via "$CLUSTER_NET.1"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
}

# runs_as reports whether the process $1 runs the command $2 (a killed
# process stays a zombie for a moment: that one does not run).
runs_as() {
	local stat
	[[ $1 =~ ^[0-9]+$ ]] && stat=$(cat "/proc/$1/stat" 2>/dev/null) && [[ $stat == "$1 ($2) "[^ZX]* ]]
}

# host_pid prints the pid of host $1's dockerd when it runs.
host_pid() {
	local pid
	pid=$(cat "$(host_dir "$1")/dockerd.pid" 2>/dev/null) && runs_as "$pid" dockerd && echo "$pid"
}

# host_answers reports whether host $1's engine answers on its socket.
host_answers() {
	timeout 10 "$CL_BIN/docker" -H "unix://$(host_sock "$1")" version -f '{{.Server.Version}}' >/dev/null 2>&1
}

# HOST_INIT runs in a host's new mount and UTS namespaces, inside its
# network namespace, before its dockerd: a sysfs of that network namespace
# (as ip netns exec mounts, so /sys/class/net shows the host's interfaces)
# with the machine's cgroup mounts moved back under it, and the hostname.
# Arguments: the hostname, an empty folder to park the cgroup mounts in,
# then dockerd's flags.
# shellcheck disable=SC2016 # expanded by that shell
HOST_INIT='set -e
name=$1 aside=$2
shift 2
mount --rbind /sys/fs/cgroup "$aside"
mount -t sysfs sysfs /sys
mount --move "$aside" /sys/fs/cgroup
echo "$name" >/proc/sys/kernel/hostname
exec dockerd "$@"'

# host_flags prints host $1's dockerd flags, one a line.
host_flags() {
	local n=$1 dir
	dir=$(host_dir "$n")
	printf '%s\n' \
		--config-file "$dir/daemon.json" \
		--data-root "$dir/data" \
		--exec-root "$CL_EXEC/host$n" \
		--pidfile "$dir/dockerd.pid" \
		-H "unix://$(host_sock "$n")" \
		-H "$(host_url "$n")" \
		--tlsverify \
		--tlscacert "$TLS_DIR/ca.pem" \
		--tlscert "$TLS_DIR/host$n/cert.pem" \
		--tlskey "$TLS_DIR/host$n/key.pem" \
		--userns-remap=default \
		--default-cgroupns-mode=private \
		--cgroup-parent="/$(host_cgroup "$n")" \
		--default-address-pool "base=$CLUSTER_LOCAL_POOL.$n.0/24,size=28"
}

# stop_old_containerd stops the containerd that host $1's previous dockerd
# started, when that dockerd was killed and left it: it lives in the old
# mount namespace, where the new dockerd's mounts are not seen. Its
# pidfile goes too: a new dockerd waits 10 s on a pidfile that names a
# zombie. The containers' shims stay, for the new containerd to take over.
stop_old_containerd() {
	local pidfile=$CL_EXEC/host$1/containerd/containerd.pid pid i
	pid=$(cat "$pidfile" 2>/dev/null) || return 0
	if runs_as "$pid" containerd; then
		note "stopping the containerd (pid $pid) that the killed dockerd left"
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 20; i++)); do
			runs_as "$pid" containerd || break
			sleep 0.25
		done
		! runs_as "$pid" containerd || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# start_host starts host $1's dockerd in the background, in its network
# namespace and new mount and UTS namespaces, out of this terminal's
# process group.
start_host() {
	local n=$1 dir sock log
	dir=$(host_dir "$n")
	sock=$(host_sock "$n")
	log=$(host_log "$n")
	((${#sock} < 100)) || die "the socket path $sock is ${#sock} characters long; unix sockets allow about 100." \
		"Put the cluster in a shorter folder with CLUSTER_DIR=..."
	mkdir -p "$dir" "$CL_EXEC/host$n" "$CL_EXEC/.cgroup-host$n"
	[[ -s $dir/daemon.json ]] || echo '{}' >"$dir/daemon.json"
	stop_old_containerd "$n"
	# dockerd refuses to start while its pidfile names a live process, and
	# a killed one is a zombie until this machine's init reaps it (seen to
	# take more than 30 s here).
	host_pid "$n" >/dev/null || rm -f "$dir/dockerd.pid"
	[[ ! -f $log ]] || mv -f "$log" "$log.1"
	local flags
	mapfile -t flags < <(host_flags "$n")
	note "starting $(host_name "$n")'s dockerd in $(host_netns "$n") (log: $log)"
	STARTED_AT[n]=$EPOCHREALTIME
	setsid nohup env PATH="$CL_BIN:$PATH" nsenter --net="/run/netns/$(host_netns "$n")" \
		unshare --mount --uts --propagation private \
		sh -c "$HOST_INIT" sh "$(host_name "$n")" "$CL_EXEC/.cgroup-host$n" "${flags[@]}" \
		>"$log" 2>&1 </dev/null &
}

# STARTED_AT[N] is when start_host started host N's engine.
declare -a STARTED_AT=()

# wait_host waits up to 30 s for host $1's engine to answer.
wait_host() {
	local n=$1 i
	for ((i = 0; i < 60; i++)); do
		if host_answers "$n"; then
			note "$(host_name "$n") answers $(awk -v a="${STARTED_AT[n]:-$EPOCHREALTIME}" -v b="$EPOCHREALTIME" \
				'BEGIN { printf "%.1f", b - a }')s after its start (dockerd pid $(host_pid "$n"))"
			return
		fi
		sleep 0.5
	done
	die "$(host_name "$n")'s dockerd did not answer within 30s; see $(host_log "$n")" \
		"$(tail -n 8 "$(host_log "$n")" 2>/dev/null)"
}

# stop_host stops host $1's dockerd (SIGTERM, then SIGKILL after 30 s),
# then whatever of it is left: the processes in its cgroups (its
# containers) and in its network namespace (containerd, the shims).
stop_host() {
	local n=$1 pid i left
	if pid=$(host_pid "$n"); then
		note "stopping $(host_name "$n")'s dockerd (pid $pid)"
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 60; i++)); do
			runs_as "$pid" dockerd || break
			sleep 0.5
		done
		runs_as "$pid" dockerd && {
			note "still running after 30s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		}
	fi
	mapfile -t left < <(find /sys/fs/cgroup/pids/"$(host_cgroup "$n")" -name cgroup.procs -exec cat {} + 2>/dev/null)
	if [[ -e /run/netns/$(host_netns "$n") ]]; then
		mapfile -t -O "${#left[@]}" left < <(ip netns pids "$(host_netns "$n")" 2>/dev/null)
	fi
	if ((${#left[@]} > 0)); then
		note "killing ${#left[@]} processes left by it"
		kill -KILL "${left[@]}" 2>/dev/null || true
		sleep 0.5
	fi
	local sub
	for sub in /sys/fs/cgroup/*/"$(host_cgroup "$n")"; do
		[[ -d $sub ]] && find "$sub" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

# unmount_host unmounts what is left mounted, in this mount namespace,
# under host $1's folder or exec root (the engines mount in their own).
unmount_host() {
	local m
	findmnt -rn -o TARGET | awk -v a="$(host_dir "$1")/" -v b="$CL_EXEC/host$1" \
		'index($0, a) == 1 || index($0, b) == 1' | sort -r | while read -r m; do
		umount -l "$m" || true
	done
}
