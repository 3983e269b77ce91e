//go:build darwin

package probes

import (
	"context"
)

var resolvConfPath = "/etc/resolv.conf"

// macOS keeps its real resolver list in the System Configuration store;
// /etc/resolv.conf is only a compatibility copy of the first resolver.
// `scutil --dns` prints the store (scutilDNSResolvers reads it); the copy
// is the fallback.
func readResolvers(ctx context.Context) ([]Resolver, string, error) {
	out, err := runCommand(ctx, maxCommandOutput, "scutil", "--dns")
	if err == nil {
		if rs, note := scutilDNSResolvers(out); len(rs) > 0 {
			return rs, note, nil
		}
	}
	return resolvConfResolvers(resolvConfPath, "")
}
