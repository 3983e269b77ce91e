package probes

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWebBodyContains: with BodyContains the http check reads the answer
// and says, in evidence, whether the text is in it; without it the body
// is not read at all.
func TestWebBodyContains(t *testing.T) {
	srv := httptest.NewServer(webHandler())
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/")
	tests := []struct {
		name     string
		contains string
		want     any // body_match, nil when absent
	}{
		{"found", "hello", true},
		{"not found", "goodbye", false},
		{"not asked", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Web(longCtx(t), u, WebOptions{BodyContains: tt.contains})
			h := got[len(got)-1]
			if h.Name != "http" {
				t.Fatalf("last check is %q", h.Name)
			}
			if m := h.Evidence["body_match"]; m != tt.want {
				t.Fatalf("body_match = %v, want %v", m, tt.want)
			}
			if tt.want != nil && h.Evidence["body_bytes"] != len("hello\n") {
				t.Fatalf("body_bytes = %v", h.Evidence["body_bytes"])
			}
			for k, v := range h.Evidence {
				if s, ok := v.(string); ok && strings.Contains(s, "hello") {
					t.Fatalf("the body leaked into evidence %s = %q", k, s)
				}
			}
		})
	}
}
