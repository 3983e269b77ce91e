//go:build !linux

package probes

// Only Linux queues ICMP errors on a datagram socket (IP_RECVERR): on
// other systems a trace or a path MTU probe needs the raw ICMP socket.

func openErrqPathConn(v6, udp bool) (pathConn, error) { return nil, errPathUnsupported }
