package snmpagent

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gosnmp/gosnmp"
)

// Garbage says how the agent spoils its GETBULK answers.
type Garbage int

// Ways to answer GETBULK badly. GarbageBytes sends bytes that are not BER
// at all; GarbageVarbinds sends a well-formed response whose OIDs go
// backwards and whose values have the wrong types, as some embedded agents
// do when their GETBULK code is broken.
const (
	GarbageNone Garbage = iota
	GarbageBytes
	GarbageVarbinds
)

// Options configures the agent's identity and its misbehaviour.
type Options struct {
	// Community accepted for v1 and v2c; default "public". Requests with
	// any other community get no reply, like a real agent.
	Community string
	// V3 enables SNMPv3 for one USM user.
	V3 *V3User
	// Network is "udp4" (default, listens on 127.0.0.1) or "udp6" (::1).
	Network string

	// Silent receives and counts requests but never answers.
	Silent bool
	// V1Only drops v2c and v3 requests, like old print servers.
	V1Only bool
	// BulkGarbage spoils every GETBULK answer.
	BulkGarbage Garbage
	// DropOIDs lists OID prefixes: a request that names one, or whose
	// answer would contain one, gets no reply (the Zebra quirk, where
	// snmpsim cannot encode hrDeviceID, made general).
	DropOIDs []string
	// MaxBulkVarbinds truncates GETBULK answers to this many varbinds,
	// as an agent with a small message size does; 0 means no limit.
	MaxBulkVarbinds int
}

// Request is what the agent logged about one received message.
type Request struct {
	Version  gosnmp.SnmpVersion
	PDUType  gosnmp.PDUType
	Varbinds int
	// Answered is false when the agent chose not to reply.
	Answered bool
}

// Agent serves one recording on a loopback UDP port.
type Agent struct {
	opt   Options
	recs  []Record
	index map[string]int
	drop  [][]uint32
	conn  *net.UDPConn
	v3    *usm
	done  chan struct{}

	count atomic.Int64
	mu    sync.Mutex
	log   []Request
}

// Start listens on 127.0.0.1:0 (or [::1]:0) and serves recs until Close.
func Start(recs []Record, opt Options) (*Agent, error) {
	if opt.Community == "" {
		opt.Community = "public"
	}
	network, ip := "udp4", net.IPv4(127, 0, 0, 1)
	if opt.Network == "udp6" {
		network, ip = "udp6", net.IPv6loopback
	}
	a := &Agent{opt: opt, recs: recs, index: map[string]int{}, done: make(chan struct{})}
	for i, r := range recs {
		a.index[r.OID] = i
	}
	for _, p := range opt.DropOIDs {
		arcs, err := parseOID(p)
		if err != nil {
			return nil, err
		}
		a.drop = append(a.drop, arcs)
	}
	if opt.V3 != nil {
		u, err := newUSM(*opt.V3)
		if err != nil {
			return nil, err
		}
		a.v3 = u
	}
	conn, err := net.ListenUDP(network, &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, err
	}
	a.conn = conn
	go a.serve()
	return a, nil
}

// Host is the address to send requests to ("127.0.0.1" or "::1").
func (a *Agent) Host() string { return a.conn.LocalAddr().(*net.UDPAddr).IP.String() }

// Port is the UDP port the agent listens on.
func (a *Agent) Port() int { return a.conn.LocalAddr().(*net.UDPAddr).Port }

// Requests is how many SNMP messages the agent has received, answered or
// not: the client's round trips, retries and v3 discovery included.
func (a *Agent) Requests() int { return int(a.count.Load()) }

// Log returns what the agent received, in order.
func (a *Agent) Log() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.log...)
}

// Reset clears the request counter and log.
func (a *Agent) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.count.Store(0)
	a.log = nil
}

// Close stops the agent and waits for its goroutine.
func (a *Agent) Close() error {
	err := a.conn.Close()
	<-a.done
	return err
}

