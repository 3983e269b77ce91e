package reports_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
	"github.com/netprobe/netprobe/result"
)

// docField is one row of a table in docs/schema.md.
type docField struct {
	path     string   // "verdict.status", or evidence-relative "supplies[].index"
	typ      string   // "string", "array of string", "number or null", ...
	required bool     // only for report fields
	enum     []string // allowed values when the row says "One of ..."
	empty    bool     // the enum also allows ""
}

// schemaDoc is docs/schema.md parsed: report fields by absolute path and
// evidence keys (including printer object fields) by evidence-relative path.
type schemaDoc struct {
	fields   map[string]docField
	evidence map[string]docField
}

var (
	backticked = regexp.MustCompile("`([^`]*)`")
)

// splitRow returns a Markdown table row's cells, with \| unescaped.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	if len(cells) > 0 {
		cells = cells[1:] // text before the leading pipe
	}
	return cells
}

// enumOf extracts the values listed after "One of" in a description.
func enumOf(desc string) ([]string, bool) {
	i := strings.Index(desc, "One of ")
	if i < 0 {
		return nil, false
	}
	rest := desc[i:]
	var vals []string
	for _, m := range backticked.FindAllStringSubmatch(rest, -1) {
		vals = append(vals, m[1])
	}
	return vals, strings.Contains(rest, "or empty")
}

func loadSchemaDoc(t *testing.T) schemaDoc {
	t.Helper()
	f, err := os.Open("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := schemaDoc{fields: map[string]docField{}, evidence: map[string]docField{}}
	kind := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "|") {
			kind = ""
			continue
		}
		cells := splitRow(line)
		if len(cells) == 0 {
			continue
		}
		switch cells[0] {
		case "Field":
			kind = "field"
			continue
		case "Key":
			kind = "evidence"
			continue
		}
		m := backticked.FindStringSubmatch(cells[0])
		if kind == "" || m == nil || len(cells) < 3 {
			continue
		}
		df := docField{path: m[1], typ: cells[1]}
		desc := cells[len(cells)-1]
		df.enum, df.empty = enumOf(desc)
		if kind == "field" {
			df.required = cells[2] == "yes"
			d.fields[df.path] = df
		} else {
			if prev, ok := d.evidence[df.path]; ok {
				// A key several checks share (method, icmp_note): each
				// section's values are allowed.
				if prev.typ != df.typ {
					t.Fatalf("docs/schema.md: evidence key %q documented as %q and as %q", df.path, prev.typ, df.typ)
				}
				if prev.enum == nil || df.enum == nil {
					df.enum = nil
				} else {
					df.enum = append(append([]string{}, prev.enum...), df.enum...)
				}
				df.empty = df.empty || prev.empty
			}
			d.evidence[df.path] = df
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(d.fields) < 20 || len(d.evidence) < 30 {
		t.Fatalf("docs/schema.md parsed to %d fields and %d evidence keys; did the table format change?", len(d.fields), len(d.evidence))
	}
	return d
}

// layerNames is what the type "layer" allows.
var layerNames = func() []string {
	var out []string
	for _, l := range result.Layers {
		out = append(out, l.String())
	}
	return out
}()

// typeOK reports whether a decoded JSON value has the documented type.
func typeOK(typ string, v any) bool {
	if t, ok := strings.CutSuffix(typ, " or null"); ok {
		return v == nil || typeOK(t, v)
	}
	if t, ok := strings.CutPrefix(typ, "array of "); ok {
		a, isArr := v.([]any)
		if !isArr {
			return false
		}
		for _, e := range a {
			if !typeOK(t, e) {
				return false
			}
		}
		return true
	}
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "timestamp":
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case "layer":
		s, ok := v.(string)
		return ok && contains(layerNames, s)
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// walk calls fn for every value in a decoded JSON document with its path
// ("layers[].checks[].name"). descend decides whether to enter an object
// or array at a path.
func walk(path string, v any, fn func(path string, v any), descend func(path string) bool) {
	if path != "" {
		fn(path, v)
		if !descend(path) {
			return
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			walk(p, e, fn, descend)
		}
	case []any:
		for _, e := range x {
			walk(path+"[]", e, fn, descend)
		}
	}
}

const evidencePath = "layers[].checks[].evidence"

// wildcard finds a documented key family such as "count_*" for key.
func wildcard(m map[string]docField, key string) (docField, bool) {
	for k, df := range m {
		if p, ok := strings.CutSuffix(k, "*"); ok && strings.HasPrefix(key, p) && !strings.Contains(key[len(p):], ".") {
			return df, true
		}
	}
	return docField{}, false
}

// TestJSONMatchesSchemaDoc decodes the JSON of every fixture generically
// and holds it against docs/schema.md, in both directions: every required
// field is there with its documented type and values, and every field and
// evidence key that is there is documented. Adding a field without
// documenting it, or documenting one the code does not write, fails here.
func TestJSONMatchesSchemaDoc(t *testing.T) {
	doc := loadSchemaDoc(t)
	// Parents of documented paths are where walking may go deeper.
	hasChildren := func(m map[string]docField, p string) bool {
		for k := range m {
			if strings.HasPrefix(k, p+".") || strings.HasPrefix(k, p+"[]") {
				return true
			}
		}
		return false
	}
	seenOptional := map[string]bool{}
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.JSON(&b, f.Report); err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			// Field presence: count, per path, how often it occurs and
			// how often its parent object occurs.
			count := map[string]int{}
			check := func(df docField, path string, v any) {
				if !typeOK(df.typ, v) {
					t.Errorf("%s = %#v, documented type %q", path, v, df.typ)
				}
				if s, ok := v.(string); ok && df.enum != nil && !contains(df.enum, s) && !(df.empty && s == "") {
					t.Errorf("%s = %q, documented values %q", path, s, df.enum)
				}
			}
			walk("", any(got), func(path string, v any) {
				count[path]++
				if strings.HasSuffix(path, "[]") {
					return // elements are checked by their array's type
				}
				if rel, ok := strings.CutPrefix(path, evidencePath+"."); ok {
					df, ok := doc.evidence[rel]
					if !ok {
						df, ok = wildcard(doc.evidence, rel)
					}
					if !ok {
						t.Errorf("evidence key %q is not documented in docs/schema.md", rel)
						return
					}
					check(df, path, v)
					return
				}
				df, ok := doc.fields[path]
				if !ok {
					t.Errorf("field %q is not documented in docs/schema.md", path)
					return
				}
				if !df.required {
					seenOptional[path] = true
				}
				check(df, path, v)
			}, func(path string) bool {
				if rel, ok := strings.CutPrefix(path, evidencePath+"."); ok {
					return hasChildren(doc.evidence, rel)
				}
				return path == evidencePath || hasChildren(doc.fields, path)
			})
			// Every required field occurs once per occurrence of its
			// parent (a field of each check, of each layer, ...).
			for path, df := range doc.fields {
				if !df.required {
					continue
				}
				parent := ""
				if i := strings.LastIndex(path, "."); i >= 0 {
					parent = path[:i]
				}
				want := 1
				if parent != "" {
					want = count[parent]
				}
				if count[path] != want {
					t.Errorf("required field %s occurs %d times, want %d (once per %q)", path, count[path], want, parent)
				}
			}
		})
	}
	// The fixtures exercise the optional fields too, so their types are
	// checked somewhere.
	for path, df := range doc.fields {
		if !df.required && !seenOptional[path] {
			t.Errorf("optional field %s appears in no fixture; add it to one so its type is tested", path)
		}
	}
}

