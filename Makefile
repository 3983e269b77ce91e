# netprobe build and test entry points.

GO ?= go

# The build's identity, stamped into cmd.Version, cmd.Commit and cmd.Date
# (a plain `go build` or `go install` falls back to the Go build info).
VERSION ?= $(patsubst v%,%,$(shell git describe --tags --always --dirty 2>/dev/null || echo dev))
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG     := github.com/netprobe/netprobe/cmd
LDFLAGS := -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)

.PHONY: build test e2e fuzz release

# build: the one binary, into ./bin, with its version stamped in.
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/netprobe ./cmd/netprobe

# release: archives for linux, darwin, windows and freebsd x amd64/arm64
# and their SHA256SUMS, into ./dist (see scripts/release).
release:
	scripts/release $(VERSION)

# test: every package; the fault lab (e2e/) runs too when this is root,
# and skips itself with a message otherwise.
test:
	$(GO) test ./...

# e2e: only the fault lab, verbose, never cached (it tests a network, not
# just code). Needs root, iproute2, nftables, snmpsim: see e2e/README.md.
e2e:
	$(GO) test -count=1 -v -timeout 10m ./e2e

# fuzz: every fuzz target for FUZZTIME each (default 10s); a failing input
# is left in the package's testdata/fuzz/ to commit with the fix.
fuzz:
	scripts/fuzz
