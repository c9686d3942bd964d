#!/usr/bin/env bash
# lint.sh: gofmt must report nothing, and go vet, staticcheck (a pinned
# version, installed into .data/tools from the Go module proxy) and the
# Debian package of shellcheck, on every script under deploy/ and .ci/,
# must pass.
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

say "staticcheck $STATICCHECK_VERSION"
tools=$DATA/tools
if [[ $("$tools/staticcheck" -version 2>/dev/null) != *"(${STATICCHECK_VERSION#v})"* ]]; then
	note "installing staticcheck $STATICCHECK_VERSION into $tools"
	GOBIN=$tools go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
"$tools/staticcheck" ./...

say "shellcheck"
have shellcheck || apt_install "shellcheck (make lint)" shellcheck
mapfile -t scripts < <(grep -rlE '^#!/usr/bin/env bash|^# shellcheck shell=bash' deploy .ci)
shellcheck -x "${scripts[@]}"
note "${#scripts[@]} scripts"
