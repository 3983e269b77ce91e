// Package e2e is netprobe's fault lab: end-to-end tests that build a small
// network out of Linux network namespaces (client, LAN switch, router, ISP
// router, "internet", printer), break it one way at a time and check that
// the netprobe binary names the right layer as the verdict.
//
// The tests need root, iproute2 and nftables; without them they skip. See
// README.md for the topology, the addresses and how to run them.
package e2e
