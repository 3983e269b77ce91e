//go:build !windows && !darwin

package probes

import "context"

// Paths of the resolver configuration; variables so tests can point them
// at fixtures.
var (
	resolvConfPath   = "/etc/resolv.conf"
	resolvedUpstream = "/run/systemd/resolve/resolv.conf"
)

func readResolvers(ctx context.Context) ([]Resolver, string, error) {
	return resolvConfResolvers(resolvConfPath, resolvedUpstream)
}
