//go:build unix

package cmd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Files that are not regular files, or too big, are refused at once with
// one line naming them; nothing is read, nothing hangs, nothing is
// probed.
func TestBadFilesAreRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), 200_000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--config", "/dev/zero"}, nil, "config /dev/zero: is a device"},
		{[]string{"--config", "/dev/urandom"}, nil, "config /dev/urandom: is a device"},
		{[]string{"--config", fifo}, nil, "config " + fifo + ": is a named pipe"},
		{nil, []string{"NETPROBE_CONFIG=" + fifo}, "config " + fifo + ": is a named pipe"},
		{[]string{"--config", dir}, nil, "is a directory"},
		{[]string{"--config", big}, nil, "the limit is 1.0 MiB"},
		{[]string{"--ca-file", "/dev/urandom"}, nil, "ca-file /dev/urandom: is a device"},
		{[]string{"--ca-file", fifo}, nil, "ca-file " + fifo + ": is a named pipe"},
	} {
		t.Run(strings.Join(append(tt.env, tt.args...), " "), func(t *testing.T) {
			start := time.Now()
			// A short leash: should a regression read /dev/zero again, it
			// is killed before it eats the machine.
			r := runShell(t, 5*time.Second, tt.env, `exec "$0" "$@"`,
				append(tt.args, "--layers", "link", "--upstream", "198.18.1.1")...)
			if r.code != 2 || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and no report", r.code, r.stdout, r.stderr)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("stderr %q, want one line with %q", r.stderr, tt.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("refusing took %s", d)
			}
		})
	}
}
