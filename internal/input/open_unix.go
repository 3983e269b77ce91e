//go:build unix

package input

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without waiting: opening a FIFO for
// reading otherwise blocks until a writer appears, which may be never.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
