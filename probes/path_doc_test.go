package probes

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/result"
)

// docSectionKeys returns the backticked keys of the first column of the
// tables in the docs/schema.md section whose heading starts with heading.
func docSectionKeys(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([^`]+)` \\|")
	var keys []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			in = strings.HasPrefix(line, heading)
			continue
		}
		if m := row.FindStringSubmatch(line); in && m != nil {
			keys = append(keys, m[1])
		}
	}
	if len(keys) == 0 {
		t.Fatalf("docs/schema.md has no section %q with keys", heading)
	}
	sort.Strings(keys)
	return keys
}

// sourceKeys returns the evidence keys the non-test files matching the
// patterns set with With("key", ...).
func sourceKeys(t *testing.T, patterns ...string) []string {
	t.Helper()
	with := regexp.MustCompile(`\.With\("([a-z_]+)"`)
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil || len(m) == 0 {
			t.Fatalf("no file matches %s", p)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	var keys []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range with.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	sort.Strings(keys)
	return slices.Compact(keys)
}

// TestPathEvidenceDocumented keeps docs/schema.md's pmtu and trace
// sections and the keys the probes write in step, both ways, including
// the fields of result.Hop.
func TestPathEvidenceDocumented(t *testing.T) {
	var hopKeys []string
	ht := reflect.TypeOf(result.Hop{})
	for i := 0; i < ht.NumField(); i++ {
		name, _, _ := strings.Cut(ht.Field(i).Tag.Get("json"), ",")
		hopKeys = append(hopKeys, "hops[]."+name)
	}
	for _, tt := range []struct {
		heading string
		files   []string
		extra   []string
	}{
		{"### pmtu", []string{"pmtu*.go"}, nil},
		{"### trace", []string{"trace*.go"}, hopKeys},
	} {
		t.Run(tt.heading, func(t *testing.T) {
			code := sourceKeys(t, tt.files...)
			code = append(code, tt.extra...)
			sort.Strings(code)
			doc := docSectionKeys(t, tt.heading)
			if !slices.Equal(code, doc) {
				t.Errorf("evidence keys differ:\n  written by the code: %v\n  documented:          %v", code, doc)
			}
		})
	}
}
