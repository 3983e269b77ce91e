//go:build !linux

package probes

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/jackpal/gateway"
)

// Outside Linux the interfaces come from the standard library and the
// default gateway from jackpal/gateway, which knows each OS's route table
// (route/netstat output on macOS and BSD, GetIpForwardTable on Windows). It
// reports only the first IPv4 gateway: IPv6 default routes are not
// discovered there yet.

func readInterfaces() ([]Interface, error) { return fallbackInterfaces() }

func readDefaultRoutes(ctx context.Context) ([]Route, error) {
	ip, err := gateway.DiscoverGateway()
	if err != nil {
		if strings.Contains(err.Error(), "no gateway") {
			return nil, nil
		}
		return nil, err
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return nil, nil
	}
	a = a.Unmap()
	fam := 4
	if a.Is6() {
		fam = 6
	}
	return []Route{{Family: fam, Gateway: a}}, nil
}

func neighbourState(addr netip.Addr) (state, mac string, confirmed time.Duration) { return "", "", -1 }
