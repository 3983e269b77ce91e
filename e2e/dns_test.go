//go:build linux

package e2e

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
	"github.com/vishvananda/netns"
)

// dnsMode is what a lab DNS listener does with queries.
type dnsMode int32

const (
	dnsNormal   dnsMode = iota // answer lab.test authoritatively
	dnsServfail                // answer everything SERVFAIL (a broken recursive resolver)
	dnsStale                   // answer from staleZone first: a wrong record (stale, or hijacked)
	dnsSlow                    // answer correctly, but after slowAnswer (an overloaded resolver)
)

// slowAnswer is how long a resolver in dnsSlow mode takes: slow enough
// to notice on every page load, well inside netprobe's DNS timeout.
const slowAnswer = 1200 * time.Millisecond

// zone is the lab's one zone. Names outside lab.test get REFUSED, as a
// resolver that refuses to recurse would answer: the lab has no internet to
// recurse into, and netprobe must never be sent looking for real names.
var zone = map[string][]string{
	"svc.lab.test.":     {svcV4, svcV6},
	"www.lab.test.":     {svcV4, svcV6},
	"mail.lab.test.":    {svcV4, svcV6},
	"expired.lab.test.": {svcV4, svcV6},
	"big.lab.test.":     {svcV4, svcV6},
	"broken.lab.test.":  {svcV4, svcV6},
	"printer.lab.test.": {printerV4, printerV6},
	"one.lab.test.":     {anycastV4, anycastV6},
	"check.lab.test.":   {svcV4, svcV6}, // the captive-portal check URL's host
	"login.lab.test.":   {gwV4, gwV6},   // the captive portal's login page
}

// staleZone is what a resolver in dnsStale mode answers instead: www still
// points at the server it moved away from, where nothing listens any more.
var staleZone = map[string][]string{
	"www.lab.test.": {staleV4, staleV6},
}

// dnsListener is one real DNS server (UDP and TCP, miekg/dns) bound to one
// lab address inside a namespace. Each address gets its own listener so a
// scenario can stop exactly one resolver, the way a crashed daemon leaves a
// closed port behind (ICMP port unreachable, TCP RST).
type dnsListener struct {
	ns   netns.NsHandle
	addr string // IP
	mode atomic.Int32

	mu      sync.Mutex
	servers []*dns.Server
}

func newDNSListener(ns netns.NsHandle, ip string) *dnsListener {
	return &dnsListener{ns: ns, addr: ip}
}

func (d *dnsListener) setMode(m dnsMode) { d.mode.Store(int32(m)) }

// start binds UDP and TCP port 53 in the namespace; a no-op if running.
func (d *dnsListener) start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.servers != nil {
		return nil
	}
	hostport := net.JoinHostPort(d.addr, "53")
	var pc net.PacketConn
	var ln net.Listener
	err := withNS(d.ns, func() error {
		var err error
		if pc, err = net.ListenPacket("udp", hostport); err != nil {
			return err
		}
		if ln, err = net.Listen("tcp", hostport); err != nil {
			pc.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	h := dns.HandlerFunc(d.serve)
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: ln, Handler: h}
	d.servers = []*dns.Server{udp, tcp}
	for _, s := range d.servers {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go func() { _ = s.ActivateAndServe() }()
		select {
		case <-started:
		case <-time.After(2 * time.Second):
		}
	}
	return nil
}

// stop closes both sockets: the address then answers "port unreachable".
func (d *dnsListener) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.servers {
		_ = s.Shutdown()
	}
	d.servers = nil
}

func (d *dnsListener) serve(w dns.ResponseWriter, req *dns.Msg) {
	if dnsMode(d.mode.Load()) == dnsSlow {
		time.Sleep(slowAnswer)
	}
	m := new(dns.Msg)
	m.SetReply(req)
	// The lab servers stand in for the recursive resolvers a host is
	// configured with, so they say recursion is available.
	m.RecursionAvailable = true
	if dnsMode(d.mode.Load()) == dnsServfail || len(req.Question) != 1 {
		m.Rcode = dns.RcodeServerFailure
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	if name != labDomain+"." && !strings.HasSuffix(name, "."+labDomain+".") {
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)
		return
	}
	m.Authoritative = true
	addrs, ok := zone[name]
	if stale, found := staleZone[name]; found && dnsMode(d.mode.Load()) == dnsStale {
		addrs = stale
	}
	if !ok && name != labDomain+"." {
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{soa()}
		_ = w.WriteMsg(m)
		return
	}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 30}
		switch {
		case q.Qtype == dns.TypeA && ip.To4() != nil:
			hdr.Rrtype = dns.TypeA
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: ip})
		case q.Qtype == dns.TypeAAAA && ip.To4() == nil:
			hdr.Rrtype = dns.TypeAAAA
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: ip})
		}
	}
	if name == labDomain+"." && q.Qtype == dns.TypeSOA {
		m.Answer = append(m.Answer, soa())
	}
	if len(m.Answer) == 0 {
		m.Ns = []dns.RR{soa()} // NODATA
	}
	_ = w.WriteMsg(m)
}

func soa() dns.RR {
	return &dns.SOA{
		Hdr:     dns.RR_Header{Name: labDomain + ".", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 30},
		Ns:      "ns." + labDomain + ".",
		Mbox:    "hostmaster." + labDomain + ".",
		Serial:  1,
		Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 30,
	}
}
