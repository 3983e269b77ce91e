package cmd

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/netprobe/netprobe/checkfile"
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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("config: %v", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, usagef("config %s: %s", path, oneLine(err.Error()))
	}
	if isCheckFile(raw) {
		cf, err := checkfile.Load(path)
		if err != nil {
			return nil, fileErrors(f, err)
		}
		return cf, nil
	}
	return nil, d.applyFlagConfig(c, path, raw)
}

// checkFileKeys are keys only a check file has; flag-style files use the
// flag names (target, printer, upstream, resolver).
var checkFileKeys = []string{"dns", "targets", "printers", "budgets", "modules", "upstreams", "resolvers", "ping"}

func isCheckFile(raw map[string]any) bool {
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

// applyFlagConfig sets every flag the command line did not set from a
// flag-style config file.
func (d *diagnoseFlags) applyFlagConfig(c *cobra.Command, path string, raw map[string]any) error {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", "-")
		fl := c.Flags().Lookup(name)
		if fl == nil || name == "config" || name == "help" {
			return usagef("config %s: unknown setting %q", path, k)
		}
		if fl.Changed {
			continue // the command line wins
		}
		vals, err := configValues(raw[k])
		if err != nil {
			return usagef("config %s: %s: %v", path, k, err)
		}
		if len(vals) > 1 && !isList(fl) {
			return usagef("config %s: %s takes one value, not a list", path, k)
		}
		for _, v := range vals {
			if err := c.Flags().Set(name, v); err != nil {
				return usagef("config %s: %s: %s", path, k, oneLine(err.Error()))
			}
		}
	}
	return nil
}

func isList(f *pflag.Flag) bool {
	t := f.Value.Type()
	return strings.HasSuffix(t, "Array") || strings.HasSuffix(t, "Slice")
}

func configValues(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		var out []string
		for _, e := range x {
			s, err := configValues(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s...)
		}
		return out, nil
	case map[string]any:
		return nil, fmt.Errorf("a mapping is not a value")
	}
	return []string{fmt.Sprint(v)}, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
