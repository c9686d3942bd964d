#!/usr/bin/env bash
# base-image.sh: build the offline base image $OFFLINE_BASE (Debian
# $NODE_SUITE with the node's packages) with debootstrap and `docker import`, for hosts
# where no registry answers. Skipped when the image already exists.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"

# unmount_under unmounts whatever an interrupted debootstrap left mounted
# below $1, so removing the folder cannot reach into /proc or /sys.
unmount_under() {
	local m
	findmnt -rn -o TARGET | awk -v d="$1/" 'index($0, d) == 1' | sort -r | while read -r m; do
		umount -l "$m"
	done
}

# bootstrap fills $1 with a minimal $NODE_SUITE and the node's packages.
bootstrap() {
	local dir=$1 mirror
	mirror=$(debian_mirror)
	say "debootstrap $NODE_SUITE from $mirror (log: $DATA/debootstrap.log)"
	unmount_under "$dir"
	rm -rf "$dir"
	debootstrap --variant=minbase --include="${NODE_PACKAGES// /,}" "$NODE_SUITE" "$dir" "$mirror" \
		</dev/null >"$DATA/debootstrap.log" 2>&1 || {
		unmount_under "$dir"
		die "debootstrap failed; see $DATA/debootstrap.log" "$(tail -n 5 "$DATA/debootstrap.log")"
	}
	unmount_under "$dir"
	note "dropping apt caches, docs and man pages"
	rm -rf "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/* "$dir"/usr/share/man/* \
		"$dir"/usr/share/info/* "$dir"/var/log/*.log "$dir"/var/log/apt/*
	find "$dir/usr/share/doc" -type f ! -name copyright -delete
	echo localhost >"$dir/etc/hostname"
	: >"$dir/etc/resolv.conf"
	note "root filesystem: $(du -sh "$dir" | cut -f1)"
}

# import_rootfs turns the folder $1 into the image $OFFLINE_BASE.
import_rootfs() {
	say "importing $OFFLINE_BASE"
	tar -C "$1" -c . | docker import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["bash"]' - "$OFFLINE_BASE" >/dev/null
}

main() {
	if docker image inspect "$OFFLINE_BASE" >/dev/null 2>&1; then
		note "$OFFLINE_BASE exists"
		return
	fi
	[[ $(id -u) == 0 ]] || die "building $OFFLINE_BASE needs root (debootstrap)." \
		"Run as root, or give a base image with NODE_BASE=..."
	have debootstrap || apt_install "debootstrap (for the offline base image)" debootstrap
	local dir=$DATA/base-rootfs
	step debootstrap bootstrap "$dir"
	step import import_rootfs "$dir"
	rm -rf "$dir"
}

main "$@"
