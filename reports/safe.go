package reports

import (
	"strconv"
	"unicode/utf8"

	"github.com/netprobe/netprobe/internal/bound"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// What every renderer does to the report's strings, whatever the probes
// already did: a report can also be read back from a JSON file someone
// else wrote, and a renderer is the last place that can stop a string
// from driving a terminal, breaking a format or filling a disk.
//
// Each format escapes for itself (md, XML through encoding/xml, label
// escaping, JSON through encoding/json plus escapeInvisible); the limits
// below are shared so all formats of one report show the same text.

// Backstop limits. They sit far above what the probes keep (see
// internal/bound), so they only act on a report that did not come from
// netprobe's own probes.
const (
	// maxField is the most bytes a renderer shows of one string.
	maxField = 8 << 10
	// maxListItems and maxListBytes bound one list of strings.
	maxListItems = 100
	maxListBytes = 16 << 10
)

// clip bounds one string from the report; it does not sanitise.
func clip(s string) string { return bound.Bytes(s, maxField) }

// clipList bounds a list of strings from the report, with a "… N more"
// entry when it cuts.
func clipList(ss []string) []string { return bound.Strings(ss, maxListItems, maxListBytes) }

// boundedReport returns a copy of r whose strings and string lists are
// clipped, for the JSON renderer (the human renderers clip as they clean).
// Evidence is bounded by boundedValue after it is made canonical.
func boundedReport(r *result.Report) result.Report {
	c := *r
	c.Schema = clip(c.Schema)
	c.Tool = result.Tool{Name: clip(r.Tool.Name), Version: clip(r.Tool.Version)}
	c.Command = clip(r.Command)
	c.Host = result.Host{
		Hostname: clip(r.Host.Hostname), OS: clip(r.Host.OS), Arch: clip(r.Host.Arch),
		ICMP: clip(r.Host.ICMP), ICMPReason: clip(r.Host.ICMPReason),
	}
	v := r.Verdict
	v.Status = result.Overall(clip(string(v.Status)))
	v.Reason = result.Reason(clip(string(v.Reason)))
	v.Summary = clip(v.Summary)
	v.Advice = clipEach(v.Advice)
	v.Evidence = clipEach(v.Evidence)
	c.Verdict = v
	if r.Layers != nil {
		c.Layers = make([]result.LayerResult, len(r.Layers))
	}
	for i, l := range r.Layers {
		l.Status = result.Status(clip(string(l.Status)))
		l.Reason = result.Reason(clip(string(l.Reason)))
		l.Note = clip(l.Note)
		if l.Checks != nil {
			checks := make([]result.Check, len(l.Checks))
			for j, ch := range l.Checks {
				ch.Name, ch.Target, ch.Detail, ch.Error = clip(ch.Name), clip(ch.Target), clip(ch.Detail), clip(ch.Error)
				ch.Status = result.Status(clip(string(ch.Status)))
				ch.Reason = result.Reason(clip(string(ch.Reason)))
				checks[j] = ch
			}
			l.Checks = checks
		}
		c.Layers[i] = l
	}
	return c
}

// clipEach clips every string of a list the report itself writes (advice,
// evidence sentences): their number is the judge's, their text may quote
// the network.
func clipEach(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clip(s)
	}
	return out
}

// boundedValue clips the strings in a canonical evidence value (what
// encoding/json decodes to: maps, []any, strings, numbers) at every depth,
// and cuts lists of strings. Lists of numbers or objects are left whole:
// their length follows what the user asked for (a port range), and a
// marker string would change their element type.
func boundedValue(v any) any {
	switch x := v.(type) {
	case string:
		return clip(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[clip(k)] = boundedValue(e)
		}
		return out
	case []any:
		strs := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				out := make([]any, len(x))
				for i, e := range x {
					out[i] = boundedValue(e)
				}
				return out
			}
			strs = append(strs, clip(s))
		}
		cut := clipList(strs)
		out := make([]any, len(cut))
		for i, s := range cut {
			out[i] = s
		}
		return out
	}
	return v
}

// escapeInvisible rewrites, in encoding/json's output, every rune that
// sanitize.Invisible reports and encoding/json leaves raw (C1 controls
// such as U+009B CSI, bidi controls, zero-width characters, noncharacters)
// as a \u escape. Outside strings JSON is ASCII, so every such rune is
// inside a string, where the escape stands for the same rune: a program
// reads the same data, and a terminal that shows the file is not driven
// by it, nor is its text reordered.
func escapeInvisible(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if !sanitize.Invisible(r) {
			i += size
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b)+64)
		}
		out = append(out, b[last:i]...)
		if r > 0xFFFF {
			r -= 0x10000
			out = appendU(appendU(out, 0xD800+(r>>10)), 0xDC00+(r&0x3FF))
		} else {
			out = appendU(out, r)
		}
		i += size
		last = i
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// appendU appends a JSON \uXXXX escape of a UTF-16 code unit.
func appendU(b []byte, u rune) []byte {
	h := strconv.FormatInt(int64(u), 16)
	b = append(b, `\u`...)
	for range 4 - len(h) {
		b = append(b, '0')
	}
	return append(b, h...)
}
