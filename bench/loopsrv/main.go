// Command loopsrv serves what a loopback-only `netprobe watch` benchmark
// needs: a DNS server that answers every A question with 127.0.0.1 and a
// TCP port that accepts connections, both on 127.0.0.1 only. With -flap
// the TCP port closes and opens again every that long, so the watch sees
// a service that comes and goes. It prints "dns=127.0.0.1:PORT
// tcp=127.0.0.1:PORT" and serves until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/miekg/dns"
)

func main() {
	dnsAddr := flag.String("dns", "127.0.0.1:0", "DNS listen address (UDP and TCP)")
	tcpAddr := flag.String("tcp", "127.0.0.1:0", "TCP listen address")
	flap := flag.Duration("flap", 0, "close and reopen the TCP port every this long (0: never)")
	flag.Parse()
	for _, a := range []string{*dnsAddr, *tcpAddr} {
		h, _, err := net.SplitHostPort(a)
		if err != nil || !net.ParseIP(h).IsLoopback() {
			log.Fatalf("loopsrv: %q is not a loopback address: it serves loopback only", a)
		}
	}
	pc, err := net.ListenPacket("udp", *dnsAddr)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *tcpAddr)
	if err != nil {
		log.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if len(r.Question) == 1 && r.Question[0].Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A:   net.IPv4(127, 0, 0, 1),
			})
		}
		_ = w.WriteMsg(m)
	})
	go func() { log.Fatal((&dns.Server{PacketConn: pc, Handler: h}).ActivateAndServe()) }()
	addr := ln.Addr().String()
	fmt.Fprintf(os.Stdout, "dns=%s tcp=%s\n", pc.LocalAddr(), addr)
	for {
		done := make(chan struct{})
		go func(ln net.Listener) {
			defer close(done)
			for {
				c, err := ln.Accept()
				if err != nil {
					return // closed by the flap
				}
				c.Close()
			}
		}(ln)
		if *flap <= 0 {
			select {}
		}
		time.Sleep(*flap)
		ln.Close()
		<-done
		time.Sleep(*flap) // closed: connections are refused
		if ln, err = net.Listen("tcp", addr); err != nil {
			log.Fatal(err)
		}
	}
}
