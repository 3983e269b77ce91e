package reports

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Helpers shared by the human formats (text, Markdown). They turn values
// into strings and never look at what the values mean.

// noLimit keeps sanitize.String from shortening report text by runes:
// probes already bound what they store, and clip bounds by bytes, far
// above what any probe keeps.
const noLimit = math.MaxInt32

// clean makes a string from the report safe to print on a terminal or to
// paste: probes sanitise network strings before storing them, but a report
// can also be read back from a JSON file someone else wrote, so the human
// renderers do it again, and bound it (clip, before sanitising so a
// megabyte is not walked, and after, because a control character becomes
// a three-byte U+FFFD). It is idempotent, so already-clean text is kept.
func clean(s string) string { return clip(sanitize.String(clip(s), noLimit)) }

// joinList cleans, bounds and comma-joins the strings of one value.
func joinList(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return strings.Join(clipList(out), ", ")
}

// layerTitle is the name a person reads for a layer.
func layerTitle(l result.Layer) string {
	switch l {
	case result.DNS:
		return "DNS"
	case result.None:
		return "None"
	}
	n := l.String()
	return strings.ToUpper(n[:1]) + n[1:]
}

// layerTitles joins layer titles with commas.
func layerTitles(ls []result.Layer) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = layerTitle(l)
	}
	return strings.Join(out, ", ")
}

// overallWord is the verdict status as one upper-case word.
func overallWord(o result.Overall) string {
	switch o {
	case result.Healthy:
		return "OK"
	case result.Degraded:
		return "DEGRADED"
	case result.Failed:
		return "FAIL"
	case "":
		return "UNKNOWN"
	}
	return strings.ToUpper(clean(string(o)))
}

// statusWord is a check or layer status as a fixed-width upper-case word.
func statusWord(s result.Status) string {
	switch s {
	case result.OK:
		return "OK"
	case result.Warn:
		return "WARN"
	case result.Fail:
		return "FAIL"
	case result.Skip:
		return "SKIP"
	case "":
		return "?"
	}
	return strings.ToUpper(clean(string(s)))
}

// headline is the verdict's first line without decoration, e.g.
// "FAIL at the DNS layer".
func headline(v result.Verdict) string {
	switch {
	case v.Reason == result.ReasonInterrupted:
		return "INTERRUPTED: incomplete report"
	case v.Status == result.Unknown:
		return "NOT MEASURED"
	}
	h := overallWord(v.Status)
	if v.Layer != result.None {
		h += " at the " + layerTitle(v.Layer) + " layer"
	}
	return h
}

// num formats a measured number compactly: whole numbers without a
// fraction, one decimal from 1 up, two below 1 so sub-millisecond RTTs do
// not print as 0.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	prec := 1
	if math.Abs(v) < 1 {
		prec = 2
	}
	p := math.Pow(10, float64(prec))
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}

// number reads an evidence figure (see result.Number).
func number(v any) (float64, bool) { return result.Number(v) }

// duration formats a run or check duration at a precision that fits its
// size, with its unit after a space as every figure of a report has it:
// 4.21 s, 850 ms, 0.4 ms; a minute or more as Go writes it (1m30s).
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 s"
	case d >= time.Minute:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Second:
		return strconv.FormatFloat(d.Round(10*time.Millisecond).Seconds(), 'f', -1, 64) + " s"
	case d >= time.Millisecond:
		return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10) + " ms"
	}
	return num(result.Millis(d)) + " ms"
}

// value formats one evidence value on a single line. Lists are joined with
// ", ", maps as k=v in key order; printer types are counted because their
// tables show them in full.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		if x == "" {
			return `""` // an empty answer, shown so it does not read as a missing value
		}
		return clean(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []string:
		if len(x) == 0 {
			return "(none)"
		}
		return joinList(x)
	case map[string]string:
		out := make([]string, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = append(out, clean(k)+"="+clean(x[k]))
		}
		if len(out) == 0 {
			return "(none)"
		}
		return joinList(out)
	case []result.Supply:
		return plural(len(x), "supply", "supplies")
	case []result.Tray:
		return plural(len(x), "tray", "trays")
	case []result.Alert:
		return plural(len(x), "alert", "alerts")
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case time.Duration:
		return duration(x)
	case fmt.Stringer:
		return clean(x.String())
	}
	if n, ok := number(v); ok {
		return num(n)
	}
	// Anything else (a []any or map[string]any read back from JSON, a
	// probe's own type) is walked generically so it still prints in a
	// stable order.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		n := min(rv.Len(), maxListItems+1) // more than that is cut anyway
		out := make([]string, n)
		for i := range out {
			out[i] = value(rv.Index(i).Interface())
		}
		if len(out) == 0 {
			return "(none)"
		}
		if rv.Len() > n {
			out = append(out, make([]string, rv.Len()-n)...) // counted, not shown
		}
		return joinList(out)
	case reflect.Map:
		keys := make([]string, 0, rv.Len())
		vals := map[string]string{}
		for _, k := range rv.MapKeys() {
			ks := clean(fmt.Sprint(k.Interface()))
			keys = append(keys, ks)
			vals[ks] = value(rv.MapIndex(k).Interface())
		}
		sort.Strings(keys)
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = k + "=" + vals[k]
		}
		if len(out) == 0 {
			return "(none)"
		}
		return joinList(out)
	case reflect.Pointer:
		if rv.IsNil() {
			return "-"
		}
		return value(rv.Elem().Interface())
	}
	return clean(fmt.Sprintf("%+v", v))
}

