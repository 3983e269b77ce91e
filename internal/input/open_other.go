//go:build !unix

package input

import "os"

// openNoBlock opens path for reading. Outside Unix there are no FIFOs in
// the file system to wait on; ReadFile's stat check and timeout remain.
func openNoBlock(path string) (*os.File, error) {
	return os.Open(path)
}
