// Command netprobe tells which layer of a network is broken and prints a
// report to paste into a ticket.
package main

import (
	"os"

	"github.com/netprobe/netprobe/cmd"
	"github.com/netprobe/netprobe/internal/iostreams"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], iostreams.System()))
}
