package reports

import (
	"reflect"
	"strconv"
	"strings"
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

// clip bounds one string from the report to maxField bytes of valid UTF-8
// (a run of invalid bytes becomes one U+FFFD, as sanitize and
// encoding/json would make it anyway, but after the cut, so the result
// cannot grow past the bound); it does not sanitise.
func clip(s string) string {
	s = bound.Bytes(s, maxField)
	if !utf8.ValidString(s) {
		s = bound.Bytes(strings.ToValidUTF8(s, "\uFFFD"), maxField)
	}
	return s
}

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

// preclip returns a copy of an evidence value with every string clipped
// and every list of strings cut, whatever Go type holds them, so the
// JSON encoder that makes evidence canonical never walks a megabyte of
// banner only for boundedValue to drop it. Values that need no change
// are shared, not copied.
func preclip(v any) any {
	if v == nil {
		return nil
	}
	out, _ := clipValue(reflect.ValueOf(v), 0)
	return out.Interface()
}

// maxDepth stops clipValue on a value nested deeper than any evidence is
// (or on a cycle, which encoding/json refuses anyway).
const maxDepth = 32

// clipValue is preclip for one reflect.Value; it says whether anything
// changed, and copies only then.
func clipValue(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxDepth {
		return v, false
	}
	switch v.Kind() {
	case reflect.String:
		if v.Len() <= maxField && utf8.ValidString(v.String()) {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(clip(v.String()))
		return out, true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return v, false
		}
		if v.Kind() == reflect.Slice && v.Type() == reflect.TypeFor[[]string]() {
			ss := v.Interface().([]string)
			clipped := make([]string, len(ss))
			changed := false
			for i, s := range ss {
				clipped[i] = clip(s)
				changed = changed || len(clipped[i]) != len(s)
			}
			cut := clipList(clipped)
			if !changed && len(cut) == len(ss) {
				return v, false
			}
			return reflect.ValueOf(cut), true
		}
		var out reflect.Value
		for i := 0; i < v.Len(); i++ {
			e, ch := clipValue(v.Index(i), depth+1)
			if !ch {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
				} else {
					out = reflect.New(v.Type()).Elem()
				}
				reflect.Copy(out, v)
			}
			out.Index(i).Set(e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		var out reflect.Value
		iter := v.MapRange()
		for iter.Next() {
			k, kch := clipValue(iter.Key(), depth+1)
			e, ech := clipValue(iter.Value(), depth+1)
			if !kch && !ech {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(v.Type(), v.Len())
				all := v.MapRange()
				for all.Next() {
					out.SetMapIndex(all.Key(), all.Value())
				}
			}
			if kch {
				out.SetMapIndex(iter.Key(), reflect.Value{})
			}
			out.SetMapIndex(k, e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, ch := clipValue(v.Elem(), depth+1)
		if !ch {
			return v, false
		}
		if v.Kind() == reflect.Pointer {
			out := reflect.New(v.Type().Elem())
			out.Elem().Set(e)
			return out, true
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Struct:
		var out reflect.Value
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			e, ch := clipValue(v.Field(i), depth+1)
			if !ch {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(v.Type()).Elem()
				out.Set(v)
			}
			out.Field(i).Set(e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	}
	return v, false
}

// escapeInvisible rewrites, in encoding/json's output, every rune that
// sanitize.Invisible reports and encoding/json leaves raw (DEL, C1
// controls such as U+009B CSI, bidi controls, zero-width characters,
// noncharacters) as a \u escape. Outside strings JSON is ASCII, so every such rune is
// inside a string, where the escape stands for the same rune: a program
// reads the same data, and a terminal that shows the file is not driven
// by it, nor is its text reordered.
func escapeInvisible(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		} else if r != 0x7f { // DEL is the one ASCII control encoding/json leaves raw
			i++
			continue
		}
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
