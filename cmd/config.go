package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/netprobe/netprobe/checkfile"
	"github.com/netprobe/netprobe/internal/input"
)

// EnvConfig names a config file when --config is not given.
const EnvConfig = "NETPROBE_CONFIG"

// applyConfig loads the YAML config file, if any, and sets every flag the
// command line did not set. Its keys are the long flag names ("upstream",
// "dns-name", "timeout"; underscores work too) with a value or a list of
// values, so the file and the flags can never drift apart:
//
//	upstream: [198.18.1.1, 198.18.1.2]
//	dns-name: www.example.com
//	target:
//	  - https://intranet.example.com/
//	timeout: 5s
//	output: json
//
// Every value of the file is checked, also those the command line
// overrides: a broken file must not wait to break until the day the flag
// is left off. Every error names file:line:col and the one bad value.
//
// A check file (see checkfile: it has dns, targets, printers, budgets,
// modules, upstreams or resolvers) is not applied to the flags: it is
// returned, loaded and validated, and the run takes its checks.
func (d *diagnoseFlags) applyConfig(c *cobra.Command, f *Factory) (*checkfile.File, error) {
	path := d.config
	if path == "" {
		path = f.Getenv(EnvConfig)
	}
	if path == "" {
		return nil, nil
	}
	data, mode, err := input.ReadFile(path, input.MaxConfig)
	if err != nil {
		return nil, usagef("config %v", err)
	}
	if isCheckFile(data) {
		cf, err := checkfile.Load(path)
		if err != nil {
			return nil, fileErrors(f, err)
		}
		return cf, nil
	}
	return nil, d.applyFlagConfig(c, f, path, data, mode)
}

// checkFileKeys are keys only a check file has; flag-style files use the
// flag names (target, printer, upstream, resolver).
var checkFileKeys = []string{"dns", "targets", "printers", "budgets", "modules", "upstreams", "resolvers", "ping"}

// isCheckFile looks at the top-level keys only; a file that is not a
// mapping at all is left to the flag-style parser, whose errors name the
// place.
func isCheckFile(data []byte) bool {
	var raw map[string]any
	if yaml.Unmarshal(data, &raw) != nil {
		return false
	}
	for _, k := range checkFileKeys {
		if _, ok := raw[k]; ok {
			return true
		}
	}
	return false
}

// fileErrors prints a check file's errors one per line (file:line:col:
// message) and returns the usage exit code without a second message.
func fileErrors(f *Factory, err error) error {
	var errs checkfile.Errors
	if !errors.As(err, &errs) {
		return usageError{err}
	}
	for _, e := range errs {
		fmt.Fprintln(f.IO.ErrOut, e.Error())
	}
	return exitError{ExitUsage}
}

// applyFlagConfig checks every value of a flag-style config file and sets
// every flag the command line did not set.
func (d *diagnoseFlags) applyFlagConfig(c *cobra.Command, f *Factory, path string, data []byte, mode fs.FileMode) error {
	entries, err := parseConfig(path, data)
	if err != nil {
		return usageError{err}
	}
	scratchD, scratch := newScratchFlags()
	var secrets []string
	for _, e := range entries {
		// A setting any diagnosing command takes is known: one file
		// ($NETPROBE_CONFIG) serves every command, and a command uses
		// the settings it has flags for.
		fl := scratch.Lookup(e.name)
		if fl == nil || e.name == "config" || e.name == "help" {
			return usageError{e.key.errorf(path, "unknown setting %s", input.Quote(e.key.text))}
		}
		if len(e.values) > 1 && !isList(fl) {
			return usageError{e.values[1].errorf(path, "%s takes one value, not a list", e.name)}
		}
		for _, v := range e.values {
			if err := checkConfigValue(scratchD, scratch, e.name, v.text); err != nil {
				return usageError{v.errorf(path, "%s", oneLine(err.Error()))}
			}
		}
		if secretFlags[e.name] {
			secrets = append(secrets, e.name)
		}
	}
	if len(secrets) > 0 && groupOrOtherReadable(mode) {
		fmt.Fprintf(f.IO.ErrOut, "netprobe: warning: config %s holds %s and other users can read it (mode %04o); run: chmod 600 %s\n",
			input.Name(path), strings.Join(secrets, ", "), mode.Perm(), input.Name(path))
	}
	for _, e := range entries {
		fl := c.Flags().Lookup(e.name)
		if fl == nil {
			continue // a setting of other commands (checked above)
		}
		if fl.Changed {
			continue // the command line wins (its value is checked with the flags)
		}
		for _, v := range e.values {
			if err := c.Flags().Set(e.name, v.text); err != nil {
				return usageError{v.errorf(path, "%s", oneLine(flagValueError(err).Error()))}
			}
		}
	}
	return nil
}

