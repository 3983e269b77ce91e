//go:build unix

package checkfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A check file, and the CA file it names, go through the one bounded
// reader: a FIFO (whose open would block until a writer comes) and a
// device (that never ends) are refused at once, by name.
func TestCheckFileReadsAreBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "office.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "office.yaml") {
			t.Fatalf("a FIFO as check file: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("loading a FIFO as check file blocks")
	}

	file := filepath.Join(dir, "ca.yaml")
	body := "ca_file: /dev/zero\ntargets:\n  - name: web\n    target: https://127.0.0.1:8443/\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	go func() { _, err := Load(file); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "/dev/zero") {
			t.Fatalf("/dev/zero as ca_file: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("reading /dev/zero as ca_file does not end")
	}
}
