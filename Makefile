# netprobe build and test entry points.

GO ?= go

.PHONY: build test e2e fuzz

# build: the one binary, into ./bin.
build:
	$(GO) build -o bin/netprobe ./cmd/netprobe

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
