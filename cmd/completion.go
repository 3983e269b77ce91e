package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// Shell completion of flag values, through cobra's completion functions
// (`netprobe completion bash|zsh|fish|powershell` writes the script; the
// shell asks `netprobe __complete ...`). Every value offered is one the
// command accepts (TestCompletionValuesAreAccepted).

// snmpAuthProtos and snmpPrivProtos are the SNMPv3 protocols the printer
// probe knows, as completion offers them.
var (
	snmpAuthProtos = []string{"MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"}
	snmpPrivProtos = []string{"DES", "AES", "AES192", "AES256", "AES192C", "AES256C"}
)

// valueCompletions maps a flag name to the values it completes to.
var valueCompletions = map[string]cobra.CompletionFunc{
	"output":       cobra.FixedCompletions(reports.Formats, cobra.ShellCompDirectiveNoFileComp),
	"color":        cobra.FixedCompletions(colorModes, cobra.ShellCompDirectiveNoFileComp),
	"snmp-version": cobra.FixedCompletions([]string{"1", "2c", "3"}, cobra.ShellCompDirectiveNoFileComp),
	"auth-proto":   cobra.FixedCompletions(snmpAuthProtos, cobra.ShellCompDirectiveNoFileComp),
	"priv-proto":   cobra.FixedCompletions(snmpPrivProtos, cobra.ShellCompDirectiveNoFileComp),
	"fail-on":      cobra.FixedCompletions([]string{"fail", "warn"}, cobra.ShellCompDirectiveNoFileComp),
	"layers":       completeLayers,
}

// fileCompletions are the flags that name a file, with the extensions
// offered first.
var fileCompletions = map[string][]string{
	"config":  {"yaml", "yml"},
	"file":    {"yaml", "yml"},
	"ca-file": {"pem", "crt"},
}

// completeLayers completes a comma-separated list of layers: the ones not
// yet typed, after what is typed, without a space so another can follow.
func completeLayers(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done := ""
	typed := map[string]bool{}
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done = toComplete[:i+1]
		for _, l := range strings.Split(toComplete[:i], ",") {
			typed[strings.ToLower(strings.TrimSpace(l))] = true
		}
	}
	var out []cobra.Completion
	for _, l := range result.Layers {
		if !typed[l.String()] {
			out = append(out, done+l.String())
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// registerCompletions registers the value completions on every command
// that has the flag, and turns off file completion where a command's
// arguments are hosts or names.
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for name, fn := range valueCompletions {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, fn)
			}
		}
		for name, exts := range fileCompletions {
			if c.Flags().Lookup(name) != nil {
				_ = c.MarkFlagFilename(name, exts...)
			}
		}
		// Values that are addresses, names, URLs, numbers or durations:
		// no file names.
		c.Flags().VisitAll(func(fl *pflag.Flag) {
			if _, ok := valueCompletions[fl.Name]; ok {
				return
			}
			if _, ok := fileCompletions[fl.Name]; ok || fl.Name == "output-file" || fl.Value.Type() == "bool" {
				return
			}
			_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.NoFileCompletions)
		})
		if c.ValidArgsFunction == nil && c.Name() != "completion" && c.Name() != "help" {
			c.ValidArgsFunction = cobra.NoFileCompletions
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
