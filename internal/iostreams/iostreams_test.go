package iostreams

import "testing"

func TestColorAndUnicodeOnlyOnATerminal(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	s, _, _ := Test()
	if s.IsTTY() || s.Color() || s.Unicode() {
		t.Fatal("test streams must start as a pipe: no colour, no Unicode marks")
	}
	s.SetTTY(true)
	if !s.Color() || !s.Unicode() {
		t.Fatal("a terminal gets colour and Unicode marks")
	}
	s.DisableColor()
	if s.Color() || !s.Unicode() {
		t.Fatal("--no-color turns colour off and keeps the marks")
	}
	t.Setenv("TERM", "dumb")
	if s.Unicode() {
		t.Fatal("TERM=dumb gets ASCII marks")
	}
}

func TestNoColorEnvironment(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if s := System(); s.Color() {
		t.Fatal("NO_COLOR must turn colour off")
	}
}

func TestNoColorOnlyWhenNonEmpty(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("NO_COLOR", "")
	if s := System(); !s.ColorAllowed() {
		t.Fatal("an empty NO_COLOR must not turn colour off (no-color.org)")
	}
	t.Setenv("NO_COLOR", "0")
	if s := System(); s.ColorAllowed() {
		t.Fatal("any non-empty NO_COLOR turns colour off")
	}
}
