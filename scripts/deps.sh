#!/bin/sh
# Installs what building, testing and benchmarking nsexec need on Debian,
# only when something is missing, so that a second run costs nothing.
#   build: gcc and libc6-dev (the init is C, the binary static: see
#          internal/initproc)
#   tests: busybox-static (a rootfs for the tests), iproute2, procps,
#          util-linux (setpriv, ipcmk, unshare, nsenter), nftables,
#          seccomp (scmp_sys_resolver: libseccomp's syscall tables, which
#          the seccomp compiler's tables are checked against)
#   bench: bubblewrap, runc, crun, hyperfine-free (bench/ times runs itself)
set -eu
need=""
check() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
check gcc gcc
# The binary is linked statically (internal/initproc): libc.a comes with libc6-dev.
dpkg -s libc6-dev >/dev/null 2>&1 || need="$need libc6-dev"
check busybox busybox-static
check ip iproute2
check ps procps
check setpriv util-linux
check nft nftables
check scmp_sys_resolver seccomp
if [ "${1:-}" = bench ]; then
	check bwrap bubblewrap
	check runc runc
	check crun crun
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$need; run as root (sudo make deps) to install them" >&2
	exit 1
fi
echo "deps: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
