package checkfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const schemaPath = "../docs/netprobe.schema.json"

// generateSchema reflects the check file's Go types into a JSON Schema:
// the field names, descriptions and which keys are required come from the
// same struct tags the decoder reads; the scalar types describe
// themselves (valueSchema). So the schema cannot drift from the decoder.
func generateSchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{FieldNameTag: "yaml", Mapper: scalarMapper}
	s := r.Reflect(&File{})
	s.ID = "https://github.com/netprobe/netprobe/docs/netprobe.schema.json"
	s.Title = "netprobe check file"
	s.Description = "The checks an office runs with `netprobe check -f FILE` and the modules `netprobe serve` answers Prometheus with. Generated from the Go types in checkfile/ by `go test ./checkfile -update`."
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func scalarMapper(t reflect.Type) *jsonschema.Schema {
	if !reflect.PointerTo(t).Implements(scalarType) {
		return nil
	}
	v := reflect.New(t).Interface().(scalar).schema()
	one := &jsonschema.Schema{Type: v.Type, Pattern: v.Pattern, Description: v.Description}
	for _, e := range v.Enum {
		one.Enum = append(one.Enum, e)
	}
	one.Enum = append(one.Enum, v.EnumAny...)
	if v.Minimum != nil {
		one.Minimum = json.Number(trimFloat(*v.Minimum))
	}
	if v.Maximum != nil {
		one.Maximum = json.Number(trimFloat(*v.Maximum))
	}
	if !v.OrList {
		return one
	}
	item := *one
	item.Description = ""
	return &jsonschema.Schema{Description: v.Description, OneOf: []*jsonschema.Schema{
		&item, {Type: "array", Items: &item, MinItems: ptr(uint64(1))}}}
}

func trimFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// TestSchemaUpToDate: docs/netprobe.schema.json is what the types
// generate (run go test ./checkfile -update after changing them).
func TestSchemaUpToDate(t *testing.T) {
	got := generateSchema(t)
	if *update {
		if err := os.WriteFile(schemaPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("%v (go test ./checkfile -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the Go types: run go test ./checkfile -update", schemaPath)
	}
}

// compiledSchema loads the committed schema into a real JSON Schema
// validator.
func compiledSchema(t *testing.T) *validator.Schema {
	t.Helper()
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := validator.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := validator.NewCompiler()
	if err := c.AddResource("netprobe.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("netprobe.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlValue reads a YAML file as the plain values JSON Schema validates
// (through JSON, so numbers and maps have JSON's types).
func yamlValue(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out, err := validator.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExamplesMatchSchema validates every shipped example against the
// schema with a real validator: what editors complete is what loads.
func TestExamplesMatchSchema(t *testing.T) {
	s := compiledSchema(t)
	files, _ := filepath.Glob("../examples/*.yaml")
	files = append(files, "testdata/config/valid-minimal.yaml")
	for _, p := range files {
		if err := s.Validate(yamlValue(t, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestSchemaRefusesWhatTheDecoderRefuses: the invalid fixtures whose
// mistake is one of form (an unknown key, a bare duration, an inline
// secret, a wrong type, a bad enum) fail the schema too, so an editor
// flags them before netprobe does.
func TestSchemaRefusesWhatTheDecoderRefuses(t *testing.T) {
	s := compiledSchema(t)
	for _, name := range []string{"bare-duration", "unknown-key", "inline-community", "inline-v3-pass", "wrong-types", "port-state", "values"} {
		p := "testdata/config/invalid-" + name + ".yaml"
		err := s.Validate(yamlValue(t, p))
		if err == nil {
			t.Errorf("%s passes the schema", p)
			continue
		}
		if strings.Contains(err.Error(), "do-not-print-me") {
			t.Errorf("the validator's message quotes a secret; fine for the schema, but the fixture must not need it")
		}
	}
}
