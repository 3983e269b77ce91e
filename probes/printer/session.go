package printer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/secret"
	"github.com/netprobe/netprobe/probes"
)

// session is one gosnmp client for one printer check, with the timing and
// the request count the probe reports. Every value it hands on has had the
// secrets scrubbed from it and is cut to maxValueBytes.
type session struct {
	g        *gosnmp.GoSNMP
	ctx      context.Context
	scrub    *secret.Scrubber
	v1       bool
	first    time.Duration // per attempt, until the agent has answered once
	later    time.Duration // per attempt, once it has
	answered bool
	sent     int

	// Totals over the whole walk, against maxWalkCells and maxWalkBytes.
	cells, bytes int
	// capped is set when the walk stopped at those totals.
	capped bool
}

func newSession(ctx context.Context, host string, opt Options, scrub *secret.Scrubber) (*session, error) {
	// Leave room for Retries+1 attempts of the full GET plus one small
	// "are you there at all" GET, all within the budget.
	budget := probes.Remaining(ctx, opt.Timeout)
	first := budget / time.Duration(opt.Retries+2)
	s := &session{ctx: ctx, scrub: scrub, first: first, later: first, v1: opt.Version == "1"}
	g := &gosnmp.GoSNMP{
		Target:    host,
		Port:      uint16(opt.Port),
		Transport: "udp",
		Context:   ctx,
		Timeout:   first,
		Retries:   opt.Retries,
		MaxOids:   gosnmp.MaxOids,
		OnSent:    func(*gosnmp.GoSNMP) { s.sent++ },
	}
	switch opt.Version {
	case "1":
		g.Version, g.Community = gosnmp.Version1, opt.Community
	case "2c":
		g.Version, g.Community = gosnmp.Version2c, opt.Community
	case "3":
		g.Version = gosnmp.Version3
		g.SecurityModel = gosnmp.UserSecurityModel
		sp := &gosnmp.UsmSecurityParameters{UserName: opt.User}
		g.MsgFlags = gosnmp.NoAuthNoPriv
		if opt.AuthProto != "" {
			g.MsgFlags = gosnmp.AuthNoPriv
			sp.AuthenticationProtocol = authProtos[strings.ToUpper(opt.AuthProto)]
			sp.AuthenticationPassphrase = opt.AuthPass
		}
		if opt.PrivProto != "" {
			g.MsgFlags = gosnmp.AuthPriv
			sp.PrivacyProtocol = privProtos[strings.ToUpper(opt.PrivProto)]
			sp.PrivacyPassphrase = opt.PrivPass
		}
		g.SecurityParameters = sp
	}
	s.g = g
	return s, g.Connect()
}

// close releases the socket.
func (s *session) close() {
	if s.g.Conn != nil {
		s.g.Conn.Close()
	}
}

// ready prepares the next request; false when the budget is spent.
func (s *session) ready() bool {
	if s.ctx.Err() != nil {
		return false
	}
	s.g.Timeout = s.first
	if s.answered {
		s.g.Timeout = s.later
	}
	return true
}

// answer records that the agent replied and derives the wait for later
// requests from how fast it did.
func (s *session) answer(rtt time.Duration) {
	if s.answered {
		return
	}
	s.answered = true
	s.later = max(snmpMinAttempt, rtt*snmpRTTFactor)
	if s.later > s.first {
		s.later = s.first
	}
}

// keep is the one door through which a value from the agent enters the
// probe: a string has the secrets scrubbed from its raw bytes, whole,
// before it is cut, so no cut (here or in sanitising later) can leave a
// piece of a secret behind. Pieces at a value's edges are left to
// data.clean, which sees a panel line next to the others. The error-state
// bitmap is data, not text: it is only cut.
func (s *session) keep(p gosnmp.SnmpPDU) gosnmp.SnmpPDU {
	if p.Type != gosnmp.OctetString {
		return p
	}
	var b []byte
	switch v := p.Value.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return p
	}
	if strings.HasPrefix(strings.TrimPrefix(p.Name, "."), printermib.HrPrinterDetectedErrorState+".") {
		p.Value = b[:min(len(b), maxErrStateOctets)]
		return p
	}
	p.Value = cutUTF8(s.scrub.Whole(b), maxValueBytes)
	return p
}

