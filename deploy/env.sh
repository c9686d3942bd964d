# shellcheck shell=bash disable=SC2034
# env.sh: the one place where the set-up's defaults are defined.
# Sourced by every script under deploy/; each value can be overridden from
# the environment (e.g. `make run ADDR=0.0.0.0:8080`).

# DEPLOY is this folder: the scripts and the image recipes.
DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ROOT is the repository's top folder.
ROOT="${ROOT:-$(dirname "$DEPLOY")}"

# DATA is the project's data folder: the Postgres cluster, logs, build contexts.
DATA="${DATA:-$ROOT/.data}"

# BIN is the playground binary that `make build` writes.
BIN="${BIN:-$ROOT/bin/playground}"

# ADDR is where `make run` serves the playground.
ADDR="${ADDR:-127.0.0.1:8080}"

# The local Postgres cluster, used when no DATABASE_URL is given.
PG_DIR="${PG_DIR:-$DATA/pg}"
PG_SOCKET_DIR="${PG_SOCKET_DIR:-$DATA/pg-run}"
PG_LOG="${PG_LOG:-$DATA/pg.log}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-54329}"
PG_DB="${PG_DB:-playground}"
PG_MAX_CONNECTIONS="${PG_MAX_CONNECTIONS:-200}"
LOCAL_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/$PG_DB?sslmode=disable"

# NODE_ISOLATION is the server's PLAYGROUND_NODE_ISOLATION: userns (the
# default; the set-up gives the engine user namespaces) or unsafe-host-root.
NODE_ISOLATION="${PLAYGROUND_NODE_ISOLATION:-userns}"

# The Docker engine started by the set-up when none answers.
DOCKER_SOCK="${DOCKER_SOCK:-/var/run/docker.sock}"
DOCKERD_LOG="${DOCKERD_LOG:-$DATA/dockerd.log}"

# LXCFS, whose /proc files show each node its own memory and CPUs: the
# server's PLAYGROUND_NODE_LXCFS (off for none).
LXCFS_DIR="${PLAYGROUND_NODE_LXCFS:-/var/lib/lxcfs}"
LXCFS_LOG="${LXCFS_LOG:-$DATA/lxcfs.log}"

# Images. NODE_BASE may name a base image explicitly; when empty the set-up
# picks debian:trixie-slim if a registry answers, else the offline base.
# NODE_SUITE is the Debian release of the nodes.
NODE_IMAGE="${NODE_IMAGE:-playground-node:latest}"
NODE_BASE="${NODE_BASE:-}"
NODE_SUITE="${NODE_SUITE:-trixie}"
REGISTRY_BASE="${REGISTRY_BASE:-debian:$NODE_SUITE-slim}"
OFFLINE_BASE="${OFFLINE_BASE:-playground-base:$NODE_SUITE}"
LAB_IMAGE="${LAB_IMAGE:-mtbsoft/myipaddress:latest}"
REGISTRY_IMAGE="${REGISTRY_IMAGE:-playground-registry:latest}"

# Packages of the node image (and of the offline base built by debootstrap),
# from their one list.
NODE_PACKAGES="$(grep -v '^#' "$ROOT/deploy/node/packages.txt" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"

# The swarm of three Docker hosts on this machine (`make cluster`,
# deploy/cluster.sh): its folder; the /16 whose /24 number N is host N's
# pool of local networks; the swarm's pool for overlay networks; and the
# Debian release whose docker.io the hosts run. CLUSTER_NAME (the prefix of
# its names on the machine) and CLUSTER_NET (the /24 of the bridge that joins
# the hosts) are chosen by deploy/cluster.sh unless given.
CLUSTER_DIR="${CLUSTER_DIR:-$DATA/cluster}"
CLUSTER_LOCAL_POOL="${CLUSTER_LOCAL_POOL:-10.252}"
CLUSTER_SWARM_POOL="${CLUSTER_SWARM_POOL:-10.253.0.0/16}"
CLUSTER_SUITE="${CLUSTER_SUITE:-trixie}"

# The label key that marks the project's own containers, networks and volumes.
INSTANCE_LABEL="${INSTANCE_LABEL:-playground.instance}"

# Browser for the end-to-end tests.
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# STATICCHECK_VERSION is the staticcheck make lint installs and runs.
STATICCHECK_VERSION="${STATICCHECK_VERSION:-v0.8.2}"

# GO_TEST_TIMEOUT bounds `make test`; PKGS narrows it (e.g. PKGS=./sessions/...).
GO_TEST_TIMEOUT="${GO_TEST_TIMEOUT:-30m}"
PKGS="${PKGS:-./...}"
