module nsexec

go 1.26.8

require (
	github.com/creack/pty v1.1.24
	github.com/opencontainers/runtime-spec v1.3.0
	github.com/spf13/pflag v1.0.10
	golang.org/x/sys v0.50.0
)
