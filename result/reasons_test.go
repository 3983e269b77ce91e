package result

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the reason-code list in docs/schema.md")

const (
	schemaDoc    = "../docs/schema.md"
	reasonsBegin = "<!-- reasons:begin (generated from result/reasons*.go by `go test ./result -update`) -->"
	reasonsEnd   = "<!-- reasons:end -->"
)

// reasonTable renders the registry as the Markdown table docs/schema.md
// holds: the one list of codes a consumer may see.
func reasonTable() string {
	var b strings.Builder
	b.WriteString("| Code | Meaning |\n|---|---|\n")
	for _, r := range Reasons() {
		b.WriteString("| `" + string(r.Code) + "` | " + strings.ReplaceAll(r.Meaning, "|", `\|`) + " |\n")
	}
	return b.String()
}

// Every code the program can emit is a registered constant, and
// docs/schema.md lists exactly the registered codes with their meanings.
func TestReasonCodesDocumented(t *testing.T) {
	b, err := os.ReadFile(schemaDoc)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(b, []byte(reasonsBegin)), bytes.Index(b, []byte(reasonsEnd))
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q ... %q", schemaDoc, reasonsBegin, reasonsEnd)
	}
	want := reasonTable()
	got := string(b[i+len(reasonsBegin) : j])
	if strings.TrimSpace(got) == strings.TrimSpace(want) {
		return
	}
	if *update {
		out := append(append(append([]byte{}, b[:i+len(reasonsBegin)]...), "\n"+want...), b[j:]...)
		if err := os.WriteFile(schemaDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/schema.md's reason codes differ from the registry; run `go test ./result -update`.\nwant:\n%s", want)
}

// constantCodes maps the Reason constants declared in result/reasons*.go
// to their codes, read from the source.
func constantCodes(t *testing.T) map[string]Reason {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]Reason{}
	files, _ := filepath.Glob("reasons*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Values) != len(vs.Names) {
				return true
			}
			for k, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out[vs.Names[k].Name] = Reason(s)
				}
			}
			return true
		})
	}
	return out
}

// Every declared constant is registered (so documented), and no code
// outside package result builds a Reason from a string: what is emitted
// is always a registered constant.
func TestReasonConstantsRegistered(t *testing.T) {
	consts := constantCodes(t)
	if len(consts) < 50 {
		t.Fatalf("found only %d reason constants: the source scan is broken", len(consts))
	}
	for name, code := range consts {
		if !code.Known() {
			t.Errorf("%s = %q is declared but not registered", name, code)
		}
	}
	if len(consts) != len(Reasons()) {
		t.Errorf("%d constants, %d registered codes", len(consts), len(Reasons()))
	}
	// A code-shaped string literal converted to, or assigned as, a Reason.
	literal := regexp.MustCompile(`(Reason\(\s*|Reason:\s*|\.Reason\s*=\s*|Reason\s*=\s*)"[a-z][a-z0-9]*\.[a-z][a-z0-9_]*"`)
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == "../result" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if loc := literal.FindIndex(b); loc != nil {
			t.Errorf("%s builds a reason from a string literal (%q): use a registered constant", p, b[loc[0]:min(len(b), loc[1]+20)])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every documented code is asserted by some test outside this registry:
// a code no test ever expects is a code nobody knows the program can
// emit. (A static scan: the constant, or the code's string, must appear
// in a _test.go file of another package or of the fault lab.)
func TestEveryReasonCodeIsTested(t *testing.T) {
	consts := constantCodes(t)
	seen := map[Reason]bool{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == "../result" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(b)
		for name, code := range consts {
			if strings.Contains(s, "result."+name) || strings.Contains(s, `"`+string(code)+`"`) {
				seen[code] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, r := range Reasons() {
		if !seen[r.Code] {
			missing = append(missing, string(r.Code))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d documented reason codes are asserted by no test: %s", len(missing), strings.Join(missing, ", "))
	}
}