// plural returns "1 tray" or "3 trays".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// strs returns an evidence value as a list of strings when it is one
// ([]string, or []any of strings as read back from JSON), each string
// clipped and the list bounded by clipList.
func strs(v any) ([]string, bool) {
	var out []string
	switch x := v.(type) {
	case []string:
		out = make([]string, len(x))
		for i, s := range x {
			out[i] = clip(s)
		}
	case []any:
		out = make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, clip(s))
		}
	default:
		return nil, false
	}
	return clipList(out), true
}

// keyFacts picks the few evidence values worth a place on a check's own
// line, in a fixed order: reachability and timing first, then protocol
// answers. It only reformats what is there.
func keyFacts(ev map[string]any) []string {
	var out []string
	if v, ok := number(ev["loss_pct"]); ok {
		out = append(out, "loss "+num(v)+"%")
	}
	if v, ok := number(ev["rtt_ms"]); ok {
		out = append(out, "rtt "+num(v)+" ms")
	} else if v, ok := number(ev["avg_ms"]); ok {
		out = append(out, "avg "+num(v)+" ms")
	}
	if m, ok := ev["method"].(string); ok && m != "" && m != "icmp" {
		out = append(out, "via "+clean(m))
	}
	if v, ok := ev["rcode"].(string); ok && v != "" {
		out = append(out, clean(v))
	}
	if v, ok := number(ev["connect_ms"]); ok {
		out = append(out, "connect "+num(v)+" ms")
	}
	if v, ok := ev["tls_version"].(string); ok && v != "" {
		v = clean(v)
		if !strings.HasPrefix(strings.ToUpper(v), "TLS") {
			v = "TLS " + v
		}
		out = append(out, v)
	}
	if v, ok := number(ev["http_status"]); ok {
		out = append(out, "HTTP "+num(v))
	}
	// A printer's condition, except "ok", which the mark already says.
	if v, ok := ev["condition"].(string); ok && v != "" && v != "ok" {
		out = append(out, clean(v))
	}
	return out
}

// pctText is a level percentage as whole percent. Rounding must not claim
// "0%" for a supply that has a little left or "100%" for one that is not
// full, so those ends show as "<1%" and ">99%".
func pctText(p float64) string {
	switch {
	case p > 0 && p < 1:
		return "<1%"
	case p > 99 && p < 100:
		return ">99%"
	}
	return num(math.Round(p)) + "%"
}

// runItems are the first footer items of every human format: the tool
// and its version, when the run started, and how long it took of its
// budget. esc makes a string safe for the format.
func runItems(r *result.Report, esc func(string) string) []string {
	tool := esc(r.Tool.Name)
	if tool == "" {
		tool = "netprobe"
	}
	if v := esc(r.Tool.Version); v != "" {
		tool += " " + v
	}
	items := []string{tool}
	if !r.StartedAt.IsZero() {
		items = append(items, "started "+r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	took := "took " + duration(r.Duration)
	if r.Budget > 0 {
		took += " of " + duration(r.Budget) + " budget"
	}
	return append(items, took)
}

// figureIn finds a measured time in a sentence: "1.2 ms", "96ms", "2.0 s".
var figureIn = regexp.MustCompile(`\d(\.\d+)? ?(ms|s)\b`)

// factsFor is keyFacts for a check's own line without what its detail
// already says: a figure is shown once ("avg 1.2 ms" in the detail needs
// no "(rtt 1.2 ms)" after it, "HTTP 200 OK" no "(HTTP 200)"), and
// protocol words a person does not need (the printer condition, which
// the mark and the detail say, a NOERROR next to the answer) stay in -v
// and JSON. It only compares text; it judges nothing.
func factsFor(c result.Check) []string {
	ev, detail := c.Evidence, c.Detail
	lower := strings.ToLower(detail)
	var out []string
	// "10/10 replies", "30% packet loss" and "does not answer ping" say
	// the loss already, and with nothing sent there is no loss to tell.
	sent, counted := number(ev["sent"])
	if v, ok := number(ev["loss_pct"]); ok && !strings.Contains(lower, "replies") && !strings.Contains(lower, "loss") &&
		!strings.Contains(lower, "not answer ping") && !(counted && sent == 0) {
		out = append(out, "loss "+num(v)+"%")
	}
	timed := figureIn.MatchString(detail)
	if v, ok := number(ev["rtt_ms"]); ok && !timed {
		out = append(out, "rtt "+num(v)+" ms")
	} else if v, ok := number(ev["avg_ms"]); ok && !timed {
		out = append(out, "avg "+num(v)+" ms")
	}
	if m, ok := ev["method"].(string); ok && m != "" && m != "icmp" && m != "none" && !strings.Contains(lower, strings.ToLower(m)) {
		out = append(out, "via "+clean(m))
	}
	if v, ok := ev["rcode"].(string); ok && v != "" && v == strings.ToUpper(v) && !strings.Contains(detail, v) &&
		!(v == "NOERROR" && c.Status == result.OK) {
		out = append(out, clean(v))
	}
	if v, ok := number(ev["connect_ms"]); ok && !timed {
		out = append(out, "connect "+num(v)+" ms")
	}
	if v, ok := ev["tls_version"].(string); ok && v != "" {
		v = clean(v)
		if !strings.HasPrefix(strings.ToUpper(v), "TLS") {
			v = "TLS " + v
		}
		if !strings.Contains(detail, v) {
			out = append(out, v)
		}
	}
	if v, ok := number(ev["http_status"]); ok && !strings.Contains(detail, "HTTP "+num(v)) && !strings.Contains(detail, num(v)) {
		out = append(out, "HTTP "+num(v))
	}
	return out
}
