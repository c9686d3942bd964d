# shellcheck shell=bash
# images.sh: the node image (rebuilt on every run; the layer cache makes an
# unchanged build fast), the stand-in lab image (built once) and the labs'
# own images (built when missing or changed).

# image_exists reports whether the engine has the named image.
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# pick_base prints the base image for the node image: $NODE_BASE when set,
# else a local or pullable $REGISTRY_BASE, else the offline base (built here
# when missing).
pick_base() {
	if [[ -n $NODE_BASE ]]; then
		echo "$NODE_BASE"
	elif image_exists "$REGISTRY_BASE"; then
		echo "$REGISTRY_BASE"
	elif image_exists "$OFFLINE_BASE"; then
		echo "$OFFLINE_BASE"
	elif timeout 20 docker pull -q "$REGISTRY_BASE" >/dev/null 2>&1; then
		echo "$REGISTRY_BASE"
	else
		note "no registry answers; building the offline base $OFFLINE_BASE" >&2
		"$DEPLOY/base-image.sh" >&2
		echo "$OFFLINE_BASE"
	fi
}

# stage copies files into a fresh build context folder and prints its path.
# $1 names the context; the rest are files to copy (mtimes kept, so the
# build cache sees unchanged files as unchanged).
stage() {
	local ctx=$DATA/build/$1
	shift
	rm -rf "$ctx"
	mkdir -p "$ctx"
	cp -p "$@" "$ctx/"
	echo "$ctx"
}

# build_image runs docker build, keeping its output in a log shown on failure.
# $1 is the log name, the rest are docker build arguments.
build_image() {
	local log=$DATA/build-$1.log
	shift
	docker build "$@" >"$log" 2>&1 ||
		die "docker build failed; see $log" "$(tail -n 15 "$log")"
}

# setup_node_image builds $NODE_IMAGE from deploy/node/Dockerfile and the
# current bin/playground.
setup_node_image() {
	say "node image $NODE_IMAGE"
	[[ -x $BIN ]] || die "$BIN is missing; run make build first"
	local base ctx
	base=$(pick_base)
	note "base $base"
	ctx=$(stage node "$DEPLOY"/node/* "$BIN")
	local old new
	old=$(docker image inspect -f '{{.Id}}' "$NODE_IMAGE" 2>/dev/null || true)
	build_image node --build-arg "BASE=$base" -t "$NODE_IMAGE" "$ctx"
	new=$(docker image inspect -f '{{.Id}}' "$NODE_IMAGE")
	if [[ -n $old && $old != "$new" ]]; then
		# The previous build is untagged now; drop it unless a container uses it.
		docker rmi "$old" >/dev/null 2>&1 || true
	fi
	note "built ${new:0:19}"
}

# setup_lab_image builds the stand-in $LAB_IMAGE from Debian's static
# busybox, unless it exists.
setup_lab_image() {
	say "lab image $LAB_IMAGE"
	if image_exists "$LAB_IMAGE"; then
		note "exists"
		return
	fi
	installed busybox-static || apt_install "a static busybox (for the lab image)" busybox-static
	local ctx
	ctx=$(stage myipaddress "$DEPLOY"/myipaddress/* /bin/busybox)
	build_image myipaddress -t "$LAB_IMAGE" "$ctx"
	note "built"
}

# LABPLAY_IMAGES maps each of the labs' own images (labplay/...) to its
# folder under deploy/. All are Debian's static busybox in an empty image,
# serving HTTP with deploy/web/serve, but labplay/registry:1, which runs
# Debian's docker-registry; see each folder's Dockerfile.
declare -A LABPLAY_IMAGES=(
	[labplay/web:1]=web
	[labplay/kv:1]=kv
	[labplay/counter:1]=counter
	[labplay/registry:1]=lab-registry
)

# registry_libs prints the libraries that the host's docker-registry loads,
# by their paths (symbolic links resolved when copied).
registry_libs() {
	ldd /usr/bin/docker-registry | grep -o '/[^ ]*' | sort -u
}

# stage_libs copies each library that registry_libs names under the build
# context $1's libs/ folder, at its own path.
stage_libs() {
	local lib
	for lib in $(registry_libs); do
		mkdir -p "$1/libs$(dirname "$lib")"
		cp -L "$lib" "$1/libs$lib"
	done
}

# setup_labplay_images builds the labs' own images that the engine lacks,
# or has from other files: each image is labelled with a hash of its build
# context, so an edited recipe is built again and an unchanged one is not.
setup_labplay_images() {
	say "labs' images ${!LABPLAY_IMAGES[*]}"
	installed busybox-static || apt_install "a static busybox (for the labs' images)" busybox-static
	local image dir ctx sum files old
	for image in "${!LABPLAY_IMAGES[@]}"; do
		dir=${LABPLAY_IMAGES[$image]}
		files=("$DEPLOY/$dir"/* /bin/busybox)
		case $dir in
		web) ;;
		lab-registry)
			installed docker-registry || apt_install "Debian's image registry (for the labs' registry image)" docker-registry
			# shellcheck disable=SC2207 # paths without spaces, one a line
			files+=(/usr/bin/docker-registry $(registry_libs))
			;;
		*) files+=("$DEPLOY/web/serve") ;;
		esac
		sum=$(sha256sum "${files[@]}" | sed 's|  .*/|  |' | sha256sum | cut -c1-16)
		if [[ $(docker image inspect -f '{{index .Config.Labels "playground.context"}}' "$image" 2>/dev/null) == "$sum" ]]; then
			note "$image exists"
			continue
		fi
		old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
		if [[ $dir == lab-registry ]]; then
			ctx=$(stage "labplay-$dir" "$DEPLOY/$dir"/* /bin/busybox /usr/bin/docker-registry)
			stage_libs "$ctx"
		else
			ctx=$(stage "labplay-$dir" "${files[@]}")
		fi
		build_image "labplay-$dir" --label "playground.context=$sum" -t "$image" "$ctx"
		# The previous build is untagged now; drop it unless a container uses it.
		[[ -z $old ]] || docker rmi "$old" >/dev/null 2>&1 || true
		note "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.1f MB", $1 / 1e6 }'))"
	done
}

# setup_registry_image builds $REGISTRY_IMAGE from Debian's docker-registry
# (installed on the host for its binary) on the node's base.
setup_registry_image() {
	say "registry image $REGISTRY_IMAGE"
	installed docker-registry || apt_install "Debian's image registry (for the nodes' mirror)" docker-registry
	# The package starts a registry service of its own; the playground runs
	# its registry in a container instead.
	if have systemctl && systemctl is-active -q docker-registry 2>/dev/null; then
		systemctl disable --now docker-registry >/dev/null 2>&1 || true
	fi
	local base ctx
	base=$(pick_base)
	ctx=$(stage registry "$DEPLOY"/registry/* /usr/bin/docker-registry)
	build_image registry --build-arg "BASE=$base" -t "$REGISTRY_IMAGE" "$ctx"
	note "built $(docker image inspect -f '{{.Id}}' "$REGISTRY_IMAGE" | cut -c1-19)"
}
