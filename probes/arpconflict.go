package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"

	"github.com/netprobe/netprobe/result"
)

// ARP conflict detection (RFC 5227). Two devices with the same IPv4
// address each work "sometimes": the router's ARP cache flips between
// them. The probe asks the local network who has this computer's own
// address, with the sender address 0.0.0.0 so nobody's cache is changed
// (an "ARP probe"); any answer from another hardware address is a
// conflict. It needs a raw (AF_PACKET) socket: root or CAP_NET_RAW, on
// Linux. Where that is not allowed the check is "not measured", with why.

// Conflict probe timing: two probes conflictProbeGap apart, replies
// awaited until conflictWait after the first (RFC 5227 waits longer;
// a device on the same LAN answers in milliseconds).
const (
	conflictProbeGap = 200 * time.Millisecond
	conflictWait     = 600 * time.Millisecond
)

// NewAddressConflict prepares the conflict check of the IPv4 address addr
// on the interface named ifname.
func NewAddressConflict(ifname string, addr netip.Addr) Probe {
	return One(func(ctx context.Context) result.Check { return AddressConflict(ctx, ifname, addr) })
}

// AddressConflict asks the local network whether another device holds
// addr (see the package notes above).
func AddressConflict(ctx context.Context, ifname string, addr netip.Addr) result.Check {
	c := begin("arp-conflict", result.Address, ifname+" "+addr.String())
	c.With("address", addr.String()).With("interface", ifname)
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		c.Status, c.Reason, c.Error = result.Skip, result.ReasonLocalResources, errText(err)
		c.Detail = "not checked for an address conflict: the interface is gone (" + errText(err) + ")"
		return end(c)
	}
	cl, err := arp.Dial(ifi)
	if err != nil {
		c.Status, c.Reason, c.Error = result.Skip, conflictSkipReason(err), errText(err)
		c.Detail = "not checked for an address conflict: " + conflictSkipWords(c.Reason)
		return end(c)
	}
	defer cl.Close()
	own := cl.HardwareAddr()
	c.With("mac", own.String())
	wait := min(conflictWait, remaining(ctx, conflictWait))
	deadline := time.Now().Add(wait)
	cl.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { cl.SetDeadline(time.Now()) })
	defer stop()

	probe, err := arp.NewPacket(arp.OperationRequest, own, netip.IPv4Unspecified(), net.HardwareAddr{0, 0, 0, 0, 0, 0}, addr)
	if err == nil {
		err = cl.WriteTo(probe, ethernet.Broadcast)
	}
	if err != nil {
		c.Status, c.Reason, c.Error = result.Skip, conflictSkipReason(err), errText(err)
		c.Detail = "not checked for an address conflict: the probe could not be sent (" + errText(err) + ")"
		return end(c)
	}
	second := time.AfterFunc(conflictProbeGap, func() { cl.WriteTo(probe, ethernet.Broadcast) })
	defer second.Stop()
	sent := 1
	for {
		p, _, err := cl.Read()
		if err != nil {
			break // the deadline (or the context) ended the wait
		}
		if other := conflictFrom(p, addr, own); other != nil {
			c.Status, c.Reason = result.Fail, result.ReasonAddressConflict
			c.With("other_mac", other.String())
			c.Detail = fmt.Sprintf("another device (%s) also uses %s: an address conflict, so traffic goes to one device or the other at random", other, addr)
			return end(c)
		}
	}
	if time.Since(c.Started) > conflictProbeGap {
		sent = 2
	}
	c.With("probes_sent", sent)
	c.Status = result.OK
	c.Detail = fmt.Sprintf("no other device answers for %s (ARP probe)", addr)
	return end(c)
}

// conflictFrom returns the hardware address of another device that
// claims addr in packet p: a reply for it, or a request that gives it as
// its own sender address (another host using it). Nil when p is ours or
// says nothing about addr.
func conflictFrom(p *arp.Packet, addr netip.Addr, own net.HardwareAddr) net.HardwareAddr {
	if p.SenderIP != addr || bytes.Equal(p.SenderHardwareAddr, own) {
		return nil
	}
	return p.SenderHardwareAddr
}

// conflictSkipReason tells a permission problem from an unsupported OS.
func conflictSkipReason(err error) result.Reason {
	switch {
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return result.ReasonLocalPermission
	case runtime.GOOS != "linux" || errors.Is(err, errors.ErrUnsupported):
		// The raw-socket library exists only for Linux; elsewhere it
		// answers every call with an untyped "not implemented".
		return result.ReasonLocalUnsupported
	}
	return result.ReasonLocalResources
}

func conflictSkipWords(r result.Reason) string {
	switch r {
	case result.ReasonLocalPermission:
		return "it needs raw network access (run as root or with CAP_NET_RAW)"
	case result.ReasonLocalUnsupported:
		return "this operating system does not let netprobe send ARP probes"
	}
	return "the ARP socket could not be opened"
}
