# shellcheck shell=bash
# lib.sh: small helpers shared by the deploy scripts: messages, timing,
# and installing Debian packages when the machine allows it.
# shellcheck source=deploy/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# say prints one progress line.
say() { printf '==> %s\n' "$*"; }

# note prints an indented detail line.
note() { printf '    %s\n' "$*"; }

# die prints an error and stops with a non-zero exit.
die() {
	printf 'error: %s\n' "$1" >&2
	shift
	local line
	for line in "$@"; do printf '       %s\n' "$line" >&2; done
	exit 1
}

# step runs a command ($2...) under the name $1 and prints how long it took.
step() {
	local name=$1 start end
	shift
	start=$EPOCHREALTIME
	"$@"
	end=$EPOCHREALTIME
	note "$(awk -v n="$name" -v a="$start" -v b="$end" 'BEGIN { printf "%s took %.1fs", n, b - a }')"
}

# have reports whether a command exists.
have() { command -v "$1" >/dev/null 2>&1; }

# can_apt reports whether this machine lets us install Debian packages:
# root on Debian with apt-get.
can_apt() {
	[[ $(id -u) == 0 ]] && [[ -r /etc/debian_version ]] && have apt-get
}

# apt_install installs Debian packages, waiting for another apt to finish
# rather than failing, and refreshing the package lists once if needed.
# $1 is what the packages are for, the rest are package names.
apt_install() {
	local why=$1
	shift
	if ! can_apt; then
		die "$why is missing and cannot be installed here (needs root on Debian with apt-get)." \
			"Install the Debian packages: $*" \
			"e.g. as root: apt-get install -y $*"
	fi
	say "installing $* ($why)"
	local apt=(apt-get -q -y -o DPkg::Lock::Timeout=300)
	export DEBIAN_FRONTEND=noninteractive
	if ! "${apt[@]}" install "$@" </dev/null >"$DATA/apt.log" 2>&1; then
		note "refreshing the package lists"
		"${apt[@]}" update </dev/null >>"$DATA/apt.log" 2>&1 ||
			die "apt-get update failed; see $DATA/apt.log"
		"${apt[@]}" install "$@" </dev/null >>"$DATA/apt.log" 2>&1 ||
			die "apt-get install $* failed; see $DATA/apt.log"
	fi
}

# installed reports whether every named Debian package is installed.
installed() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || return 1
	done
}

# debian_mirror prints the Debian mirror this machine's apt uses for main
# (of any release: the same site serves them all), or deb.debian.org when
# none is configured.
debian_mirror() {
	local site
	# shellcheck disable=SC2016 # apt expands $(SITE), not the shell.
	site=$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 2>/dev/null |
		awk '$3 == "main" { print $1; exit }')
	echo "${site:-http://deb.debian.org/debian}"
}

mkdir -p "$DATA"
