# shellcheck shell=bash
# cluster-engine.sh: what the hosts of deploy/cluster.sh run and how they
# are reached: Docker 26 from Debian $CLUSTER_SUITE, extracted rather than
# installed, and the certificates of the engines' TCP ports. Sourced after
# cluster-lib.sh.

# The Debian packages the hosts' engines come from.
ENGINE_PACKAGES=(docker.io docker-cli containerd runc)

# cluster_apt runs apt-get with a sources list of its own ($CLUSTER_SUITE
# main from this machine's mirror) and its own lists and cache, all under
# $CLUSTER_DIR/apt: the machine's apt configuration and state stay as they are.
cluster_apt() {
	local d=$CLUSTER_DIR/apt
	apt-get -q -o APT::Sandbox::User=root \
		-o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts="$d/sources.list.d" \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" "$@"
}

# fetch_engine downloads $ENGINE_PACKAGES from $CLUSTER_SUITE and extracts
# them into $ENGINE_DIR (replacing it whole).
fetch_engine() {
	local d=$CLUSTER_DIR/apt deb
	mkdir -p "$d/sources.list.d" "$d/lists/partial" "$d/cache/archives/partial" "$d/debs"
	# shellcheck disable=SC2153 # from env.sh
	echo "deb $(debian_mirror) $CLUSTER_SUITE main" >"$d/sources.list"
	note "apt-get update and download from: $(cat "$d/sources.list") (log: $d/apt.log)"
	cluster_apt update </dev/null >"$d/apt.log" 2>&1 ||
		die "apt-get update of $CLUSTER_SUITE failed; see $d/apt.log" "$(tail -n 5 "$d/apt.log")"
	rm -f "$d"/debs/*.deb
	(cd "$d/debs" && cluster_apt download "${ENGINE_PACKAGES[@]}") </dev/null >>"$d/apt.log" 2>&1 ||
		die "apt-get download ${ENGINE_PACKAGES[*]} failed; see $d/apt.log" "$(tail -n 5 "$d/apt.log")"
	rm -rf "$ENGINE_DIR.tmp"
	mkdir -p "$ENGINE_DIR.tmp"
	for deb in "$d"/debs/*.deb; do
		dpkg-deb -x "$deb" "$ENGINE_DIR.tmp" || die "dpkg-deb -x $deb failed"
	done
	(cd "$d/debs" && ls -- *.deb) >"$ENGINE_DIR.tmp/packages.txt"
	rm -rf "$ENGINE_DIR"
	mv "$ENGINE_DIR.tmp" "$ENGINE_DIR"
}

# link_engine fills $CL_BIN with links to what the engines run. runc is
# $CLUSTER_SUITE's when it runs here, else this machine's (trixie's needs a
# newer glibc than Debian 12's); docker-init is this machine's tini-static.
link_engine() {
	local b out
	rm -rf "$CL_BIN"
	mkdir -p "$CL_BIN"
	for b in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/docker usr/bin/containerd \
		usr/bin/containerd-shim-runc-v2 usr/bin/ctr; do
		[[ -x $ENGINE_DIR/$b ]] || die "$ENGINE_DIR/$b is missing from the extracted packages"
		ln -s "../$b" "$CL_BIN/"
	done
	if out=$("$ENGINE_DIR/usr/sbin/runc" --version 2>&1); then
		ln -s ../usr/sbin/runc "$CL_BIN/runc"
	else
		note "$CLUSTER_SUITE's runc does not run here: $(head -n 1 <<<"$out" | sed 's/^.*runc: //')"
		installed runc || apt_install "runc (for the cluster's engines)" runc
		note "so the engines use this machine's runc $(dpkg-query -W -f='${Version}' runc)"
		ln -s "$(command -v runc)" "$CL_BIN/runc"
	fi
	if [[ -x /usr/bin/tini-static ]]; then
		ln -s /usr/bin/tini-static "$CL_BIN/docker-init"
	fi
}

# check_engine dies unless the binaries run and find their libraries.
check_engine() {
	local b missing v=()
	for b in dockerd containerd runc docker; do
		missing=$(ldd "$(readlink -f "$CL_BIN/$b")" 2>/dev/null | grep 'not found' || true)
		[[ -z $missing ]] || die "$b of the cluster's engine lacks libraries:" "$missing"
		"$CL_BIN/$b" --version >/dev/null 2>&1 ||
			die "$CL_BIN/$b --version fails:" "$("$CL_BIN/$b" --version 2>&1 | head -n 3)"
	done
	v+=("$("$CL_BIN/dockerd" --version | sed 's/, build.*//')")
	v+=("containerd $("$CL_BIN/containerd" --version | awk '{ print $3 }')")
	v+=("runc $("$CL_BIN/runc" --version | awk 'NR == 1 { print $3 }')")
	note "$(join_comma "${v[@]}")"
}

