//go:build !linux && !windows && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package probes

import "context"

// Other systems (Solaris, illumos, AIX): interfaces from the standard
// library, default routes from `netstat -rn`, whose Solaris form the
// parser reads.

func readInterfaces() ([]Interface, error) { return fallbackInterfaces() }

func readDefaultRoutes(ctx context.Context) ([]Route, error) {
	out, err := runCommand(ctx, maxCommandOutput, "netstat", "-rn")
	if err != nil {
		return nil, err
	}
	return parseNetstatRoutes(out), nil
}
