package probes

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestDecideICMP checks the permission and its reason per OS: each says
// what would allow ping on that system, not Linux's words everywhere.
func TestDecideICMP(t *testing.T) {
	eperm := os.NewSyscallError("socket", syscall.EPERM)
	noproto := os.NewSyscallError("socket", syscall.EPROTONOSUPPORT)
	wsa := os.NewSyscallError("socket", wsaEACCES)
	tests := []struct {
		name string
		s    icmpSockets
		mode string
		want []string // fragments of the reason
		not  []string
	}{
		{"datagram socket opens", icmpSockets{GOOS: "darwin"}, ICMPUnprivileged, nil, nil},
		{"raw socket opens", icmpSockets{GOOS: "freebsd", Dgram: noproto}, ICMPPrivileged, nil, nil},
		{"linux without the group", icmpSockets{GOOS: "linux", Dgram: eperm, Raw: eperm, GID: 1000, PingGroupRange: "1 0"}, ICMPDenied,
			[]string{`ping_group_range is "1 0"`, "group 1000", "CAP_NET_RAW"}, []string{"root"}},
		{"linux as root without CAP_NET_RAW", icmpSockets{GOOS: "linux", Dgram: eperm, Raw: eperm, Root: true, PingGroupRange: "1 0"}, ICMPDenied,
			[]string{"although running as root", "CAP_NET_RAW is missing", "operation not permitted"}, nil},
		{"macOS sandboxed", icmpSockets{GOOS: "darwin", Dgram: eperm, Raw: eperm}, ICMPDenied,
			[]string{"macOS lets every user ping", "operation not permitted", "sandbox"}, []string{"ping_group_range", "CAP_NET_RAW"}},
		{"FreeBSD user", icmpSockets{GOOS: "freebsd", Dgram: noproto, Raw: eperm}, ICMPDenied,
			[]string{"FreeBSD has no unprivileged ICMP sockets", "root", "sudo or doas"}, []string{"ping_group_range", "CAP_NET_RAW"}},
		{"OpenBSD user", icmpSockets{GOOS: "openbsd", Dgram: noproto, Raw: eperm}, ICMPDenied, []string{"OpenBSD has no unprivileged"}, nil},
		{"FreeBSD root in a jail", icmpSockets{GOOS: "freebsd", Dgram: noproto, Raw: eperm, Root: true}, ICMPDenied,
			[]string{"although running as root", "allow.raw_sockets"}, []string{"sudo"}},
		{"Windows not elevated", icmpSockets{GOOS: "windows", Dgram: errors.ErrUnsupported, Raw: wsa}, ICMPDenied,
			[]string{"access denied", "Run as administrator"}, []string{"ping_group_range", "root"}},
		{"Windows, another failure", icmpSockets{GOOS: "windows", Dgram: errors.ErrUnsupported, Raw: fmt.Errorf("socket: %w", syscall.Errno(10047))}, ICMPDenied,
			[]string{"could not be opened", "Administrator"}, []string{"access denied"}},
		{"another system", icmpSockets{GOOS: "solaris", Dgram: eperm, Raw: eperm}, ICMPDenied, []string{"may not open ICMP sockets"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decideICMP(tt.s)
			if got.Mode != tt.mode {
				t.Fatalf("mode %q, want %q", got.Mode, tt.mode)
			}
			if (got.Reason == "") != (tt.mode != ICMPDenied) {
				t.Fatalf("reason %q for mode %s", got.Reason, got.Mode)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.Reason, w) {
					t.Errorf("reason %q lacks %q", got.Reason, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got.Reason, n) {
					t.Errorf("reason %q has %q, which is not this OS's", got.Reason, n)
				}
			}
		})
	}
}