// TestJSONListsNeverNull checks the promises the renderer adds on top of
// the result types: [] instead of null, {} for evidence, and no failure on
// numbers JSON cannot carry.
func TestJSONListsNeverNull(t *testing.T) {
	nan := math.NaN()
	r := &result.Report{
		Layers: []result.LayerResult{{Name: result.DNS, Status: result.Fail, Checks: nil}, {
			Name: result.Printer, Status: result.Warn,
			Checks: []result.Check{{Name: "snmp", Status: result.Warn, Evidence: map[string]any{
				"rtt_ms":   math.Inf(1),
				"nested":   map[string]any{"x": nan, "y": 1.0},
				"list":     []any{nan, "a"},
				"floats":   []float64{1, nan},
				"supplies": []result.Supply{{Description: "Black", Percent: &nan}},
				"trays":    []result.Tray{{Name: "Tray 1", Percent: &nan}},
			}}, {Name: "tcp", Status: result.OK}},
		}},
	}
	var b bytes.Buffer
	if err := reports.JSON(&b, r); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	v := got["verdict"].(map[string]any)
	for _, k := range []string{"advice", "evidence", "consequences"} {
		if _, ok := v[k].([]any); !ok {
			t.Errorf("verdict.%s = %#v, want []", k, v[k])
		}
	}
	if got["schema"] != result.Schema {
		t.Errorf("schema = %v, want %s even when the report left it empty", got["schema"], result.Schema)
	}
	layers := got["layers"].([]any)
	if c, ok := layers[0].(map[string]any)["checks"].([]any); !ok || len(c) != 0 {
		t.Errorf("checks of a layer without checks = %#v, want []", layers[0].(map[string]any)["checks"])
	}
	checks := layers[1].(map[string]any)["checks"].([]any)
	ev := checks[0].(map[string]any)["evidence"].(map[string]any)
	wantEv := map[string]any{
		"rtt_ms":   nil,
		"nested":   map[string]any{"x": nil, "y": 1.0},
		"list":     []any{nil, "a"},
		"floats":   []any{1.0, nil},
		"supplies": ev["supplies"], "trays": ev["trays"],
	}
	if !reflect.DeepEqual(ev, wantEv) {
		t.Errorf("evidence = %#v\nwant %#v", ev, wantEv)
	}
	if p := ev["supplies"].([]any)[0].(map[string]any)["percent"]; p != nil {
		t.Errorf("supply percent NaN = %v, want null", p)
	}
	if p := ev["trays"].([]any)[0].(map[string]any)["percent"]; p != nil {
		t.Errorf("tray percent NaN = %v, want null", p)
	}
	if e, ok := checks[1].(map[string]any)["evidence"].(map[string]any); !ok || len(e) != 0 {
		t.Errorf("nil evidence = %#v, want {}", checks[1].(map[string]any)["evidence"])
	}
	// The caller's report keeps its NaN: the renderer worked on a copy.
	if v := r.Layers[1].Checks[0].Evidence["rtt_ms"].(float64); !math.IsInf(v, 1) {
		t.Errorf("input evidence changed to %v", v)
	}
	if r.Layers[1].Checks[0].Evidence["supplies"].([]result.Supply)[0].Percent == nil {
		t.Error("input supply percent was cleared")
	}
}

