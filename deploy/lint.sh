#!/usr/bin/env bash
# lint.sh: gofmt must report nothing and go vet must pass.
set -euo pipefail
# shellcheck source=deploy/lib.sh
. "$(dirname "$0")/lib.sh"

cd "$ROOT"
have go || die "Go is missing; see deploy/build.sh"
say "gofmt -l"
mapfile -t unformatted < <(find . \( -path ./.git -o -path ./.data -o -name node_modules \) -prune -o \
	-name '*.go' -print0 | xargs -0 -r gofmt -l)
if ((${#unformatted[@]} > 0)); then
	die "these files need gofmt -w:" "${unformatted[@]}"
fi
say "go vet ./..."
go vet ./...
