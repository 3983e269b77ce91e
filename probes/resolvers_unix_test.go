//go:build !windows && !darwin

package probes

import (
	"context"
	"path/filepath"
	"testing"
)

// TestReadResolvers points the resolver paths at fixtures. It changes
// package variables, so it must not run in parallel.
func TestReadResolvers(t *testing.T) {
	oldConf, oldUp := resolvConfPath, resolvedUpstream
	t.Cleanup(func() { resolvConfPath, resolvedUpstream = oldConf, oldUp })
	resolvConfPath = filepath.Join("testdata", "resolv.conf.stub")
	resolvedUpstream = filepath.Join("testdata", "resolv.conf.upstream")
	rs, note, err := readResolvers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Addr.String() != "127.0.0.53:53" || rs[1].Addr.String() != "192.0.2.1:53" {
		t.Errorf("resolvers = %v", rs)
	}
	if note == "" {
		t.Error("a stub resolver must come with a note")
	}
	sys := ReadSystem(context.Background())
	if len(sys.Resolvers) != 3 || sys.ResolverNote != note {
		t.Errorf("ReadSystem resolvers %v note %q", sys.Resolvers, sys.ResolverNote)
	}

	resolvConfPath = filepath.Join("testdata", "missing")
	sys = ReadSystem(context.Background())
	found := false
	for _, e := range sys.Errors {
		found = found || len(e) > 10 && e[:10] == "resolvers:"
	}
	if !found {
		t.Errorf("a missing resolv.conf must be listed in Errors, got %v", sys.Errors)
	}
}
