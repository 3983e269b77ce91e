// Package progress draws a diagnosis in progress on a terminal: one line
// per layer, updating in place (a spinner while the layer's checks run,
// then ✓ ! ✗ and the layer's key figure), erased before the report is
// printed. It draws what diagnose tells it (diagnose.Options.Progress, the
// provisional status of each layer) and decides nothing: the report is
// the answer.
//
// The caller decides whether to draw at all (stderr a terminal, no CI, no
// --quiet, TERM not dumb); see cmd. Everything here writes to one
// io.Writer, normally stderr, so stdout keeps only the report.
package progress

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Options says what the terminal can show.
type Options struct {
	// Unicode draws ✓ ! ✗ and a braille spinner; without it, ASCII.
	Unicode bool
	// Color paints the marks.
	Color bool
	// Width is the terminal's width: no line drawn is wider, so the
	// display never wraps (a wrapped line would break erasing it).
	Width int
	// Budget is the run's time budget, shown next to the elapsed time.
	Budget time.Duration
	// Title is the header's words, e.g. "Diagnosing the network".
	Title string
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// tick is how often the spinner turns and the elapsed time updates.
const tick = 100 * time.Millisecond

// Display is one live progress display. Update may be called from any one
// goroutine while Start's ticker draws; Stop erases it.
type Display struct {
	w io.Writer
	o Options

	mu      sync.Mutex
	start   time.Time
	frame   int
	layers  map[result.Layer]*layerLine
	drawn   int // lines on screen now
	stopped bool
	done    chan struct{}
	wg      sync.WaitGroup
}

// layerLine is what is shown for one layer: strings computed when the
// update arrives, so drawing never touches the runner's checks.
type layerLine struct {
	done, total int
	status      result.Status // "" while running
	figure      string
	confirming  bool
}

// New returns a display writing to w. Nothing is drawn before Start.
func New(w io.Writer, o Options) *Display {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Title == "" {
		o.Title = "Diagnosing the network"
	}
	return &Display{w: w, o: o, layers: map[result.Layer]*layerLine{}, done: make(chan struct{})}
}

// Start draws the first frame and keeps the spinner turning until Stop.
func (d *Display) Start() {
	d.mu.Lock()
	d.start = d.o.Now()
	d.drawLocked()
	d.mu.Unlock()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-d.done:
				return
			case <-t.C:
				d.mu.Lock()
				if !d.stopped {
					d.frame++
					d.drawLocked()
				}
				d.mu.Unlock()
			}
		}
	}()
}

// Update takes one progress report from the runner (diagnose.Progress).
func (d *Display) Update(p diagnose.Progress) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	l := d.layers[p.Layer]
	if l == nil {
		l = &layerLine{}
		d.layers[p.Layer] = l
	}
	if p.Round > 1 {
		// The confirmation round: the first round's mark and figure
		// stay; the line says it is being confirmed until it is.
		l.confirming = p.Done < p.Total
		d.drawLocked()
		return
	}
	l.done, l.total = p.Done, p.Total
	if p.Done >= p.Total {
		l.status = p.Status
		l.figure = Figure(p.Status, p.Checks)
	}
	// At once: a run that ends before the next tick still shows each
	// layer's mark.
	d.drawLocked()
}

// Stop ends the ticker and erases every line drawn, leaving the cursor
// where the display started, so the report that follows starts clean.
// It is safe to call more than once.
func (d *Display) Stop() {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.stopped = true
	close(d.done)
	d.eraseLocked()
	d.mu.Unlock()
	d.wg.Wait()
}

// eraseLocked moves the cursor up over the lines drawn and erases to the
// end of the screen.
func (d *Display) eraseLocked() {
	if d.drawn > 0 {
		fmt.Fprintf(d.w, "\x1b[%dA", d.drawn)
	}
	io.WriteString(d.w, "\r\x1b[J")
	d.drawn = 0
}

// drawLocked redraws every line in place.
func (d *Display) drawLocked() {
	lines := d.linesLocked()
	var b strings.Builder
	if d.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", d.drawn)
	}
	b.WriteString("\r\x1b[J")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	io.WriteString(d.w, b.String())
	d.drawn = len(lines)
}

// Lines returns the frame that would be drawn now, without colour: for
// tests and for anyone who wants the text.
func (d *Display) Lines() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	color := d.o.Color
	d.o.Color = false
	defer func() { d.o.Color = color }()
	return d.linesLocked()
}