func (a *Agent) serve() {
	defer close(a.done)
	buf := make([]byte, 65535)
	for {
		n, addr, err := a.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		a.count.Add(1)
		msg := append([]byte(nil), buf[:n]...)
		out, req := a.handle(msg)
		req.Answered = out != nil
		a.mu.Lock()
		a.log = append(a.log, req)
		a.mu.Unlock()
		if out != nil {
			_, _ = a.conn.WriteToUDP(out, addr)
		}
	}
}

// handle answers one message; nil means "send nothing".
func (a *Agent) handle(msg []byte) ([]byte, Request) {
	version, ok := peekVersion(msg)
	req := Request{Version: version}
	if !ok || a.opt.Silent {
		return nil, req
	}
	if a.opt.V1Only && version != gosnmp.Version1 {
		return nil, req
	}
	if version == gosnmp.Version3 {
		if a.v3 == nil {
			return nil, req
		}
		return a.v3.handle(a, msg, &req), req
	}
	dec := &gosnmp.GoSNMP{Version: version}
	pkt, err := dec.SnmpDecodePacket(msg)
	if err != nil {
		return nil, req
	}
	req.PDUType, req.Varbinds = pkt.PDUType, len(pkt.Variables)
	if pkt.Community != a.opt.Community {
		return nil, req
	}
	resp, ok := a.respond(pkt)
	if !ok {
		return nil, req
	}
	if resp.garbage {
		return []byte{0x30, 0x03, 0xde, 0xad, 0xbe}, req
	}
	out, err := (&gosnmp.SnmpPacket{
		Version:    version,
		Community:  pkt.Community,
		PDUType:    gosnmp.GetResponse,
		RequestID:  pkt.RequestID,
		Error:      resp.status,
		ErrorIndex: resp.index,
		Variables:  resp.vars,
	}).MarshalMsg()
	if err != nil {
		// A value that cannot be encoded (Zebra's one-arc OID): snmpsim
		// sends nothing, and so do we.
		return nil, req
	}
	return out, req
}

// peekVersion reads the version INTEGER at the start of an SNMP message
// without decoding the rest.
func peekVersion(msg []byte) (gosnmp.SnmpVersion, bool) {
	if len(msg) < 2 || msg[0] != 0x30 {
		return 0, false
	}
	i := 2
	if msg[1]&0x80 != 0 {
		i += int(msg[1] & 0x7f)
	}
	if len(msg) < i+3 || msg[i] != 0x02 || msg[i+1] != 0x01 {
		return 0, false
	}
	switch v := gosnmp.SnmpVersion(msg[i+2]); v {
	case gosnmp.Version1, gosnmp.Version2c, gosnmp.Version3:
		return v, true
	}
	return 0, false
}

// response is the PDU content the agent decided on.
type response struct {
	status  gosnmp.SNMPError
	index   uint8
	vars    []gosnmp.SnmpPDU
	garbage bool
}

// respond runs one PDU against the recording. ok is false when the agent
// must stay silent.
func (a *Agent) respond(pkt *gosnmp.SnmpPacket) (response, bool) {
	v1 := pkt.Version == gosnmp.Version1
	names := make([][]uint32, len(pkt.Variables))
	for i, v := range pkt.Variables {
		arcs, err := parseOID(v.Name)
		if err != nil {
			return response{}, false
		}
		if a.dropped(arcs) {
			return response{}, false
		}
		names[i] = arcs
	}
	var r response
	switch pkt.PDUType {
	case gosnmp.GetRequest:
		for i, n := range names {
			idx, ok := a.index[join(n)]
			if !ok {
				if v1 {
					return a.v1Error(pkt, i), true
				}
				r.vars = append(r.vars, gosnmp.SnmpPDU{Name: pkt.Variables[i].Name, Type: gosnmp.NoSuchInstance})
				continue
			}
			r.vars = append(r.vars, a.pdu(idx))
		}
	case gosnmp.GetNextRequest:
		for i, n := range names {
			idx := a.next(n)
			if idx < 0 {
				if v1 {
					return a.v1Error(pkt, i), true
				}
				r.vars = append(r.vars, gosnmp.SnmpPDU{Name: pkt.Variables[i].Name, Type: gosnmp.EndOfMibView})
				continue
			}
			r.vars = append(r.vars, a.pdu(idx))
		}
	case gosnmp.GetBulkRequest:
		if v1 {
			return response{}, false
		}
		if a.opt.BulkGarbage == GarbageBytes {
			return response{garbage: true}, true
		}
		r.vars = a.bulk(names, int(pkt.NonRepeaters), int(pkt.MaxRepetitions))
		if a.opt.BulkGarbage == GarbageVarbinds {
			r.vars = garble(pkt.Variables, len(r.vars))
		}
	default:
		return response{status: gosnmp.GenErr, index: 0, vars: pkt.Variables}, true
	}
	for _, v := range r.vars {
		if arcs, err := parseOID(v.Name); err == nil && a.dropped(arcs) {
			return response{}, false
		}
	}
	return r, true
}

