package probes

import (
	"net"
	"net/netip"
)

// fallbackInterfaces reads interfaces with the standard library: enough for
// every OS, without driver kinds or operational state.
func fallbackInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []Interface
	for _, i := range ifs {
		it := Interface{
			Name:     i.Name,
			Index:    i.Index,
			MTU:      i.MTU,
			AdminUp:  i.Flags&net.FlagUp != 0,
			Running:  i.Flags&net.FlagRunning != 0,
			Loopback: i.Flags&net.FlagLoopback != 0,
		}
		if len(i.HardwareAddr) > 0 {
			it.MAC = i.HardwareAddr.String()
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok {
					ones, _ := n.Mask.Size()
					it.Addrs = append(it.Addrs, netip.PrefixFrom(ip.Unmap(), ones))
				}
			}
		}
		out = append(out, it)
	}
	return out, nil
}
