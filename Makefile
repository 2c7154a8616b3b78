# nsexec: make build | make test | make unit | make lint | make bench | make demo
GO ?= go
# Pure-Go name and user lookups: the binary is static (internal/initproc).
export GOFLAGS := -tags=netgo,osusergo

.PHONY: build test unit lint bench demo deps bench-deps clean

build:
	$(GO) build -o nsexec ./cmd/nsexec

deps:
	./scripts/deps.sh

bench-deps:
	./scripts/deps.sh bench

# The lint first, then every test. Root integration tests fail instead of
# skipping when NSEXEC_TEST_STRICT=1.
test: deps
	./scripts/test.sh

# The tests that need neither root nor installed tools, for any user: under
# -short the root and tool tests skip, even as root, and strict mode is off.
unit:
	NSEXEC_TEST_STRICT= $(GO) test -short -count=1 ./...

# gofmt, go vet, staticcheck (pinned, built into .cache/bin).
lint:
	./scripts/lint.sh

bench: bench-deps build
	$(GO) run ./bench

# The founding document's example, non-interactive.
demo: deps build
	./nsexec -npu myhost sh -c 'hostname; ps -ef; ip a'

clean:
	rm -f nsexec