// get fetches exact OIDs and returns the ones the agent has, keyed by OID
// without a leading dot. On v1, where one absent object fails the whole
// request (noSuchName), the culprit is dropped and the rest asked again.
func (s *session) get(oids []string) (map[string]gosnmp.SnmpPDU, error) {
	out := map[string]gosnmp.SnmpPDU{}
	todo := slices.Clone(oids)
	for len(todo) > 0 {
		if !s.ready() {
			return out, s.ctx.Err()
		}
		start := time.Now()
		pkt, err := s.g.Get(todo)
		if err != nil {
			return out, err
		}
		s.answer(time.Since(start))
		if pkt.Error != gosnmp.NoError {
			i := int(pkt.ErrorIndex) - 1
			if i < 0 || i >= len(todo) {
				return out, fmt.Errorf("agent answered %v", pkt.Error)
			}
			todo = slices.Delete(todo, i, i+1)
			continue
		}
		for i, v := range pkt.Variables {
			name := strings.TrimPrefix(v.Name, ".")
			if i >= len(todo) || name != todo[i] {
				continue // not what we asked for: ignore rather than misfile
			}
			switch v.Type {
			case gosnmp.NoSuchObject, gosnmp.NoSuchInstance, gosnmp.EndOfMibView, gosnmp.Null:
				continue
			}
			out[name] = s.keep(v)
		}
		return out, nil
	}
	return out, nil
}

// column is one table column being walked.
type column struct {
	oid    string // without a leading dot
	group  string // the table it belongs to, for "snmp_unread"
	last   string
	done   bool
	failed bool
	// capped: the walk stopped at a limit, so the column may have more
	// rows than were read.
	capped bool
	cells  []cell
}

// cell is one value of a column; index is the OID part after the column.
type cell struct {
	index string
	pdu   gosnmp.SnmpPDU
}

func newColumn(oid, group string) *column { return &column{oid: oid, group: group, last: oid} }

func pending(cols []*column) []*column {
	var p []*column
	for _, c := range cols {
		if !c.done {
			p = append(p, c)
		}
	}
	return p
}

func lasts(cols []*column) []string {
	oids := make([]string, len(cols))
	for i, c := range cols {
		oids[i] = c.last
	}
	return oids
}

// walk reads whole columns, several per request: GETBULK on v2c/v3 (the
// usual printer fits in one answer), GETNEXT on v1 or when the agent's
// GETBULK is broken. When a request gets no answer at all, one of its
// columns is poison to this agent (Zebra's hrDeviceID): each column is
// then walked alone, so the poisoned one costs only itself.
func (s *session) walk(cols []*column) {
	if s.v1 {
		s.walkNext(cols)
		return
	}
	rest, silent := s.walkBulk(cols)
	switch {
	case len(rest) == 0:
		return
	case !silent:
		// An error or garbage: GETBULK is not to be trusted on this
		// agent; GETNEXT is older and better tested.
		s.walkNext(rest)
		return
	}
	// GETNEXT, not GETBULK: a bulk walk overshoots the end of its column
	// and would touch the poisoned neighbour too. A column whose end
	// cannot be read keeps the rows it got.
	s.isolate(func() {
		for _, c := range rest {
			s.walkNext([]*column{c})
		}
	})
}

// walkBulk walks columns with multi-column GETBULK until they are done. It
// returns the columns it could not finish and whether that was because the
// agent fell silent (rather than answering badly).
func (s *session) walkBulk(cols []*column) (rest []*column, silent bool) {
	limit := bulkVarbinds
	for {
		active := pending(cols)
		if len(active) == 0 || !s.ready() {
			return nil, false
		}
		reps := min(max(limit/len(active), 1), maxRepetitions)
		pkt, err := s.g.GetBulk(lasts(active), 0, uint32(reps))
		switch {
		case err != nil:
			return active, noAnswer(err)
		case pkt.Error == gosnmp.TooBig && reps > 1:
			limit = len(active) * reps / 2
		case pkt.Error != gosnmp.NoError || !s.absorb(active, pkt.Variables, reps):
			return active, false
		}
	}
}

// isolate runs f with retries off: while hunting for the column an agent
// chokes on, every unanswered request is expected, and a retry would only
// double its cost.
func (s *session) isolate(f func()) {
	retries := s.g.Retries
	s.g.Retries = 0
	defer func() { s.g.Retries = retries }()
	f()
}

