// Package reports renders a finished result.Report for people and for
// machines: a terminal report, Markdown for tickets, JSON (the stable
// netprobe.report/v1 schema), JUnit XML for CI and the Prometheus text
// format for node_exporter's textfile collector, and one self-contained
// HTML page.
//
// Renderers only format. Every judgement (statuses, the verdict, advice,
// what is a consequence of what) has been made before a Report reaches
// this package, so two formats of the same run never disagree.
package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/netprobe/netprobe/result"
)

// Format names accepted by Render and ParseFormat.
const (
	FormatText       = "text"
	FormatJSON       = "json"
	FormatMarkdown   = "markdown"
	FormatJUnit      = "junit"
	FormatPrometheus = "prometheus"
)

// Formats lists the canonical output format names, in the order help texts
// should show them.
var Formats = []string{FormatText, FormatJSON, FormatMarkdown, FormatHTML, FormatJUnit, FormatPrometheus}

// aliases maps the extra spellings people type to canonical names.
var aliases = map[string]string{
	"md":   FormatMarkdown,
	"prom": FormatPrometheus,
	"htm":  FormatHTML,
}

// ParseFormat maps a user-supplied format name (case-insensitive, aliases
// such as "md" allowed) to its canonical name.
func ParseFormat(s string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if a, ok := aliases[n]; ok {
		return a, nil
	}
	for _, f := range Formats {
		if n == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q (want %s)", s, strings.Join(Formats, ", "))
}

// Render writes r to w in the named format. o only affects the text format.
func Render(w io.Writer, format string, r *result.Report, o TextOptions) error {
	f, err := ParseFormat(format)
	if err != nil {
		return err
	}
	switch f {
	case FormatText:
		return Text(w, r, o)
	case FormatJSON:
		return JSON(w, r)
	case FormatMarkdown:
		return Markdown(w, r)
	case FormatJUnit:
		return JUnit(w, r)
	case FormatHTML:
		return HTML(w, r)
	default:
		return Prometheus(w, r)
	}
}
