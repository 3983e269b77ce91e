// Package buildinfo says which netprobe is running: the version, commit
// and build date a release build stamps in with -ldflags, or, for a binary
// built with `go install github.com/netprobe/netprobe/cmd/netprobe@v1.2.3`
// (which stamps nothing), what the Go toolchain recorded in it. A report
// pasted into a ticket must say which build made it, whichever way the
// user got it.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/mod/module"
)

// Unstamped is the version of a build that knows nothing better: a
// `go build` of a checkout without -ldflags.
const Unstamped = "dev"

// Info is what netprobe knows about its own build.
type Info struct {
	// Version is the release ("0.4.0"), the module version of a go
	// install ("0.4.1-0.20260102030405-0123456789ab"), or "dev".
	Version string
	// Commit is the source revision; "" when unknown.
	Commit string
	// Date is when the commit was made or the binary built (RFC 3339,
	// UTC); "" when unknown.
	Date string
	// Modified is set when the toolchain saw uncommitted changes.
	Modified bool
	// GoVersion and Platform ("linux/amd64") say what built it for what.
	GoVersion, Platform string
}

// Read resolves the stamped values (cmd's Version, Commit and Date
// variables) against the build info of the running binary.
func Read(version, commit, date string) Info {
	bi, _ := debug.ReadBuildInfo()
	return Resolve(version, commit, date, bi)
}

// Resolve fills what the build did not stamp from bi (may be nil): the
// main module's version when it is a real one (not "(devel)"; since Go
// 1.24 a build in a clean checkout gets a pseudo-version too), the
// vcs.revision, vcs.time and vcs.modified settings a build inside a
// checkout records, and else the revision and time a pseudo-version
// abbreviates. A stamped
// value always wins. A leading "v" is dropped from versions, so a release
// and a go install of the same tag print the same.
func Resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	in := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if in.Version == "" {
		in.Version = Unstamped
	}
	if bi != nil {
		in.GoVersion = bi.GoVersion
		if mv := bi.Main.Version; in.Version == Unstamped && mv != "" && mv != "(devel)" {
			in.Version = mv
		}
		// The full revision and commit time first, then what a
		// pseudo-version abbreviates (a go install has only that).
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Commit == "" {
					in.Commit = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
		if v := strings.TrimSuffix(bi.Main.Version, "+dirty"); module.IsPseudoVersion(v) {
			if rev, err := module.PseudoVersionRev(v); err == nil && in.Commit == "" {
				in.Commit = rev
			}
			if t, err := module.PseudoVersionTime(v); err == nil && in.Date == "" {
				in.Date = t.UTC().Format(time.RFC3339)
			}
		}
	}
	if len(in.Version) > 1 && in.Version[0] == 'v' && in.Version[1] >= '0' && in.Version[1] <= '9' {
		in.Version = in.Version[1:]
	}
	return in
}

// String is the text of `netprobe version`: the first line alone is what
// scripts read ("netprobe 0.4.0").
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netprobe %s\n", i.Version)
	commit := i.Commit
	if commit == "" {
		commit = "unknown"
	}
	if i.Modified {
		commit += " (with uncommitted changes)"
	}
	date := i.Date
	if date == "" {
		date = "unknown"
	}
	fmt.Fprintf(&b, "commit: %s\nbuilt:  %s\ngo:     %s %s\n", commit, date, i.GoVersion, i.Platform)
	return b.String()
}