# ensure_engine makes sure $ENGINE_DIR holds a Docker 26 that runs here,
# downloading and extracting it when it does not.
ensure_engine() {
	say "the hosts' Docker engine: Debian $CLUSTER_SUITE's ${ENGINE_PACKAGES[*]} in $ENGINE_DIR"
	if [[ -s $ENGINE_DIR/packages.txt ]] && "$ENGINE_DIR/usr/sbin/dockerd" --version >/dev/null 2>&1; then
		note "extracted already: $(tr '\n' ' ' <"$ENGINE_DIR/packages.txt")"
	else
		can_apt || die "the cluster's engine is missing and only root on Debian with apt-get can download it"
		step "download and extraction" fetch_engine
		link_engine
	fi
	[[ -x $CL_BIN/dockerd ]] || link_engine
	check_engine
}

# new_key writes a P-256 private key, readable by its owner only, to $1.
new_key() {
	(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null) ||
		die "openssl could not make the key $1"
}

# sign_cert writes $1/cert.pem and $1/key.pem for the common name $2,
# signed by the cluster's CA, with the X.509 extensions $3 (one a line).
sign_cert() {
	local dir=$1 cn=$2 ext=$3
	mkdir -p "$dir"
	new_key "$dir/key.pem"
	openssl req -new -key "$dir/key.pem" -subj "/CN=$cn" 2>/dev/null |
		openssl x509 -req -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca-key.pem" \
			-set_serial "0x$(openssl rand -hex 16)" -days 3650 \
			-extfile <(printf '%s\n' "$ext") -out "$dir/cert.pem" 2>/dev/null ||
		die "openssl could not sign the certificate of $cn"
}

# cert_ok reports whether the certificate $1/cert.pem was signed by the CA,
# is good for 30 more days, matches $1/key.pem and, given an address $2,
# names it.
cert_ok() {
	local c=$1/cert.pem k=$1/key.pem
	[[ -s $c && -s $k ]] &&
		openssl verify -CAfile "$TLS_DIR/ca.pem" "$c" >/dev/null 2>&1 &&
		openssl x509 -checkend 2592000 -noout -in "$c" >/dev/null 2>&1 &&
		[[ $(openssl x509 -noout -pubkey -in "$c") == "$(openssl pkey -pubout -in "$k" 2>/dev/null)" ]] &&
		{ [[ -z ${2:-} ]] || openssl x509 -noout -ext subjectAltName -in "$c" 2>/dev/null | grep -qE "IP Address:${2//./\\.}(,|$)"; }
}

# ensure_tls makes, once, the CA, a server certificate for each host's
# engine port and the one client certificate (in the layout of Docker's
# DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem).
ensure_tls() {
	say "certificates for mutual TLS on the engines' port $ENGINE_PORT ($TLS_DIR)"
	have openssl || apt_install "openssl (the cluster's certificates)" openssl
	local made=() n
	mkdir -p "$TLS_DIR"
	chmod 0700 "$TLS_DIR"
	if [[ ! -s $TLS_DIR/ca-key.pem ]] || ! openssl x509 -checkend 2592000 -noout -in "$TLS_DIR/ca.pem" >/dev/null 2>&1; then
		new_key "$TLS_DIR/ca-key.pem"
		openssl req -x509 -new -key "$TLS_DIR/ca-key.pem" -subj "/CN=playground cluster CA" -days 3650 \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
			-out "$TLS_DIR/ca.pem" 2>/dev/null || die "openssl could not make the cluster's CA"
		made+=(CA)
	fi
	for ((n = 1; n <= CLUSTER_SIZE; n++)); do
		cert_ok "$TLS_DIR/host$n" "$(host_ip "$n")" && continue
		sign_cert "$TLS_DIR/host$n" "$(host_name "$n")" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$(host_ip "$n"),DNS:$(host_name "$n")"
		made+=("host$n")
	done
	if ! cert_ok "$TLS_DIR/client"; then
		sign_cert "$TLS_DIR/client" "playground" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
		made+=(client)
	fi
	cmp -s "$TLS_DIR/ca.pem" "$TLS_DIR/client/ca.pem" || cp "$TLS_DIR/ca.pem" "$TLS_DIR/client/ca.pem"
	if ((${#made[@]} > 0)); then
		note "made: ${made[*]} (keys 0600; the client's in $TLS_DIR/client)"
	else
		note "reused (the client's in $TLS_DIR/client)"
	fi
}

# tls_answers reports whether host $1's engine answers on its TCP port to
# the client certificate.
tls_answers() {
	DOCKER_CERT_PATH=$TLS_DIR/client timeout 10 "$CL_BIN/docker" --tlsverify -H "$(host_url "$1")" \
		version -f '{{.Server.Version}}' >/dev/null 2>&1
}
