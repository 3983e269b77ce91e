package checkfile

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a check file, at a position.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error is "file:line:col: message", the form editors and CI jump to.
func (e Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Errors are every problem found in a file, in file order. A file is
// checked whole so its author fixes everything in one go.
type Errors []Error

// Error is one line per problem.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
	return es
}

// maxErrors bounds the list: a file that is not a check file at all
// should not print a thousand lines.
const maxErrors = 50

// decoder walks yaml.v3 nodes into Go values. It is strict where
// yaml.Unmarshal is lenient (unknown keys, a number where a duration
// goes, a map where a list goes) and keeps going after an error.
type decoder struct {
	file string
	errs Errors
}

func (d *decoder) errorf(line, col int, format string, a ...any) {
	if len(d.errs) < maxErrors {
		d.errs = append(d.errs, Error{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, a...)})
	}
}

func (d *decoder) at(n *yaml.Node, format string, a ...any) { d.errorf(n.Line, n.Column, format, a...) }

func (d *decoder) atPos(p Pos, format string, a ...any) { d.errorf(p.Line, p.Col, format, a...) }

var (
	scalarType = reflect.TypeFor[scalar]()
	posType    = reflect.TypeFor[Pos]()
)

// field is one decodable struct field.
type field struct {
	key      string
	index    int
	required bool
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		out = append(out, field{key: name, index: i, required: !strings.Contains(opts, "omitempty")})
	}
	return out
}

// decode fills v (addressable) from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.AliasNode {
		// Anchors and aliases would let one line stand for many; a check
		// file is short enough to write out.
		d.at(n, "YAML aliases (*name) are not supported in check files; write the value out")
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(scalarType) {
		if err := v.Addr().Interface().(scalar).decodeNode(n); err != nil {
			d.at(n, "%s", err.Error())
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Tag == "!!null" {
			d.at(n, "needs a value")
			return
		}
		nv := reflect.New(v.Type().Elem())
		d.decode(n, nv.Elem())
		v.Set(nv)
	case reflect.Struct:
		d.decodeStruct(n, v)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.at(n, "want a list, got %s", kindOf(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.at(n, "want a mapping of names, got %s", kindOf(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			name, err := str(k, "a name")
			if err == nil && !checkNameRE.MatchString(name) {
				err = fmt.Errorf("name %q: use letters, digits, '-', '_' and '.'", name)
			}
			if err != nil {
				d.at(k, "%s", err.Error())
				continue
			}
			if seen[name] {
				d.at(k, "%q is defined twice", name)
				continue
			}
			seen[name] = true
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, e)
			m.SetMapIndex(reflect.ValueOf(name).Convert(v.Type().Key()), e)
		}
		v.Set(m)
	case reflect.String:
		s, err := str(n, "text")
		if err != nil {
			d.at(n, "%s", err.Error())
			return
		}
		v.SetString(s)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.at(n, "want a whole number, got %s", kindOf(n))
			return
		}
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			d.at(n, "%s is not a whole number", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.at(n, "want true or false, got %s", kindOf(n))
			return
		}
		v.SetBool(n.Value == "true" || n.Value == "True" || n.Value == "TRUE")
	default:
		panic("checkfile: no decoder for " + v.Type().String())
	}
}

// refuser is a struct with keys that are refused with a reason (inline
// secrets).
type refuser interface{ refusedKeys() map[string]string }

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) {
	t := v.Type()
	pos := Pos{Line: n.Line, Col: n.Column, keys: map[string]Pos{}}
	if pf, ok := t.FieldByName("At"); ok && pf.Type == posType {
		defer func() { v.FieldByIndex(pf.Index).Set(reflect.ValueOf(pos)) }()
	}
	if n.Kind != yaml.MappingNode {
		d.at(n, "want a mapping (key: value), got %s", kindOf(n))
		return
	}
	fields := fieldsOf(t)
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	var refused map[string]string
	if r, ok := v.Addr().Interface().(refuser); ok {
		refused = r.refusedKeys()
	}
	seen, suggested := map[string]bool{}, map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.at(k, "a key must be a plain word, not %s", kindOf(k))
			continue
		}
		name := k.Value
		if why, ok := refused[name]; ok {
			d.at(k, "%s", why)
			continue
		}
		var f *field
		for j := range fields {
			if fields[j].key == name {
				f = &fields[j]
			}
		}
		if f == nil {
			d.at(k, "unknown key %q%s", name, suggestOrList(name, keys))
			// Read the value as the key it was probably meant to be, so
			// the errors inside it come out now, not after the fix.
			for _, g := range fields {
				if suggest(name, []string{g.key}) != "" {
					d.decode(val, reflect.New(t.Field(g.index).Type).Elem())
					// Its absence is the same mistake: say it once.
					suggested[g.key] = true
					break
				}
			}
			continue
		}
		if seen[name] {
			d.at(k, "key %q is given twice", name)
			continue
		}
		seen[name] = true
		pos.keys[name] = Pos{Line: k.Line, Col: k.Column}
		d.decode(val, v.Field(f.index))
	}
	for _, f := range fields {
		if f.required && !seen[f.key] && !suggested[f.key] {
			d.at(n, "missing key %q", f.key)
		}
	}
}

// suggest returns ` (did you mean "x"?)` for the closest of candidates
// when it is close enough to be a typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if dd := distance(ls, strings.ToLower(c)); dd < bestD {
			best, bestD = c, dd
		}
	}
	limit := 2
	if len(s) <= 4 {
		limit = 1
	}
	if best == "" || bestD > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// suggestOrList is suggest, or the list of allowed keys when nothing is
// close.
func suggestOrList(s string, candidates []string) string {
	if m := suggest(s, candidates); m != "" {
		return m
	}
	return " (allowed here: " + strings.Join(candidates, ", ") + ")"
}

// distance is the Damerau-Levenshtein (optimal string alignment) edit
// distance: a swapped pair of letters counts as one typo.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
