package printer

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/secret"
	"github.com/netprobe/netprobe/probes"
	"github.com/netprobe/netprobe/result"
)

// fillEvidence stores the facts under the stable keys of the printer
// check's public JSON (docs/schema.md, "printer"):
//
//	condition        "ok", "warning", "error", "snmp_silent", "unreachable", "name_unresolved"
//	problems         []string, plain words, most severe first
//	faults           []result.Problem, the same problems typed, same order
//	snmp_version     "1", "2c" or "3"
//	snmp_round_trips int, SNMP requests sent (retries and v3 discovery included)
//	ports            map[string]string, print port -> PortState
//	snmp_error       why SNMP gave nothing (only then)
//	snmp_unread      []string, tables that could not be read (only then)
//	*_omitted        int, items of a list left out by the bounds (only then)
//
// and, when SNMP answered: sys_descr, sys_name, sys_object_id, uptime_s,
// model, serial, hr_device_index, device_status, printer_status, errors
// ([]string bit names), error_state_hex, supplies ([]result.Supply), trays
// ([]result.Tray), alerts ([]result.Alert) and display ([]string). A key
// is absent when the printer does not have that object.
func fillEvidence(c *result.Check, d *data, a assessment, opt Options, ports map[int]probes.PortState) {
	fillProblems(c, a)
	c.With("snmp_version", opt.Version).
		With("snmp_round_trips", d.roundTrips)
	pm := make(map[string]string, len(ports))
	for p, st := range ports {
		pm[strconv.Itoa(p)] = string(st)
	}
	c.With("ports", pm)
	if !d.answered {
		c.With("snmp_error", d.errText)
		return
	}
	if len(d.unread) > 0 {
		c.With("snmp_unread", d.unread)
	}
	c.With("sys_descr", d.sysDescr).
		With("sys_name", d.sysName).
		With("sys_object_id", d.sysObjectID).
		With("model", d.model()).
		With("hr_device_index", d.devIndex)
	if d.uptime != nil {
		c.With("uptime_s", int64(*d.uptime/100))
	}
	if d.serial != "" {
		c.With("serial", d.serial)
	}
	if d.deviceStatus != nil {
		c.With("device_status", enumName(printermib.DeviceStatusName(*d.deviceStatus), *d.deviceStatus))
	}
	if d.printerStatus != nil {
		c.With("printer_status", enumName(printermib.PrinterStatusName(*d.printerStatus), *d.printerStatus))
	}
	if d.hasErrState {
		names, left := d.errorNames()
		c.With("errors", names).
			With("error_state_hex", hex.EncodeToString(d.errState))
		if left > 0 {
			c.With("errors_omitted", left)
		}
	}
	c.With("supplies", d.supplies).
		With("trays", d.trays).
		With("alerts", d.alerts).
		With("display", d.display)
	for _, n := range []string{"supplies", "trays", "alerts", "display"} {
		if left := d.omitted[n]; left > 0 {
			c.With(n+"_omitted", left)
		}
	}
}

// fillProblems stores the condition and the problems, in words and typed:
// "problems" and "faults" list the same problems in the same order, bounded
// alike.
func fillProblems(c *result.Check, a assessment) {
	ps, left := bound(a.problems, maxProblems, func(p problem) int { return len(p.text) + len(p.code) + 16 })
	words := make([]string, len(ps))
	faults := make([]result.Problem, len(ps))
	for i, p := range ps {
		words[i] = p.text
		faults[i] = result.Problem{Code: p.code, Status: p.status, Text: p.text}
	}
	c.With("condition", a.condition).
		With("problems", words).
		With("faults", faults)
	if left > 0 {
		c.With("problems_omitted", left)
	}
}

// errorNames decodes the error bits, bounded: an agent may send far more
// octets than the MIB's two.
func (d *data) errorNames() ([]string, int) {
	return bound(printermib.ErrorBits(d.errState), maxErrors, func(s string) int { return len(s) })
}

// enumName shows an undefined enum value as "value(7)" instead of "".
func enumName(name string, v int) string {
	if name == "" {
		return fmt.Sprintf("value(%d)", v)
	}
	return name
}

// scrubCheck removes every secret from the check's text, once more. Every
// value from the network was scrubbed raw, before it was cut; this pass
// catches what no one expected to carry a secret (a library error, a
// target the user typed).
func scrubCheck(c *result.Check, s *secret.Scrubber) {
	if !s.Active() {
		return
	}
	c.Detail, c.Error, c.Target = s.String(c.Detail), s.String(c.Error), s.String(c.Target)
	for k, v := range c.Evidence {
		c.Evidence[k] = scrubValue(v, s)
	}
}

func scrubValue(v any, s *secret.Scrubber) any {
	switch x := v.(type) {
	case string:
		return s.String(x)
	case []string:
		return s.Strings(x)
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, v := range x {
			out[s.String(k)] = s.String(v)
		}
		return out
	case []result.Supply:
		out := slices.Clone(x)
		for i := range out {
			out[i].Description, out[i].Color = s.String(out[i].Description), s.String(out[i].Color)
		}
		return out
	case []result.Tray:
		out := slices.Clone(x)
		for i := range out {
			out[i].Name = s.String(out[i].Name)
		}
		return out
	case []result.Alert:
		out := slices.Clone(x)
		for i := range out {
			out[i].Description = s.String(out[i].Description)
		}
		return out
	case []result.Problem:
		out := slices.Clone(x)
		for i := range out {
			out[i].Text = s.String(out[i].Text)
		}
		return out
	}
	return v
}
