package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/netprobe/netprobe/result"
)

// JSON writes the report in the netprobe.report/v1 schema (docs/schema.md),
// indented by two spaces and with map keys sorted, so two runs with the same
// results produce the same bytes.
//
// The field layout comes from the result types' MarshalJSON methods; this
// renderer only guarantees what the schema promises on top: lists are []
// rather than null, evidence is an object, and a number that is not finite
// (which JSON cannot carry) becomes null instead of failing the whole
// report. The caller's report is not modified.
//
// Strings are kept as they are, except that a string or list of strings
// beyond the renderers' backstop limits is cut (see safe.go), and runes
// that would drive or reorder a terminal showing the file (C1 controls,
// bidi and zero-width characters) are written as \u escapes, which decode
// to the same string.
func JSON(w io.Writer, r *result.Report) error {
	b, err := jsonBytes(r)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// jsonBytes is the JSON renderer's output, built in memory so a failing
// writer never gets half a report.
func jsonBytes(r *result.Report) ([]byte, error) {
	br := boundedReport(r)
	c, err := jsonReady(&br)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	// The output is read by jq and by people in tickets, not embedded in
	// HTML; escaping <, > and & would turn the redaction placeholders
	// ("<private-ip-1>") and URLs into \u003c noise.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return escapeInvisible(b.Bytes()), nil
}

// jsonReady returns a shallow copy of r with nil lists replaced by empty
// ones and evidence made encodable and canonical.
func jsonReady(r *result.Report) (result.Report, error) {
	c := *r
	if c.Schema == "" {
		c.Schema = result.Schema
	}
	c.Verdict.Advice = nonNil(c.Verdict.Advice)
	c.Verdict.Evidence = nonNil(c.Verdict.Evidence)
	c.Verdict.Consequences = nonNil(c.Verdict.Consequences)
	c.Layers = make([]result.LayerResult, len(r.Layers))
	for i, l := range r.Layers {
		l.Checks = slices.Clone(nonNil(l.Checks))
		for j := range l.Checks {
			ev, err := canonical(finiteEvidence(l.Checks[j].Evidence))
			if err != nil {
				return c, fmt.Errorf("evidence of %s %s: %w", l.Checks[j].Name, l.Checks[j].Target, err)
			}
			l.Checks[j].Evidence = ev
		}
		c.Layers[i] = l
	}
	return c, nil
}

// canonical returns evidence as plain JSON values (maps, lists, numbers
// kept digit for digit), so keys are sorted at every depth, printer
// structs included, with strings and string lists bounded (boundedValue). Without it a report read back from a file would
// encode its printer objects in another key order than the original, and
// saving a report again would not give the same bytes.
func canonical(ev map[string]any) (map[string]any, error) {
	b, err := json.Marshal(preclip(ev))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return boundedValue(out).(map[string]any), nil
}

// nonNil returns s, or an empty slice when s is nil, so it encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// finiteEvidence returns ev, or a copy of it in which NaN and ±Inf numbers
// are nil: encoding/json refuses them, and one unmeasurable value must not
// cost the user the whole report. A nil map becomes an empty one.
func finiteEvidence(ev map[string]any) map[string]any {
	if ev == nil {
		return map[string]any{}
	}
	out, _ := finiteMap(ev)
	return out
}

// finiteMap is finiteEvidence for a map that may be nested; it copies only
// when something changes and says whether it did.
func finiteMap(m map[string]any) (map[string]any, bool) {
	var out map[string]any
	for k, v := range m {
		nv, changed := finite(v)
		if !changed {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m))
			for k2, v2 := range m {
				out[k2] = v2
			}
		}
		out[k] = nv
	}
	if out == nil {
		return m, false
	}
	return out, true
}

// isBad reports a float JSON cannot carry.
func isBad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// finite returns v with non-finite numbers replaced by nil, and whether
// anything changed. It descends into the shapes evidence takes.
func finite(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		if isBad(x) {
			return nil, true
		}
	case float32:
		if isBad(float64(x)) {
			return nil, true
		}
	case []float64:
		if slices.ContainsFunc(x, isBad) {
			out := make([]any, len(x))
			for i, f := range x {
				out[i], _ = finite(f)
			}
			return out, true
		}
	case []any:
		var out []any
		for i, e := range x {
			if ne, ch := finite(e); ch {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = ne
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]any:
		return finiteMap(x)
	case []result.Supply:
		if slices.ContainsFunc(x, func(s result.Supply) bool { return badPtr(s.Percent) }) {
			out := slices.Clone(x)
			for i := range out {
				if badPtr(out[i].Percent) {
					out[i].Percent = nil
				}
			}
			return out, true
		}
	case []result.Tray:
		if slices.ContainsFunc(x, func(s result.Tray) bool { return badPtr(s.Percent) }) {
			out := slices.Clone(x)
			for i := range out {
				if badPtr(out[i].Percent) {
					out[i].Percent = nil
				}
			}
			return out, true
		}
	}
	return v, false
}

// badPtr reports a non-nil pointer to a float JSON cannot carry.
func badPtr(p *float64) bool { return p != nil && isBad(*p) }
