package probes

import (
	"context"
	"fmt"
	"time"

	"github.com/netprobe/netprobe/result"
)

// NewLink prepares the link check of a snapshot (see Link).
func NewLink(sys System, at time.Time) Probe {
	return func(context.Context) []result.Check { return Link(sys, at) }
}

// Link judges the link layer from a system snapshot: one check per
// non-loopback interface. An interface that is up with carrier is ok. When
// at least one interface is usable, the others are "skip" (not in use: an
// unplugged second port is normal); when none is, every down interface
// fails, because then nothing can leave the machine.
func Link(sys System, at time.Time) []result.Check {
	var out []result.Check
	usable := 0
	for _, it := range sys.Interfaces {
		if it.Usable() {
			usable++
		}
	}
	for _, it := range sys.Interfaces {
		if it.Loopback {
			continue
		}
		c := result.Check{Name: "link", Layer: result.Link, Target: it.Name, Started: at, Evidence: map[string]any{}}
		c.With("admin_up", it.AdminUp).With("running", it.Running).With("mtu", it.MTU)
		if it.MAC != "" {
			c.With("mac", it.MAC)
		}
		if it.Kind != "" {
			c.With("kind", it.Kind)
		}
		if it.OperState != "" {
			c.With("oper_state", it.OperState)
		}
		switch {
		case it.Usable():
			c.Status = result.OK
			c.Detail = fmt.Sprintf("%s is up (MTU %d)", it.Name, it.MTU)
		case !it.AdminUp:
			c.Status, c.Reason = result.Skip, result.ReasonLinkAdminDown
			c.Detail = it.Name + " is switched off (administratively down)"
		default:
			c.Status, c.Reason = result.Skip, result.ReasonLinkNoCarrier
			c.Detail = it.Name + " is on but has no link (cable unplugged, Wi-Fi not connected?)"
		}
		if usable == 0 && c.Status != result.OK {
			c.Status = result.Fail
		} else if c.Status == result.Skip {
			c.Detail += "; not in use"
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		c := result.Check{Name: "link", Layer: result.Link, Target: "interfaces", Started: at, Status: result.Fail,
			Reason: result.ReasonLinkNoInterfaces, Detail: "no network interface other than loopback was found", Evidence: map[string]any{}}
		if len(sys.Errors) > 0 {
			c.Error = sys.Errors[0]
		}
		out = append(out, c)
	}
	return out
}
