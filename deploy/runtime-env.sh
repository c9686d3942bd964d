# shellcheck shell=bash
# runtime-env.sh: export the environment the playground binary and the
# tests read. Sourced after lib.sh.

export DATABASE_URL="${DATABASE_URL:-$LOCAL_DATABASE_URL}"
export PLAYGROUND_ADDR="$ADDR"
export PLAYGROUND_NODE_IMAGE="$NODE_IMAGE"
export PLAYGROUND_CHROMIUM="$CHROMIUM"
export PLAYGROUND_BIN="$BIN"