// walkNext walks columns with GETNEXT, all pending columns in one request.
// A request with no usable answer is retried column by column.
func (s *session) walkNext(cols []*column) {
	for {
		active := pending(cols)
		if len(active) == 0 || !s.ready() {
			return
		}
		pkt, err := s.g.GetNext(lasts(active))
		if err == nil && pkt.Error != gosnmp.NoError {
			// v1: noSuchName at index i means column i ran off the end
			// of the MIB.
			if i := int(pkt.ErrorIndex) - 1; pkt.Error == gosnmp.NoSuchName && i >= 0 && i < len(active) {
				active[i].done = true
				continue
			}
			err = fmt.Errorf("agent answered %v", pkt.Error)
		}
		if err == nil && s.absorb(active, pkt.Variables, 1) {
			continue
		}
		if len(active) == 1 {
			active[0].done, active[0].failed = true, true
			continue
		}
		s.isolate(func() {
			for _, c := range active {
				s.walkNext([]*column{c})
			}
		})
		return
	}
}

// absorb files the varbinds of a GETNEXT/GETBULK answer into their columns
// (varbind i belongs to column i mod n). It returns false for an answer
// that breaks the protocol — too many varbinds, OIDs that do not increase,
// or no progress at all — so the caller can stop trusting that method.
// When the walk reaches its totals every column stops, marked capped.
func (s *session) absorb(active []*column, vars []gosnmp.SnmpPDU, reps int) bool {
	n := len(active)
	if len(vars) == 0 || len(vars) > n*reps {
		return false
	}
	progress := false
	for i, v := range vars {
		c := active[i%n]
		if c.done {
			continue
		}
		switch v.Type {
		case gosnmp.EndOfMibView, gosnmp.NoSuchObject, gosnmp.NoSuchInstance:
			c.done, progress = true, true
			continue
		}
		name := strings.TrimPrefix(v.Name, ".")
		if compareOID(name, c.last) <= 0 {
			return false
		}
		progress = true
		if !strings.HasPrefix(name, c.oid+".") {
			c.done = true
			continue
		}
		v = s.keep(v)
		c.cells = append(c.cells, cell{index: name[len(c.oid)+1:], pdu: v})
		c.last = name
		s.cells++
		if b, ok := v.Value.([]byte); ok {
			s.bytes += len(b)
		}
		if len(c.cells) >= maxColumnRows {
			c.done, c.capped = true, true
		}
		if s.cells >= maxWalkCells || s.bytes >= maxWalkBytes {
			s.capped = true
			for _, o := range active {
				if !o.done {
					o.done, o.capped = true, true
				}
			}
		}
	}
	return progress
}

// compareOID orders dotted OIDs numerically, arc by arc.
func compareOID(a, b string) int {
	for a != "" && b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		xn, _ := strconv.ParseUint(x, 10, 64)
		yn, _ := strconv.ParseUint(y, 10, 64)
		if xn != yn {
			if xn < yn {
				return -1
			}
			return 1
		}
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// noAnswer reports whether err means the agent said nothing.
func noAnswer(err error) bool {
	return probes.IsTimeout(err) || strings.Contains(err.Error(), "timeout")
}

// refused reports whether an SNMPv3 agent answered but rejected us.
func refused(err error) bool {
	return errors.Is(err, gosnmp.ErrWrongDigest) || errors.Is(err, gosnmp.ErrUnknownUsername) ||
		errors.Is(err, gosnmp.ErrUnknownSecurityLevel) || errors.Is(err, gosnmp.ErrDecryption) ||
		strings.Contains(err.Error(), "not authentic")
}

// errorText explains an SNMP failure in words, without the packet dumps
// gosnmp sometimes appends, and without any secret a library error might
// quote. budget is how long the probe waited, for "no answer within ...".
func errorText(err error, opt Options, budget time.Duration, scrub *secret.Scrubber) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("SNMP port %d/udp refused the request (nothing listens there)", opt.Port)
	case noAnswer(err):
		return fmt.Sprintf("no SNMP answer within %s", budget.Round(100*time.Millisecond))
	case errors.Is(err, gosnmp.ErrUnknownUsername):
		return "the SNMPv3 agent does not know this user"
	case errors.Is(err, gosnmp.ErrUnknownSecurityLevel):
		return "the SNMPv3 agent does not allow this security level for the user"
	case errors.Is(err, gosnmp.ErrDecryption):
		return "the SNMPv3 agent could not decrypt the request (wrong privacy password or protocol?)"
	case refused(err):
		return "the SNMPv3 agent rejected the credentials (wrong user, password or protocol?)"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "cannot resolve the printer's name: " + scrub.String(dns.Err)
	}
	// Scrub the final text: ErrText unwraps to an inner error, so a
	// wrapper with a scrubbed message would be looked through.
	return scrub.String(probes.ErrText(err))
}
