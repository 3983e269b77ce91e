package reports_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/reports/reporttest"
)

// The HTML pages are opened in a real headless Chromium through the
// DevTools protocol (chromedp, over a pipe: no port is opened). The
// protocol reports every console message, uncaught exception and
// browser-log entry (a Content-Security-Policy violation, a failed load)
// as an event with a level, which parsing chromium's --enable-logging
// output could only guess at; and it reads the rendered text and takes
// full-page screenshots in light, dark and print modes.
//
// Chromium only opens files from t.TempDir(). Its flags turn off every
// background connection (updates, sync, safe browsing, QUIC) and map
// every host name to "not found", so even a page that tried could reach
// nothing.
//
// NETPROBE_SCREENSHOTS=DIR keeps the screenshots there, to look at.

// chromiumPath finds the browser; without one the test skips, except
// under CI, where a missing browser is a broken install step.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("NETPROBE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium on PATH (Debian: apt-get install chromium; scripts/install-deps does it as root); the HTML is not checked in a browser"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser starts one headless Chromium for the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.WindowSize(1100, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, so one that cannot start fails here. The
	// first call must not have a timeout of its own: its context's end
	// would end the browser.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("1")); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// opened is what a page showed in the browser.
type opened struct {
	h1, text string
	scripts  int
	messages []chromedp.ConsoleMessage
}

// open loads file in a new tab, collects the console, reads the page and
// takes screenshots in light, dark and print media.
func open(t *testing.T, ctx context.Context, file, shotName string, ours bool) opened {
	t.Helper()
	base, cancel := chromedp.NewContext(ctx)
	defer cancel()
	// Subscribe before the page loads; this first call opens the tab, on
	// the tab's own context (a timeout here would close the tab with it).
	msgs := chromedp.Console(base)
	tab, cancelT := context.WithTimeout(base, 60*time.Second)
	defer cancelT()

	var mu sync.Mutex
	var o opened
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			mu.Lock()
			o.messages = append(o.messages, m)
			mu.Unlock()
		}
	}()

	if err := chromedp.Do(tab, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatalf("opening %s: %v", file, err)
	}
	var err error
	if o.h1, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("h1").innerText`)); err != nil {
		t.Fatal(err)
	}
	if o.text, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`)); err != nil {
		t.Fatal(err)
	}
	if o.scripts, err = chromedp.Run(tab, chromedp.Evaluate[int](`document.scripts.length`)); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []struct {
		name  string
		media emulation.SetEmulatedMediaParams
		bg    string // the page background the mode must give
	}{
		{"light", emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}}, "rgb(255, 255, 255)"},
		{"dark", emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}, "rgb(15, 18, 22)"},
		{"print", emulation.SetEmulatedMediaParams{Media: "print", Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}, "rgb(255, 255, 255)"},
	} {
		if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, mode.media); err != nil {
			t.Fatal(err)
		}
		bg, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil {
			t.Fatal(err)
		}
		if ours && bg != mode.bg {
			t.Errorf("%s mode: page background %s, want %s", mode.name, bg, mode.bg)
		}
		if ours && mode.name == "print" {
			// On paper even a dark screen's badges are outlines on white.
			badge, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("h1 .badge")).backgroundColor`))
			if err != nil {
				t.Fatal(err)
			}
			if badge != "rgb(255, 255, 255)" {
				t.Errorf("print mode: the verdict badge's background is %s, want white", badge)
			}
		}
		shot, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatalf("%s screenshot is not a PNG: %v", mode.name, err)
		}
		if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
			t.Errorf("%s screenshot is only %dx%d", mode.name, b.Dx(), b.Dy())
		}
		if dir := os.Getenv("NETPROBE_SCREENSHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, shotName+"-"+mode.name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A last round trip, so every message of the page has arrived.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[int]("0")); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	return o
}

// problems are the console messages that mean the page is broken: errors,
// warnings and uncaught exceptions (CSP violations and failed loads come
// as errors of the browser log).
func problems(ms []chromedp.ConsoleMessage) []string {
	var out []string
	for _, m := range ms {
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
			out = append(out, m.String()+" ("+m.Source+" "+m.URL+")")
		}
	}
	return out
}

func writeFile(t *testing.T, dir, name string, render func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := render(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHTMLInChromium(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()

	t.Run("the console check catches errors", func(t *testing.T) {
		// A page that breaks the same policy: the check must see it, or
		// a clean result below would prove nothing.
		p := filepath.Join(dir, "broken.html")
		os.WriteFile(p, []byte(`<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'">`+
			`<title>x</title></head><body><h1>broken</h1><script>document.title = "ran"</script></body></html>`), 0o644)
		o := open(t, ctx, p, "broken", false)
		if len(problems(o.messages)) == 0 {
			t.Fatalf("a blocked inline script produced no console error: messages %v", o.messages)
		}
	})

	for _, f := range reporttest.All() {
		switch f.Name {
		case "dns-failure", "printer-jam", "hostile", "healthy":
		default:
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			p := writeFile(t, dir, f.Name+".html", func(b *bytes.Buffer) error { return reports.HTML(b, f.Report) })
			o := open(t, ctx, p, f.Name, true)
			if pr := problems(o.messages); len(pr) > 0 {
				t.Errorf("console: %v", pr)
			}
			if o.scripts != 0 {
				t.Errorf("the page has %d scripts", o.scripts)
			}
			v := f.Report.Verdict
			// What the verdict says is on the page, as a reader sees it.
			for _, want := range append([]string{v.Summary}, v.Advice...) {
				if want = strings.Join(strings.Fields(want), " "); !strings.Contains(o.text, want) {
					t.Errorf("the page does not show %q", want)
				}
			}
			if !strings.Contains(o.h1, strings.TrimPrefix(reportsHeadline(f.Name), "")) {
				t.Errorf("h1 = %q, want the verdict %q", o.h1, reportsHeadline(f.Name))
			}
		})
	}

	t.Run("watch-flapping", func(t *testing.T) {
		s := reporttest.WatchFlapping()
		p := writeFile(t, dir, "watch.html", func(b *bytes.Buffer) error { return reports.WatchHTML(b, s) })
		o := open(t, ctx, p, "watch-flapping", true)
		if pr := problems(o.messages); len(pr) > 0 {
			t.Errorf("console: %v", pr)
		}
		for _, want := range []string{"Gateway down 3 times", "Timeline", "Latency and loss per path", "internet ping 1.1.1.1", "still down"} {
			if !strings.Contains(o.text, want) {
				t.Errorf("the page does not show %q", want)
			}
		}
	})
}

// reportsHeadline is the verdict line each fixture's h1 must show.
func reportsHeadline(name string) string {
	switch name {
	case "dns-failure":
		return "FAIL at the DNS layer"
	case "printer-jam":
		return "FAIL at the Printer layer"
	case "hostile":
		return "DEGRADED at the Service layer"
	}
	return "OK"
}
