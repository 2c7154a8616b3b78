#!/bin/sh
# make test: the lint (gofmt, vet, staticcheck), then every test, root
# integration tests included. Tests run in parallel packages; `ip netns`
# (used by them, and by nsexec's persistence, as ip itself does) makes
# /run/netns a shared mount on first use and never removes it. Once every
# package is done, and if the suite made it, it is unmounted here, so that
# the suite leaves no mount behind.
set -u
before=0
mountpoint -q /run/netns 2>/dev/null && before=1
./scripts/lint.sh || exit 1
NSEXEC_TEST_STRICT=${NSEXEC_TEST_STRICT-1} go test -count=1 -timeout 40m ./...
rc=$?
if [ "$before" = 0 ] && [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then
	while mountpoint -q /run/netns; do umount /run/netns || break; done
fi
exit $rc
