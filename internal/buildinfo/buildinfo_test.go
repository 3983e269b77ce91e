package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	bi := func(version string, settings ...string) *debug.BuildInfo {
		b := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/netprobe/netprobe", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			b.Settings = append(b.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return b
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{name: "release build: the stamp wins over everything",
			version: "v0.4.0", commit: "0123456789abcdef0123456789abcdef01234567", date: "2026-01-02T03:04:05Z",
			bi:   bi("(devel)", "vcs.revision", "fedcba", "vcs.time", "2020-01-01T00:00:00Z"),
			want: Info{Version: "0.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-01-02T03:04:05Z"}},
		{name: "go install of a tag",
			version: Unstamped, bi: bi("v0.4.0"),
			want: Info{Version: "0.4.0"}},
		{name: "go install of a commit (pseudo-version)",
			version: Unstamped, bi: bi("v0.4.1-0.20260102030405-0123456789ab"),
			want: Info{Version: "0.4.1-0.20260102030405-0123456789ab", Commit: "0123456789ab", Date: "2026-01-02T03:04:05Z"}},
		{name: "go build in a checkout: the toolchain's vcs settings",
			version: Unstamped, bi: bi("(devel)", "vcs", "git", "vcs.revision", "0123456789abcdef", "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "true"),
			want: Info{Version: Unstamped, Commit: "0123456789abcdef", Date: "2026-01-02T03:04:05Z", Modified: true}},
		{name: "go build in a clean checkout (Go 1.24+): a pseudo-version, and the full revision",
			version: Unstamped, bi: bi("v0.0.0-20261130031537-ff78e997a870", "vcs.revision", "ff78e997a87093e0aef42ff377799658b6cb5422", "vcs.time", "2026-11-30T03:15:37Z"),
			want: Info{Version: "0.0.0-20261130031537-ff78e997a870", Commit: "ff78e997a87093e0aef42ff377799658b6cb5422", Date: "2026-11-30T03:15:37Z"}},
		{name: "a dirty pseudo-version",
			version: Unstamped, bi: bi("v0.0.0-20261130031537-ff78e997a870+dirty"),
			want: Info{Version: "0.0.0-20261130031537-ff78e997a870+dirty", Commit: "ff78e997a870", Date: "2026-11-30T03:15:37Z"}},
		{name: "nothing known",
			version: "", bi: nil,
			want: Info{Version: Unstamped}},
		{name: "a stamped version keeps a pseudo-version's commit from overriding a stamped commit",
			version: "0.5.0-rc.1", commit: "abc", bi: bi("v0.4.1-0.20260102030405-0123456789ab"),
			want: Info{Version: "0.5.0-rc.1", Commit: "abc", Date: "2026-01-02T03:04:05Z"}},
		{name: "a version that is not v+digit keeps its v",
			version: "vintage", bi: nil, want: Info{Version: "vintage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resolve(tt.version, tt.commit, tt.date, tt.bi)
			got.GoVersion, got.Platform = "", ""
			if got != tt.want {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	got := Info{Version: "0.4.0", Commit: "0123abc", Date: "2026-01-02T03:04:05Z", Modified: true, GoVersion: "go1.26.8", Platform: "linux/amd64"}.String()
	want := "netprobe 0.4.0\ncommit: 0123abc (with uncommitted changes)\nbuilt:  2026-01-02T03:04:05Z\ngo:     go1.26.8 linux/amd64\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if s := (Info{Version: Unstamped}).String(); !strings.Contains(s, "commit: unknown\nbuilt:  unknown\n") {
		t.Errorf("unknown values: %q", s)
	}
}