// linesLocked builds the frame: a header with the spinner and the time
// used of the budget, then one line per layer heard of, lowest first.
func (d *Display) linesLocked() []string {
	spin := d.spinner()
	elapsed := d.o.Now().Sub(d.start)
	head := spin + " " + d.o.Title + d.ellipsis() + " " + seconds(elapsed)
	if d.o.Budget > 0 {
		head += " of " + seconds(d.o.Budget)
	}
	out := []string{d.fit(head)}
	nameW := 0
	for _, l := range result.Layers {
		if d.layers[l] != nil {
			nameW = max(nameW, len(l.String()))
		}
	}
	for _, l := range result.Layers {
		ll := d.layers[l]
		if ll == nil {
			continue
		}
		name := l.String() + strings.Repeat(" ", nameW-len(l.String()))
		var line string
		if ll.status == "" {
			line = "  " + name + "  " + spin + " " + strconv.Itoa(ll.done) + " of " + strconv.Itoa(ll.total) + " checks"
		} else {
			prefix, mark := "  "+name+"  ", d.markText(ll.status)
			line = prefix + mark
			if ll.figure != "" {
				line += " " + ll.figure
			}
			if ll.confirming {
				line += " (confirming " + spin + ")"
			}
			line = d.fit(line)
			if d.o.Color && strings.HasPrefix(line, prefix+mark) {
				line = prefix + markColor[ll.status] + mark + "\x1b[0m" + line[len(prefix)+len(mark):]
			}
			out = append(out, line)
			continue
		}
		out = append(out, d.fit(line))
	}
	return out
}

// fit cuts a line to the terminal's width less one column, so it never
// wraps; colour is added after cutting, and everything drawn is one column
// wide, so counting runes is enough.
func (d *Display) fit(s string) string {
	if d.o.Width <= 1 {
		return s
	}
	r := []rune(s)
	if len(r) >= d.o.Width {
		return string(r[:d.o.Width-1])
	}
	return s
}

var (
	unicodeSpinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	asciiSpinner   = []string{"|", "/", "-", `\`}
)

func (d *Display) spinner() string {
	if d.o.Unicode {
		return unicodeSpinner[d.frame%len(unicodeSpinner)]
	}
	return asciiSpinner[d.frame%len(asciiSpinner)]
}

func (d *Display) ellipsis() string {
	if d.o.Unicode {
		return "…"
	}
	return "..."
}

// markText is a finished layer's status as the report's marks show it.
func (d *Display) markText(s result.Status) string {
	if d.o.Unicode {
		switch s {
		case result.OK:
			return "✓"
		case result.Warn:
			return "!"
		case result.Fail:
			return "✗"
		}
		return "–"
	}
	switch s {
	case result.OK:
		return "OK"
	case result.Warn:
		return "WARN"
	case result.Fail:
		return "FAIL"
	}
	return "SKIP"
}

// markColor is the mark's colour, as in the report.
var markColor = map[result.Status]string{
	result.OK: "\x1b[32m", result.Warn: "\x1b[33m", result.Fail: "\x1b[31m", result.Skip: "\x1b[2m",
}

// seconds writes an elapsed time as the report does: 2.3 s.
func seconds(d time.Duration) string {
	return num(d.Round(100*time.Millisecond).Seconds()) + " s"
}

// maxFigure bounds a figure drawn from the network's strings (a target
// is the user's, a resolver address the system's).
const maxFigure = 48

// Figure is a finished layer's key figure: for a failing layer the first
// failing check's target and what went wrong (from its reason code, the
// words after the dot: "198.18.1.53 timeout"); for a working or degraded
// one its first round-trip time, or its loss when that is what degrades
// it ("30% loss"); else nothing. It formats what the checks hold and
// judges nothing.
func Figure(status result.Status, checks []result.Check) string {
	switch status {
	case result.Fail:
		for _, c := range checks {
			if c.Status == result.Fail {
				return bound(joinNonEmpty(shortTarget(c.Target), reasonWords(c.Reason)))
			}
		}
	case result.Warn:
		for _, c := range checks {
			if c.Status != result.Warn {
				continue
			}
			if loss, ok := c.Evidence["loss_pct"].(float64); ok && loss > 0 {
				return bound(joinNonEmpty(shortTarget(c.Target), num(loss)+"% loss"))
			}
			if rtt := rttOf(c); rtt != "" {
				return bound(joinNonEmpty(shortTarget(c.Target), rtt))
			}
			return bound(joinNonEmpty(shortTarget(c.Target), reasonWords(c.Reason)))
		}
	case result.OK:
		for _, c := range checks {
			if rtt := rttOf(c); rtt != "" && c.Status == result.OK {
				return rtt
			}
		}
	}
	return ""
}

// rttOf is a check's round-trip time as "1.2 ms", if it has one.
func rttOf(c result.Check) string {
	for _, k := range []string{"rtt_ms", "avg_ms", "connect_ms"} {
		if v, ok := c.Evidence[k].(float64); ok {
			return num(v) + " ms"
		}
	}
	return ""
}

// shortTarget is a target as a person names it: a DNS check's resolver
// ("www.lab.test @198.18.1.53" is about 198.18.1.53).
func shortTarget(t string) string {
	if _, at, ok := strings.Cut(t, " @"); ok {
		return at
	}
	return t
}

// reasonWords turns a reason code into words: "dns.conn_refused" →
// "conn refused".
func reasonWords(r result.Reason) string {
	s := string(r)
	if _, after, ok := strings.Cut(s, "."); ok {
		s = after
	}
	return strings.ReplaceAll(s, "_", " ")
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// bound makes a figure terminal-safe and short.
func bound(s string) string { return sanitize.String(s, maxFigure) }

// num is a number as the report writes it: at most one decimal (two
// below 1), no trailing zero.
func num(v float64) string {
	p := 10.0
	if v < 1 {
		p = 100
	}
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}
