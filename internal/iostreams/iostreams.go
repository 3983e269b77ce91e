// Package iostreams owns the process's standard streams and what is known
// about them: whether stdout is a terminal, and whether colour and Unicode
// marks may be used. Commands take an *IOStreams instead of touching
// os.Stdout, so tests can capture output and pretend to be a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams bundles the streams of one invocation.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY  bool
	errTTY  bool
	noColor bool
	// width is the terminal's width in columns (0: unknown or not a
	// terminal).
	width int
}

// System returns the real streams, with terminal detection and the
// NO_COLOR / TERM=dumb conventions applied. NO_COLOR counts only when it
// is set to something (no-color.org: "when present and not an empty
// string").
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.outTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.errTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		s.noColor = true
	}
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			s.width = w
			break
		}
	}
	return s
}

// Test returns streams backed by buffers: not a terminal unless SetTTY is
// called.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}, out, errOut
}

// SetTTY pretends stdout is (or is not) a terminal.
func (s *IOStreams) SetTTY(v bool) { s.outTTY = v }

// SetStderrTTY pretends stderr is (or is not) a terminal.
func (s *IOStreams) SetStderrTTY(v bool) { s.errTTY = v }

// SetTerminalWidth pretends the terminal is w columns wide.
func (s *IOStreams) SetTerminalWidth(w int) { s.width = w }

// IsStderrTTY reports whether stderr is a terminal: the live progress
// display draws only there.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// TerminalWidth is the width in columns of the terminal stdout writes
// to, or 0 when stdout is not a terminal (a pipe wraps at the report's
// default).
func (s *IOStreams) TerminalWidth() int {
	if !s.outTTY {
		return 0
	}
	return s.width
}

// StderrWidth is the width of the terminal stderr writes to, or 0.
func (s *IOStreams) StderrWidth() int {
	if !s.errTTY {
		return 0
	}
	return s.width
}

// ColorAllowed reports whether the environment allows colour at all
// (NO_COLOR, TERM=dumb), whatever the stream.
func (s *IOStreams) ColorAllowed() bool { return !s.noColor }

// DisableColor turns colour off (--no-color).
func (s *IOStreams) DisableColor() { s.noColor = true }

// IsTTY reports whether stdout is a terminal.
func (s *IOStreams) IsTTY() bool { return s.outTTY }

// Color reports whether ANSI colour may be written to stdout.
func (s *IOStreams) Color() bool { return s.outTTY && !s.noColor }

// Unicode reports whether Unicode marks (✓ ✗ █) may be used: on a
// terminal only, so piped output stays plain ASCII for any ticket system.
func (s *IOStreams) Unicode() bool { return s.outTTY && os.Getenv("TERM") != "dumb" }
