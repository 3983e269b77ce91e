package reports

import (
	"bytes"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// Prometheus writes the report in the Prometheus text exposition format
// (version 0.0.4) for node_exporter's textfile collector: write it to a
// temporary file and rename it into the collector's directory.
//
// Metrics (all gauges):
//
//	netprobe_up{layer}                          1 ok or warn, 0 fail; skipped layers are absent
//	netprobe_check_status{layer,check,target}   0 ok, 1 warn, 2 fail, -1 skip
//	netprobe_rtt_seconds{layer,check,target}    from evidence rtt_ms
//	netprobe_packet_loss_ratio{layer,check,target}  from evidence loss_pct
//	netprobe_printer_supply_percent{printer,supply} supplies with a known level
//	netprobe_printer_tray_percent{printer,tray}     trays with a known level
//	netprobe_verdict{status,layer}              always 1; the labels carry the verdict
//	netprobe_duration_seconds                   how long the run took
//	netprobe_last_run_timestamp_seconds         when it started, to alert on stale files
//
// It is written by hand rather than with prometheus/common/expfmt: that
// library brings client_model and protobuf (about 6 MB more binary for one
// optional format) and its current release needs a module our proxy does
// not serve. What is emitted here is a small subset (gauges with labels),
// and prometheus_test.go checks it against the format's grammar.
//
// When two checks share a label set (the same probe run twice against one
// target), the later ones get a "seq" label ("2", "3", ...) rather than
// being dropped, because duplicate series make the collector reject the
// whole file.
func Prometheus(w io.Writer, r *result.Report) error {
	p := promWriter{fams: map[string]*promFamily{}}
	v := r.Verdict
	p.add("netprobe_verdict", "Verdict of the last run: the labels say the status (ok, degraded, fail) and the layer at fault (none when healthy).",
		promLabels{{"status", string(v.Status)}, {"layer", v.Layer.String()}}, 1)
	p.add("netprobe_duration_seconds", "How long the last netprobe run took.", nil, r.Duration.Seconds())
	if !r.StartedAt.IsZero() {
		p.add("netprobe_last_run_timestamp_seconds", "When the last netprobe run started, in seconds since the Unix epoch.", nil,
			float64(r.StartedAt.UnixNano())/1e9)
	}
	for _, l := range r.Layers {
		layer := l.Name.String()
		switch l.Status {
		case result.OK, result.Warn:
			p.add("netprobe_up", "Whether the layer works (1: ok or warning, 0: failed). Layers that were not measured are absent.", promLabels{{"layer", layer}}, 1)
		case result.Fail:
			p.add("netprobe_up", "Whether the layer works (1: ok or warning, 0: failed). Layers that were not measured are absent.", promLabels{{"layer", layer}}, 0)
		}
		for _, c := range l.Checks {
			id := promLabels{{"layer", layer}, {"check", c.Name}, {"target", c.Target}}
			if st, ok := checkStatusValue(c.Status); ok {
				p.add("netprobe_check_status", "Status of one check: 0 ok, 1 warning, 2 failed, -1 skipped (not measured).", id, st)
			}
			if ms, ok := number(c.Evidence["rtt_ms"]); ok {
				p.add("netprobe_rtt_seconds", "Round-trip time a check measured.", id, scaled(ms, 1e3))
			}
			if pct, ok := number(c.Evidence["loss_pct"]); ok {
				p.add("netprobe_packet_loss_ratio", "Share of probe packets that got no answer (0 to 1).", id, scaled(pct, 1e2))
			}
			if s, ok := supplies(c.Evidence["supplies"]); ok {
				for _, x := range s {
					if x.Percent != nil {
						p.add("netprobe_printer_supply_percent", "Level of a printer supply in percent; for waste receptacles the space left.",
							promLabels{{"printer", c.Target}, {"supply", supplyRow(x).name}}, *x.Percent)
					}
				}
			}
			if s, ok := trays(c.Evidence["trays"]); ok {
				for _, x := range s {
					if x.Percent != nil {
						p.add("netprobe_printer_tray_percent", "Fill level of a printer input tray in percent.",
							promLabels{{"printer", c.Target}, {"tray", trayRow(x).name}}, *x.Percent)
					}
				}
			}
		}
	}
	_, err := w.Write(p.bytes())
	return err
}

// scaled converts a unit (ms to s, percent to ratio) at the report's
// precision (four decimals of the source unit, below any probe's), so 48.3
// ms prints as 0.0483 and not as 0.048299999999999996.
func scaled(v, div float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	return math.Round(v*1e4) / (div * 1e4)
}

// checkStatusValue maps a status to the number the metric documents.
func checkStatusValue(s result.Status) (float64, bool) {
	switch s {
	case result.OK:
		return 0, true
	case result.Warn:
		return 1, true
	case result.Fail:
		return 2, true
	case result.Skip:
		return -1, true
	}
	return 0, false
}

type promLabel struct{ name, value string }

type promLabels []promLabel

type promSample struct {
	labels promLabels
	value  float64
}

type promFamily struct {
	help    string
	samples []promSample
	seen    map[string]int
}

type promWriter struct {
	fams map[string]*promFamily
}

// add appends a sample, giving a repeated label set a "seq" label.
func (p *promWriter) add(name, help string, labels promLabels, v float64) {
	f := p.fams[name]
	if f == nil {
		f = &promFamily{help: help, seen: map[string]int{}}
		p.fams[name] = f
	}
	key := labels.String()
	f.seen[key]++
	if n := f.seen[key]; n > 1 {
		labels = append(labels[:len(labels):len(labels)], promLabel{"seq", strconv.Itoa(n)})
	}
	f.samples = append(f.samples, promSample{labels, v})
}

// bytes writes the families in name order, samples in report order.
func (p *promWriter) bytes() []byte {
	names := make([]string, 0, len(p.fams))
	for n := range p.fams {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		f := p.fams[n]
		b.WriteString("# HELP " + n + " " + promHelp(f.help) + "\n")
		b.WriteString("# TYPE " + n + " gauge\n")
		for _, s := range f.samples {
			b.WriteString(n + s.labels.String() + " " + promValue(s.value) + "\n")
		}
	}
	return b.Bytes()
}

// String is the label set as written in the exposition: {a="x",b="y"}.
func (ls promLabels) String() string {
	if len(ls) == 0 {
		return ""
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.name + `="` + promLabelValue(l.value) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// promLabelValue escapes a label value as the format requires: backslash,
// double quote and line feed. It is cleaned first, like every string a
// renderer shows: label values end up on dashboards and in alert texts, so
// no control, bidi or zero-width character and no invalid UTF-8 may reach
// them, and a carriage return must not split a line for a lax reader.
func promLabelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(clean(s))
}

// promHelp escapes HELP text: backslash and line feed.
func promHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// promValue formats a sample value the way client_golang does, including
// the spellings the format uses for infinities and NaN.
func promValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
