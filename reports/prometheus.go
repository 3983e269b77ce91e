package reports

import (
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Prometheus writes the report in the Prometheus text exposition format
// for node_exporter's textfile collector (netprobe --output-file writes
// it atomically). It goes through the same client_golang registry and
// Collector as `netprobe serve`'s /probe, so the two can never disagree.
func Prometheus(w io.Writer, r *result.Report) error {
	reg := prometheus.NewRegistry()
	if err := reg.Register(NewCollector(r)); err != nil {
		return err
	}
	mfs, err := reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// Collector exposes one finished report as metrics (all gauges):
//
//	probe_success                                1 ok or degraded, 0 fail or unknown
//	probe_duration_seconds                       how long the run took
//	netprobe_last_run_timestamp_seconds          when it started, to alert on stale files
//	netprobe_verdict{status,layer,reason}        always 1; the labels carry the verdict
//	netprobe_layer_status{layer}                 0 ok, 1 warn, 2 fail, -1 skip
//	netprobe_up{layer}                           1 ok or warn, 0 fail; skipped layers are absent
//	netprobe_check_status{layer,check,probe,target,reason}  0 ok, 1 warn, 2 fail, -1 skip
//	netprobe_check_duration_seconds{layer,check,probe,target}
//	netprobe_rtt_seconds{layer,check,probe,target}          from evidence rtt_ms
//	netprobe_packet_loss_ratio{layer,check,probe,target}    from evidence loss_pct
//	probe_ssl_earliest_cert_expiry{check,target} the certificate's expiry, Unix seconds
//	probe_http_status_code{check,target}
//	probe_dns_lookup_time_seconds{check,target}  a DNS check's answer time
//	netprobe_printer_supply_percent{check,printer,supply}   supplies with a known level
//	netprobe_printer_tray_percent{check,printer,tray}       trays with a known level
//	netprobe_printer_error{check,printer,code}   1 per error the printer reports
//	                                             (hrPrinterDetectedErrorState names: jammed, noToner, ...)
//
// "check" is the check file's name of the check where there is one, else
// the probe's name; "probe" is the probe (tcp, tls, http, dns, ...).
// Every label value is sanitised (no control characters, valid UTF-8,
// bounded length): targets, supply names and reasons may come from the
// network. When two series would share a label set (the same probe run
// twice against one target), the later ones get a "seq" label ("2", ...)
// rather than being dropped: a duplicate series fails the whole scrape.
type Collector struct {
	r *result.Report
}

// NewCollector makes a collector of r; r must not change afterwards.
func NewCollector(r *result.Report) *Collector { return &Collector{r: r} }

// Describe sends nothing: the label sets depend on the report, so this is
// an unchecked collector, as the client library allows.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends the report's metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	m := newMetricSet(ch)
	r := c.r
	v := r.Verdict
	success := 0.0
	if v.Status == result.Healthy || v.Status == result.Degraded {
		success = 1
	}
	m.add("probe_success", "Whether the probe succeeded: 1 when every check is as expected (warnings included), 0 when one fails.", nil, success)
	m.add("probe_duration_seconds", "How long the probe (the netprobe run) took.", nil, r.Duration.Seconds())
	if !r.StartedAt.IsZero() {
		m.add("netprobe_last_run_timestamp_seconds", "When the netprobe run started, in seconds since the Unix epoch.", nil,
			float64(r.StartedAt.UnixNano())/1e9)
	}
	m.add("netprobe_verdict", "Verdict of the run: the labels say the status (ok, degraded, fail, unknown), the layer at fault (none when healthy) and its reason code.",
		labels{{"status", string(v.Status)}, {"layer", v.Layer.String()}, {"reason", string(v.Reason)}}, 1)
	for _, l := range r.Layers {
		layer := l.Name.String()
		if st, ok := statusValue(l.Status); ok {
			m.add("netprobe_layer_status", "Status of a layer: 0 ok, 1 warning, 2 failed, -1 not measured.", labels{{"layer", layer}}, st)
		}
		switch l.Status {
		case result.OK, result.Warn:
			m.add("netprobe_up", "Whether the layer works (1: ok or warning, 0: failed). Layers that were not measured are absent.", labels{{"layer", layer}}, 1)
		case result.Fail:
			m.add("netprobe_up", "Whether the layer works (1: ok or warning, 0: failed). Layers that were not measured are absent.", labels{{"layer", layer}}, 0)
		}
		for _, ch := range l.Checks {
			collectCheck(m, layer, ch)
		}
	}
}

// collectCheck sends one check's series.
func collectCheck(m *metricSet, layer string, c result.Check) {
	name := c.Name
	if n, ok := c.Evidence["check"].(string); ok && n != "" {
		name = n
	}
	id := labels{{"layer", layer}, {"check", name}, {"probe", c.Name}, {"target", c.Target}}
	short := labels{{"check", name}, {"target", c.Target}}
	if st, ok := statusValue(c.Status); ok {
		m.add("netprobe_check_status", "Status of one check: 0 ok, 1 warning, 2 failed, -1 skipped (not measured); reason is its code.",
			append(id[:len(id):len(id)], label{"reason", string(c.Reason)}), st)
	}
	if c.Duration > 0 {
		m.add("netprobe_check_duration_seconds", "How long one check took.", id, c.Duration.Seconds())
	}
	if ms, ok := number(c.Evidence["rtt_ms"]); ok {
		m.add("netprobe_rtt_seconds", "Round-trip time a check measured.", id, scaled(ms, 1e3))
		if c.Name == "dns" {
			m.add("probe_dns_lookup_time_seconds", "Time a DNS server took to answer the check's question.", short, scaled(ms, 1e3))
		}
	}
	if pct, ok := number(c.Evidence["loss_pct"]); ok {
		m.add("netprobe_packet_loss_ratio", "Share of probe packets that got no answer (0 to 1).", id, scaled(pct, 1e2))
	}
	if s, ok := c.Evidence["cert_not_after"].(string); ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			m.add("probe_ssl_earliest_cert_expiry", "When the server's certificate expires, in seconds since the Unix epoch.", short, float64(t.Unix()))
		}
	}
	if code, ok := number(c.Evidence["http_status"]); ok {
		m.add("probe_http_status_code", "The HTTP status code of the answer.", short, code)
	}
	printer := labels{{"check", name}, {"printer", c.Target}}
	if s, ok := supplies(c.Evidence["supplies"]); ok {
		for _, x := range s {
			if x.Percent != nil {
				m.add("netprobe_printer_supply_percent", "Level of a printer supply in percent; for waste receptacles the space left.",
					append(printer[:2:2], label{"supply", supplyRow(x).name}), *x.Percent)
			}
		}
	}
	if s, ok := trays(c.Evidence["trays"]); ok {
		for _, x := range s {
			if x.Percent != nil {
				m.add("netprobe_printer_tray_percent", "Fill level of a printer input tray in percent.",
					append(printer[:2:2], label{"tray", trayRow(x).name}), *x.Percent)
			}
		}
	}
	for _, e := range stringList(c.Evidence["errors"]) {
		m.add("netprobe_printer_error", "1 for each error the printer reports (hrPrinterDetectedErrorState: jammed, noPaper, noToner, doorOpen, offline, ...).",
			append(printer[:2:2], label{"code", e}), 1)
	}
}

