#!/bin/sh
# make lint: gofmt, go vet and staticcheck over the whole module. staticcheck
# is built at a pinned version into .cache/bin (not in go.mod: the module does
# not depend on it), and rebuilt when the pin or the Go toolchain changes,
# since a staticcheck built by another Go cannot load this module's packages.
set -u
cd "$(dirname "$0")/.."
STATICCHECK=honnef.co/go/tools/cmd/staticcheck
STATICCHECK_VERSION=v0.8.2
bin=$PWD/.cache/bin
sc=$bin/staticcheck

rc=0

unformatted=$(find . -path ./.cache -prune -o -name '*.go' -print | xargs gofmt -l)
if [ -n "$unformatted" ]; then
	echo "lint: gofmt: these files are not formatted (run gofmt -w):" >&2
	echo "$unformatted" >&2
	rc=1
fi

go vet ./... || rc=1

built_with() { go version "$1" 2>/dev/null | awk '{print $2}'; }
if [ ! -x "$sc" ] ||
	! "$sc" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})" ||
	[ "$(built_with "$sc")" != "$(go env GOVERSION)" ]; then
	echo "lint: installing staticcheck $STATICCHECK_VERSION into $bin" >&2
	GOBIN=$bin go install "$STATICCHECK@$STATICCHECK_VERSION" || exit 1
fi
"$sc" ./... || rc=1

exit $rc
