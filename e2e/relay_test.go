//go:build linux

package e2e

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// nullLog swallows the lab servers' own complaints (a TLS handshake that
// netprobe aborts on the expired certificate is the point of a scenario,
// not noise for the test log).
var nullLog = log.New(io.Discard, "", 0)

// delayRelay adds latency in user space, because this kernel has no netem:
// a TUN device in the router namespace hands every packet routed into it to
// this process, which writes it back into the same device after a fixed
// delay. Written back, the packet arrives "from tun0" and the router routes
// it normally. Policy routing decides what goes through: the latency fault
// adds `ip rule add iif r-up lookup 100` (table 100: default dev tun0), so
// traffic coming back from the internet passes the relay exactly once, and
// packets arriving on tun0 do not match the rule, so they cannot loop.
// Traffic to the router itself (the gateway) is delivered by the local
// table, which the kernel consults before any rule: only the internet path
// slows down, as with a congested uplink.
type delayRelay struct {
	f       *os.File
	delay   time.Duration
	wg      sync.WaitGroup
	packets atomic.Int64 // relayed so far, for the test log
	closed  atomic.Bool
}

// startDelayRelay creates the TUN device name inside ns and starts relaying.
// The device is created by TUNSETIFF in the namespace of the calling
// thread, hence withNS; it disappears when the file is closed.
func startDelayRelay(ns netns.NsHandle, name string, delay time.Duration) (*delayRelay, error) {
	var fd int
	err := withNS(ns, func() error {
		var err error
		fd, err = unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(name)
		if err != nil {
			unix.Close(fd)
			return err
		}
		// IFF_NO_PI: raw IP packets, no 4-byte header; the kernel tells
		// IPv4 from IPv6 by the version nibble on the way back in.
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("TUNSETIFF: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A non-blocking fd makes os.File use the runtime poller, so Close
	// wakes the reader up instead of leaving it stuck in read(2).
	r := &delayRelay{f: os.NewFile(uintptr(fd), "/dev/net/tun:"+name), delay: delay}
	r.wg.Add(1)
	go r.loop()
	return r, nil
}

func (r *delayRelay) loop() {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, err := r.f.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrClosed) || r.closed.Load() {
				return
			}
			continue
		}
		pkt := append([]byte(nil), buf[:n]...)
		r.packets.Add(1)
		// One timer per packet keeps order for equal delays and never
		// blocks the reader, so the relay adds latency but no loss.
		time.AfterFunc(r.delay, func() {
			if !r.closed.Load() {
				_, _ = r.f.Write(pkt)
			}
		})
	}
}

func (r *delayRelay) close() {
	r.closed.Store(true)
	r.f.Close()
	r.wg.Wait()
}
