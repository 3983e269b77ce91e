//go:build windows

package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows: the IP Helper API (GetAdaptersAddresses, GetIpForwardTable2)
// gives interfaces, default routes of both families with metrics, and DNS
// servers, without words to translate. When it fails, `route print`,
// `ipconfig /all` and `netsh interface ip show config` are parsed
// instead. This file only copies the API's records; osparse_winapi.go and
// osparse_wintext.go decide.

func readInterfaces() ([]Interface, error) {
	ads, err := winAdapters()
	if err != nil {
		return fallbackInterfaces()
	}
	return interfacesFromAdapters(ads), nil
}

func readDefaultRoutes(ctx context.Context) ([]Route, error) {
	ads, err := winAdapters()
	if err == nil {
		if table, terr := winRouteTable(); terr == nil {
			return routesFromWinTable(table, ads), nil
		}
		return routesFromAdapters(ads), nil
	}
	ipc, ierr := runCommand(ctx, maxCommandOutput, "ipconfig", "/all")
	if rp, rerr := runCommand(ctx, maxCommandOutput, "route", "print"); rerr == nil {
		return routesFromRoutePrint(parseRoutePrint(rp), parseIpconfig(ipc)), nil
	}
	if ierr == nil {
		return routesFromIpconfig(parseIpconfig(ipc)), nil
	}
	ns, nerr := runCommand(ctx, maxCommandOutput, "netsh", "interface", "ip", "show", "config")
	if nerr != nil {
		return nil, fmt.Errorf("GetAdaptersAddresses: %v; %v; %w", err, ierr, nerr)
	}
	return routesFromNetsh(parseNetshConfig(ns)), nil
}

func readResolvers(ctx context.Context) ([]Resolver, string, error) {
	ads, err := winAdapters()
	if err == nil {
		return resolversFromAdapters(ads), "", nil
	}
	if ipc, ierr := runCommand(ctx, maxCommandOutput, "ipconfig", "/all"); ierr == nil {
		if rs := resolversFromIpconfig(parseIpconfig(ipc)); len(rs) > 0 {
			return rs, "", nil
		}
	}
	ns, nerr := runCommand(ctx, maxCommandOutput, "netsh", "interface", "ip", "show", "config")
	if nerr != nil {
		return nil, "", fmt.Errorf("GetAdaptersAddresses: %v; %w", err, nerr)
	}
	return resolversFromNetsh(parseNetshConfig(ns)), "", nil
}

// winAdapters copies GetAdaptersAddresses' records.
func winAdapters() ([]winAdapter, error) {
	const flags = windows.GAA_FLAG_INCLUDE_GATEWAYS | windows.GAA_FLAG_SKIP_ANYCAST | windows.GAA_FLAG_SKIP_MULTICAST
	size := uint32(15000)
	var buf []byte
	for i := 0; ; i++ {
		buf = make([]byte, size)
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, flags, 0, (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])), &size)
		if err == nil {
			break
		}
		if errors.Is(err, windows.ERROR_NO_DATA) {
			return nil, nil // no adapter at all
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) || i == 3 {
			return nil, os.NewSyscallError("GetAdaptersAddresses", err)
		}
	}
	var out []winAdapter
	for aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0])); aa != nil && len(out) < maxParsedAdapters; aa = aa.Next {
		a := winAdapter{
			Index: int(aa.IfIndex), Index6: int(aa.Ipv6IfIndex),
			Name: windows.UTF16PtrToString(aa.FriendlyName), Desc: windows.UTF16PtrToString(aa.Description),
			MTU: int(aa.Mtu), IfType: int(aa.IfType), OperStatus: int(aa.OperStatus),
			Metric4: int(aa.Ipv4Metric), Metric6: int(aa.Ipv6Metric),
		}
		if n := aa.PhysicalAddressLength; n > 0 && n <= uint32(len(aa.PhysicalAddress)) {
			a.MAC = net.HardwareAddr(aa.PhysicalAddress[:n]).String()
		}
		for u := aa.FirstUnicastAddress; u != nil && len(a.Addrs) < maxParsedAddrs; u = u.Next {
			if ip, ok := sockAddr(u.Address); ok {
				a.Addrs = append(a.Addrs, netip.PrefixFrom(ip, int(u.OnLinkPrefixLength)))
			}
		}
		for g := aa.FirstGatewayAddress; g != nil && len(a.Gateways) < maxParsedAddrs; g = g.Next {
			if ip, ok := sockAddr(g.Address); ok {
				a.Gateways = append(a.Gateways, ip)
			}
		}
		for d := aa.FirstDnsServerAddress; d != nil && len(a.DNS) < maxParsedAddrs; d = d.Next {
			if ip, ok := sockAddr(d.Address); ok {
				a.DNS = append(a.DNS, ip)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

func sockAddr(sa windows.SocketAddress) (netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(sa.IP())
	return a.Unmap(), ok
}

// winRouteTable copies GetIpForwardTable2's rows.
func winRouteTable() ([]winRoute, error) {
	var table *windows.MibIpForwardTable2
	if err := windows.GetIpForwardTable2(windows.AF_UNSPEC, &table); err != nil {
		return nil, os.NewSyscallError("GetIpForwardTable2", err)
	}
	defer windows.FreeMibTable(unsafe.Pointer(table))
	var out []winRoute
	for _, row := range table.Rows() {
		dst, ok := rawInet(&row.DestinationPrefix.Prefix)
		if !ok {
			continue
		}
		r := winRoute{Dst: netip.PrefixFrom(dst, int(row.DestinationPrefix.PrefixLength)), IfIndex: int(row.InterfaceIndex), Metric: int(row.Metric)}
		r.NextHop, _ = rawInet(&row.NextHop)
		out = append(out, r)
	}
	return out, nil
}

// rawInet reads a SOCKADDR_INET union.
func rawInet(sa *windows.RawSockaddrInet) (netip.Addr, bool) {
	switch sa.Family {
	case windows.AF_INET:
		return netip.AddrFrom4((*windows.RawSockaddrInet4)(unsafe.Pointer(sa)).Addr), true
	case windows.AF_INET6:
		return netip.AddrFrom16((*windows.RawSockaddrInet6)(unsafe.Pointer(sa)).Addr), true
	}
	return netip.Addr{}, false
}
