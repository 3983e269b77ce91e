//go:build windows

package probes

import (
	"context"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows has no resolv.conf: each adapter carries its DNS servers, read
// with GetAdaptersAddresses (only adapters that are up).
func readResolvers(ctx context.Context) ([]Resolver, string, error) {
	size := uint32(15000)
	var buf []byte
	for i := 0; i < 3; i++ {
		buf = make([]byte, size)
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST, 0,
			(*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])), &size)
		if err == nil {
			break
		}
		if err != windows.ERROR_BUFFER_OVERFLOW {
			return nil, "", os.NewSyscallError("GetAdaptersAddresses", err)
		}
	}
	var rs []Resolver
	seen := map[netip.Addr]bool{}
	for aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])); aa != nil; aa = aa.Next {
		if aa.OperStatus != windows.IfOperStatusUp {
			continue
		}
		for ds := aa.FirstDnsServerAddress; ds != nil; ds = ds.Next {
			ip := ds.Address.IP()
			a, ok := netip.AddrFromSlice(ip)
			if !ok {
				continue
			}
			a = a.Unmap()
			switch {
			case a.Is4():
			case a.Is6():
				// fec0:0:0:ffff::1-3 are Windows' unconfigured placeholders.
				if a.Is6() && a.As16()[0] == 0xfe && a.As16()[1] == 0xc0 {
					continue
				}
			}
			if !seen[a] {
				seen[a] = true
				rs = append(rs, Resolver{Addr: netip.AddrPortFrom(a, 53), Source: "adapter " + windows.UTF16PtrToString(aa.FriendlyName)})
			}
		}
	}
	return rs, "", nil
}