// TestJSONRoundTrip decodes the JSON back into a result.Report and encodes
// it again: the bytes must be identical, so a saved report can be
// re-rendered (for example as Markdown) without loss.
func TestJSONRoundTrip(t *testing.T) {
	for _, f := range reporttest.All() {
		t.Run(f.Name, func(t *testing.T) {
			var first bytes.Buffer
			if err := reports.JSON(&first, f.Report); err != nil {
				t.Fatal(err)
			}
			var back result.Report
			if err := json.Unmarshal(first.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			var second bytes.Buffer
			if err := reports.JSON(&second, &back); err != nil {
				t.Fatal(err)
			}
			if first.String() != second.String() {
				t.Errorf("round trip changed the JSON:\n%s\n---\n%s", first.String(), second.String())
			}
		})
	}
}

// TestJSONReadBackRendersLikeOriginal renders a report read back from JSON
// in the human formats: printer tables must survive the trip even though
// their evidence is now []any of maps.
func TestJSONReadBackRendersLikeOriginal(t *testing.T) {
	f := reporttest.PrinterJam()
	var js bytes.Buffer
	if err := reports.JSON(&js, f); err != nil {
		t.Fatal(err)
	}
	var back result.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, o := range []reports.TextOptions{{}, {Unicode: true, Color: true}} {
		var a, b bytes.Buffer
		if err := reports.Text(&a, f, o); err != nil {
			t.Fatal(err)
		}
		if err := reports.Text(&b, &back, o); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("text of the read-back report differs:\n%s\n---\n%s", a.String(), b.String())
		}
	}
	var a, b bytes.Buffer
	_ = reports.Markdown(&a, f)
	_ = reports.Markdown(&b, &back)
	if a.String() != b.String() {
		t.Errorf("Markdown of the read-back report differs:\n%s\n---\n%s", a.String(), b.String())
	}
}

// TestSchemaDocListsEveryEnumValue keeps the documented enums in step with
// the result package's constants.
func TestSchemaDocListsEveryEnumValue(t *testing.T) {
	doc := loadSchemaDoc(t)
	want := map[string][]string{
		"verdict.status":           {string(result.Healthy), string(result.Degraded), string(result.Failed), string(result.Unknown)},
		"verdict.layer":            append([]string{result.None.String()}, layerNames...),
		"layers[].name":            layerNames,
		"layers[].status":          {string(result.OK), string(result.Warn), string(result.Fail), string(result.Skip)},
		"layers[].checks[].status": {string(result.OK), string(result.Warn), string(result.Fail), string(result.Skip)},
		"schema":                   {result.Schema},
	}
	for path, w := range want {
		got := append([]string(nil), doc.fields[path].enum...)
		sort.Strings(got)
		w = append([]string(nil), w...)
		sort.Strings(w)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s documents %q, the code has %q", path, got, w)
		}
	}
	if !strings.Contains(mustRead(t, "../docs/schema.md"), "fields may be added, never renamed or removed without") {
		t.Error("docs/schema.md lost its stability promise")
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
