//go:build !windows

package probes

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"time"
)

// Bounds of an OS tool run for the proxy settings.
const (
	osToolTimeout = time.Second
	osToolMaxOut  = 64 << 10
)

// runBounded runs an OS tool with a deadline and keeps at most
// osToolMaxOut bytes of its output: a hung or chatty tool cannot hold the
// run or fill memory.
func runBounded(ctx context.Context, name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, osToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	out := &capped{max: osToolMaxOut}
	cmd.Stdout = out
	cmd.WaitDelay = 100 * time.Millisecond
	if err := cmd.Run(); err != nil {
		return out.String(), err
	}
	if out.over {
		return out.String(), errors.New(name + ": output too long")
	}
	return out.String(), nil
}

// capped is a buffer that stops growing at max bytes. (It holds the
// buffer rather than embedding it: an embedded bytes.Buffer's ReadFrom
// would let io.Copy write past the cap.)
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.over = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.buf.Write(p)
}

func (c *capped) String() string { return c.buf.String() }
