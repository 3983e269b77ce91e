package input

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadFileSizeCap(t *testing.T) {
	dir := t.TempDir()
	at := filepath.Join(dir, "at-limit")
	if err := os.WriteFile(at, []byte(strings.Repeat("a", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	data, mode, err := ReadFile(at, 1000)
	if err != nil || len(data) != 1000 || !mode.IsRegular() || mode.Perm() != 0o600 {
		t.Fatalf("a file at the limit: %d bytes, mode %v, err %v", len(data), mode, err)
	}
	if _, _, err := ReadFile(at, 999); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("a file past the limit: err %v", err)
	}
	// A sparse 5 GB file is refused by its size, without reading it.
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(5 << 30); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	start := time.Now()
	if _, _, err := ReadFile(big, MaxCA); err == nil || !strings.Contains(err.Error(), "5.0 GiB") && !strings.Contains(err.Error(), "5120.0 MiB") {
		t.Fatalf("5 GB file: err %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("refusing a big file took %s", time.Since(start))
	}
}

func TestReadFileProcFileWithoutSize(t *testing.T) {
	// Files in /proc report size 0 and still have content: the cap must
	// hold while reading, not only by the size the file claims.
	const p = "/proc/self/maps"
	if _, err := os.Stat(p); err != nil {
		t.Skip("no /proc")
	}
	if _, _, err := ReadFile(p, 16); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err %v, want a refusal past 16 bytes", err)
	}
}

func TestReadFileGivesUpOnAStuckRead(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	readFn = func(string, int64) ([]byte, fs.FileMode, error) { <-stuck; return nil, 0, nil }
	defer func() { readFn = read }()
	start := time.Now()
	_, _, err := readFile("/mnt/hung/netprobe.yml", MaxConfig, 50*time.Millisecond)
	var ie *Error
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "/mnt/hung/netprobe.yml") {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("gave up after %s", d)
	}
}