func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// scaled converts a unit (ms to s, percent to ratio) at the report's
// precision (four decimals of the source unit, below any probe's), so 48.3
// ms prints as 0.0483 and not as 0.048299999999999996.
func scaled(v, div float64) float64 {
	if isBad(v) {
		return v
	}
	return math.Round(v*1e4) / (div * 1e4)
}

// statusValue maps a status to the number the metrics document.
func statusValue(s result.Status) (float64, bool) {
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

type label struct{ name, value string }

type labels []label

// metricSet builds const metrics, one Desc per family and label names,
// numbering repeated label sets.
type metricSet struct {
	ch    chan<- prometheus.Metric
	descs map[string]*prometheus.Desc
	seen  map[string]int
}

func newMetricSet(ch chan<- prometheus.Metric) *metricSet {
	return &metricSet{ch: ch, descs: map[string]*prometheus.Desc{}, seen: map[string]int{}}
}

func (m *metricSet) add(name, help string, ls labels, v float64) {
	vals := make([]string, len(ls))
	for i, l := range ls {
		vals[i] = LabelValue(l.value)
	}
	key := name + "\x00" + strings.Join(vals, "\x00")
	m.seen[key]++
	if n := m.seen[key]; n > 1 {
		ls = append(ls[:len(ls):len(ls)], label{"seq", strconv.Itoa(n)})
		vals = append(vals, strconv.Itoa(n))
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.name
	}
	dk := name + "\x00" + strings.Join(names, ",")
	d := m.descs[dk]
	if d == nil {
		d = prometheus.NewDesc(name, help, names, nil)
		m.descs[dk] = d
	}
	metric, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, v, vals...)
	if err != nil {
		metric = prometheus.NewInvalidMetric(d, err)
	}
	m.ch <- metric
}

// LabelValue makes a string safe as a label value: sanitised like every
// network string (no control characters or escape sequences, valid UTF-8,
// at most 256 characters). The exposition format's own escaping
// (backslash, quote, newline) is client_golang's job.
func LabelValue(s string) string { return sanitize.String(s, 0) }
