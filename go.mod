module nsexec

go 1.26.8

require (
	github.com/moby/profiles/seccomp v0.3.0
	github.com/moby/sys/mountinfo v0.7.3
	github.com/opencontainers/runtime-spec v1.2.1
	github.com/spf13/pflag v1.0.10
	golang.org/x/net v0.41.0
	golang.org/x/sys v0.50.0
)
