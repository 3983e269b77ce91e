package redact_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/redact"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// FuzzSecretNeverShown: a secret stored under a secret key, and repeated
// in other fields between arbitrary text, appears in no output format of
// the redacted report (unless the renderers' own words contain it).
func FuzzSecretNeverShown(f *testing.F) {
	f.Add("Xq7v-Zk9w pP2m", "device echoes ", "; rejected")
	f.Add("s3cret  c0mm", "community ", "")
	f.Add("hunter22", "https://u:", "@10.0.0.1/?token=")
	f.Add("<b>Kx9q</b>", "token=", " ")
	f.Add("abcd\u200befgh", "\x1b[31m", "\u202e")
	f.Fuzz(func(t *testing.T, secret, before, after string) {
		shown := strings.ToLower(sanitize.String(secret, 1<<20))
		if len(shown) < 4 || shown == "public" || shown == "private" || len(secret) > 256 {
			return
		}
		build := func(s string) result.Report {
			return result.Report{
				Command: "netprobe printer 198.18.0.9",
				Verdict: result.Verdict{Summary: before + s + after},
				Layers: []result.LayerResult{{Name: result.Printer, Status: result.Fail, Checks: []result.Check{{
					Name: "snmp", Target: "198.18.0.9", Status: result.Fail,
					Detail: before + s + after, Error: s,
					Evidence: map[string]any{"community": s, "display": []string{before + s, s + after}, "sys_descr": s + " " + after},
				}}}},
			}
		}
		r, base := redact.Report(build(secret)), redact.Report(build(""))
		for _, format := range reports.Formats {
			var got, want bytes.Buffer
			if err := reports.Render(&got, format, &r, reports.TextOptions{Verbose: true}); err != nil {
				t.Fatal(err)
			}
			if err := reports.Render(&want, format, &base, reports.TextOptions{Verbose: true}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ToLower(want.String()), shown) {
				continue
			}
			if strings.Contains(strings.ToLower(got.String()), shown) {
				t.Fatalf("%s output shows the secret %q:\n%s", format, secret, got.String())
			}
		}
	})
}