// groupOrOtherReadable reports whether users other than the owner may read
// a file with this mode. Windows has no such mode bits.
func groupOrOtherReadable(m fs.FileMode) bool {
	return runtime.GOOS != "windows" && m.Perm()&0o044 != 0
}

// checkConfigValue parses one config value as its flag would and runs the
// flag's check on it, on the scratch flags (never the real ones).
func checkConfigValue(d *diagnoseFlags, scratch *pflag.FlagSet, name, v string) error {
	if check, ok := elementChecks[name]; ok {
		return check(v)
	}
	fl := scratch.Lookup(name)
	if fl == nil {
		return nil // a flag without a check (a plain string such as snmp-user)
	}
	if err := fl.Value.Set(v); err != nil {
		if secretFlags[name] {
			return fmt.Errorf("%s: the value given is not valid", name)
		}
		return fmt.Errorf("%s %s", name, badValue(fl, v))
	}
	return d.checkScalar(name)
}

func isList(f *pflag.Flag) bool {
	t := f.Value.Type()
	return strings.HasSuffix(t, "Array") || strings.HasSuffix(t, "Slice")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// configEntry is one "setting: value" of a config file, with the place of
// the key and of each value.
type configEntry struct {
	name   string // the flag name
	key    configText
	values []configText
}

// configText is a piece of the file and where it starts.
type configText struct {
	text      string
	line, col int
}

// errorf builds an error naming file:line:col.
func (t configText) errorf(file, format string, a ...any) error {
	return configError{file: file, line: t.line, col: t.col, msg: fmt.Sprintf(format, a...)}
}

// configError is a config file error at a place in the file.
type configError struct {
	file      string
	line, col int
	msg       string
}

func (e configError) Error() string {
	where := input.Name(e.file)
	if e.line > 0 {
		where += ":" + strconv.Itoa(e.line)
		if e.col > 0 {
			where += ":" + strconv.Itoa(e.col)
		}
	}
	return "config " + where + ": " + e.msg
}

// parseConfig reads the file's settings in file order, each with its
// place. The document must be one mapping of setting names to a scalar or
// a list of scalars; a setting may appear once.
func parseConfig(file string, data []byte) ([]configEntry, error) {
	var doc, more yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, yamlSyntaxError(file, err)
	}
	if err := dec.Decode(&more); err == nil {
		return nil, configError{file: file, line: more.Line, col: more.Column, msg: "holds a second YAML document; put every setting in one"}
	} else if err != io.EOF {
		return nil, yamlSyntaxError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil // an empty file sets nothing
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil // only comments
	}
	if root.Kind != yaml.MappingNode {
		return nil, at(root).errorf(file, "want settings as \"name: value\" lines, not a %s", kindName(root))
	}
	seen := map[string]int{}
	var out []configEntry
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolveAlias(root.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, at(k).errorf(file, "a setting name must be a plain word, not a %s", kindName(k))
		}
		key := at(k)
		key.text = k.Value
		name := strings.ReplaceAll(k.Value, "_", "-")
		if first, dup := seen[name]; dup {
			return nil, key.errorf(file, "%s is set twice (first on line %d)", input.Quote(k.Value), first)
		}
		seen[name] = k.Line
		e := configEntry{name: name, key: key}
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				return nil, placeOr(v, key).errorf(file, "%s has no value", input.Quote(k.Value))
			}
			t := at(v)
			t.text = v.Value
			e.values = []configText{t}
		case yaml.SequenceNode:
			if len(v.Content) == 0 {
				return nil, placeOr(v, key).errorf(file, "%s is an empty list", input.Quote(k.Value))
			}
			for _, el := range v.Content {
				el = resolveAlias(el)
				if el.Kind != yaml.ScalarNode || el.Tag == "!!null" {
					return nil, at(el).errorf(file, "%s: each entry must be one value, not a %s", input.Quote(k.Value), kindName(el))
				}
				t := at(el)
				t.text = el.Value
				e.values = append(e.values, t)
			}
		default:
			return nil, placeOr(v, key).errorf(file, "%s: a %s is not a value", input.Quote(k.Value), kindName(v))
		}
		out = append(out, e)
	}
	return out, nil
}

func at(n *yaml.Node) configText { return configText{line: n.Line, col: n.Column} }

func placeOr(n *yaml.Node, key configText) configText {
	if n.Line == 0 {
		return key
	}
	return at(n)
}

// resolveAlias follows *alias references (bounded: yaml.v3 already
// refuses alias bombs).
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty value"
		}
		return "single value"
	}
	return "YAML node"
}

// yamlSyntaxError turns yaml.v3's "yaml: line 3: did not find expected
// key" into file:3: did not find expected key. yaml.v3 reports the line of
// a syntax error but not its column.
func yamlSyntaxError(file string, err error) error {
	msg := strings.TrimPrefix(oneLine(err.Error()), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, tail
			}
		}
	}
	return configError{file: file, line: line, msg: "not valid YAML: " + msg}
}
