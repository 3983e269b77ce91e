// Package input bounds what a user hands netprobe before it is trusted:
// the files it reads (a config file, a CA bundle, the system's resolver
// and hosts files) and the values it quotes back in an error. A hostile or
// mistaken input — /dev/zero as a config file, a FIFO nobody writes, a
// 50 MB value — must cost one clear line and exit code 2, never memory,
// a hang or a screenful of echo.
package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Size caps for the files netprobe reads. A real config file is a few
// hundred bytes and a CA bundle (the whole Mozilla store) about 250 kB;
// the caps are far above that and far below what hurts.
const (
	MaxConfig = 1 << 20 // 1 MiB
	MaxCA     = 4 << 20 // 4 MiB
	// MaxSystem bounds /etc/resolv.conf, /etc/hosts and the like: a hosts
	// file with ad-blocking lists runs to a few MB.
	MaxSystem = 16 << 20
)

// ReadTimeout bounds opening and reading one file: a file on a hung
// network mount must not hang the run before it has started.
const ReadTimeout = 5 * time.Second

// Error says why a file was refused. Its text names the file and the
// reason in one line: "/dev/zero: is a device, not a regular file".
type Error struct {
	Path   string
	Reason string
	// Err is the underlying error, when there is one (fs.ErrNotExist,
	// fs.ErrPermission, ...), for errors.Is.
	Err error
}

func (e *Error) Error() string { return Name(e.Path) + ": " + e.Reason }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ReadFile reads a whole regular file of at most limit bytes and returns
// its contents and mode. It refuses, without reading a byte, anything that
// is not a regular file (a directory, a FIFO, a socket, a device such as
// /dev/zero or /dev/urandom), a file larger than limit, and a file that
// grows past limit while it is read. Opening never waits for a FIFO's
// writer, and the whole read gives up after ReadTimeout.
func ReadFile(path string, limit int64) ([]byte, fs.FileMode, error) {
	return readFile(path, limit, ReadTimeout)
}

type readResult struct {
	data []byte
	mode fs.FileMode
	err  error
}

func readFile(path string, limit int64, timeout time.Duration) ([]byte, fs.FileMode, error) {
	if path == "" {
		return nil, 0, &Error{Path: path, Reason: "no file name given"}
	}
	ch := make(chan readResult, 1)
	fn := readFn
	go func() {
		data, mode, err := fn(path, limit)
		ch <- readResult{data, mode, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.data, r.mode, r.err
	case <-t.C:
		// The reader goroutine is abandoned: a read(2) stuck in the kernel
		// cannot be interrupted, and the process is about to exit with
		// this error anyway.
		return nil, 0, &Error{Path: path, Reason: "could not be read within " + timeout.String()}
	}
}

// readFn is read; a test replaces it to stand for a read stuck in the
// kernel (a hung network mount), which no test can make on demand.
var readFn = read

func read(path string, limit int64) ([]byte, fs.FileMode, error) {
	// A pre-check by name spares opening a FIFO or a device at all where
	// the OS cannot open without blocking; the check on the open file
	// below is the one that counts (the name may change in between).
	if fi, err := os.Stat(path); err != nil {
		return nil, 0, pathError(path, err)
	} else if reason := notRegular(fi.Mode()); reason != "" {
		return nil, 0, &Error{Path: path, Reason: reason}
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, 0, pathError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, pathError(path, err)
	}
	if reason := notRegular(fi.Mode()); reason != "" {
		return nil, 0, &Error{Path: path, Reason: reason}
	}
	if fi.Size() > limit {
		return nil, 0, &Error{Path: path, Reason: fmt.Sprintf("is %s; the limit is %s", Size(fi.Size()), Size(limit))}
	}
	// A file may grow while it is read, and some (in /proc) report size 0:
	// read one byte past the limit to tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, 0, pathError(path, err)
	}
	if int64(len(data)) > limit {
		return nil, 0, &Error{Path: path, Reason: "is larger than the limit of " + Size(limit)}
	}
	return data, fi.Mode(), nil
}

// notRegular says what a file is when it is not a regular file.
func notRegular(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "is a directory, not a file"
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe (FIFO), not a regular file"
	case m&fs.ModeSocket != 0:
		return "is a socket, not a regular file"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "is a device, not a regular file"
	}
	return "is not a regular file"
}

// pathError turns an os error into an Error with a short reason.
func pathError(path string, err error) error {
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = "no such file"
	case errors.Is(err, fs.ErrPermission):
		reason = "permission denied"
	case errors.Is(err, syscall.EISDIR):
		reason = "is a directory, not a file"
	}
	return &Error{Path: path, Reason: reason, Err: err}
}

// Size prints a byte count the way people read file sizes.
func Size(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