// bulk implements GETBULK (RFC 3416 4.2.3): non-repeaters get one GETNEXT,
// the rest max-repetitions rounds, stopping early once every column is at
// the end of the MIB.
func (a *Agent) bulk(names [][]uint32, nonRep, maxRep int) []gosnmp.SnmpPDU {
	if nonRep > len(names) {
		nonRep = len(names)
	}
	var out []gosnmp.SnmpPDU
	for _, n := range names[:nonRep] {
		out = append(out, a.nextPDU(n))
	}
	cur := append([][]uint32(nil), names[nonRep:]...)
	for rep := 0; rep < maxRep && len(cur) > 0; rep++ {
		allEnd := true
		for j, n := range cur {
			p := a.nextPDU(n)
			out = append(out, p)
			if p.Type != gosnmp.EndOfMibView {
				allEnd = false
				cur[j], _ = parseOID(p.Name)
			}
		}
		if allEnd {
			break
		}
	}
	if m := a.opt.MaxBulkVarbinds; m > 0 && len(out) > m {
		out = out[:m]
	}
	return out
}

// garble makes n varbinds that break every rule a manager relies on: the
// OIDs are the requested ones or lower (never increasing) and the values
// are strings where integers belong.
func garble(req []gosnmp.SnmpPDU, n int) []gosnmp.SnmpPDU {
	if n == 0 {
		n = len(req)
	}
	out := make([]gosnmp.SnmpPDU, 0, n)
	for i := 0; i < n; i++ {
		name := strings.TrimPrefix(req[i%len(req)].Name, ".")
		if i >= len(req) {
			name = "1.3.6.1.2.1.1.1.0"
		}
		out = append(out, gosnmp.SnmpPDU{Name: name, Type: gosnmp.OctetString, Value: []byte("\xff\xfegarbage")})
	}
	return out
}

func (a *Agent) v1Error(pkt *gosnmp.SnmpPacket, i int) response {
	return response{status: gosnmp.NoSuchName, index: uint8(i + 1), vars: pkt.Variables}
}

// next returns the index of the first record after oid, or -1.
func (a *Agent) next(oid []uint32) int {
	i := sort.Search(len(a.recs), func(i int) bool { return compareArcs(a.recs[i].arcs, oid) > 0 })
	if i == len(a.recs) {
		return -1
	}
	return i
}

func (a *Agent) nextPDU(oid []uint32) gosnmp.SnmpPDU {
	if idx := a.next(oid); idx >= 0 {
		return a.pdu(idx)
	}
	return gosnmp.SnmpPDU{Name: join(oid), Type: gosnmp.EndOfMibView}
}

func (a *Agent) pdu(idx int) gosnmp.SnmpPDU {
	r := a.recs[idx]
	return gosnmp.SnmpPDU{Name: r.OID, Type: r.Type, Value: r.Value}
}

func (a *Agent) dropped(oid []uint32) bool {
	for _, p := range a.drop {
		if hasPrefixArcs(oid, p) {
			return true
		}
	}
	return false
}

func join(arcs []uint32) string {
	var b strings.Builder
	for i, a := range arcs {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprintf(&b, "%d", a)
	}
	return b.String()
}
