//go:build unix

package input

import (
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tt := range []struct{ path, want string }{
		{"/dev/zero", "is a device"},
		{"/dev/urandom", "is a device"},
		{dir, "is a directory"},
		{fifo, "named pipe"},
		{sock, "is a socket"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			start := time.Now()
			data, _, err := ReadFile(tt.path, MaxConfig)
			if err == nil {
				t.Fatalf("read %d bytes, want a refusal", len(data))
			}
			if time.Since(start) > time.Second {
				t.Fatalf("took %s: a refusal must not wait", time.Since(start))
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("error %q does not name the file and %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}
