package printer

import (
	"context"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// longCtx is the budget for probes that are expected to get an answer; it
// is generous so a loaded machine does not turn an answer into a timeout.
func longCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rr parses one resource record in zone-file syntax.
func rr(s string) dns.RR {
	r, err := dns.NewRR(s)
	if err != nil {
		panic(err)
	}
	return r
}
