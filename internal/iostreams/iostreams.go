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
	noColor bool
}

// System returns the real streams, with terminal detection and the
// NO_COLOR / TERM=dumb conventions applied.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.outTTY = term.IsTerminal(int(os.Stdout.Fd()))
	if _, ok := os.LookupEnv("NO_COLOR"); ok || os.Getenv("TERM") == "dumb" {
		s.noColor = true
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

// DisableColor turns colour off (--no-color).
func (s *IOStreams) DisableColor() { s.noColor = true }

// IsTTY reports whether stdout is a terminal.
func (s *IOStreams) IsTTY() bool { return s.outTTY }

// Color reports whether ANSI colour may be written to stdout.
func (s *IOStreams) Color() bool { return s.outTTY && !s.noColor }

// Unicode reports whether Unicode marks (✓ ✗ █) may be used: on a
// terminal only, so piped output stays plain ASCII for any ticket system.
func (s *IOStreams) Unicode() bool { return s.outTTY && os.Getenv("TERM") != "dumb" }
