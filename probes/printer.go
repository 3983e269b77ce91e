package probes

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/internal/printermib"
	"github.com/netprobe/netprobe/internal/sanitize"
	"github.com/netprobe/netprobe/result"
)

// Printer probe budget. One printer check must end within
// DefaultPrinterTimeout (or the caller's deadline, if sooner): an
// unreachable printer is reported in seconds, not after gosnmp's default
// 30 s of retries.
const (
	// DefaultPrinterTimeout bounds one printer check, SNMP and print ports.
	DefaultPrinterTimeout = 3 * time.Second
	// printPortTimeout bounds each print-port handshake. A printer on the
	// LAN answers a SYN in milliseconds; 1.5 s still covers one SYN
	// retransmission (1 s) without making every filtered port cost the
	// whole budget.
	printPortTimeout = 1500 * time.Millisecond
	// printerSNMPMinAttempt is the shortest wait for one SNMP answer once the
	// agent has answered a first request: big GETBULK answers take an
	// embedded agent longer than the first small GET.
	printerSNMPMinAttempt = 500 * time.Millisecond
	// printerSNMPRTTFactor scales the first measured round trip into the wait for
	// later requests, so an agent that chokes on one request (and never
	// answers it) costs a fraction of the budget, not all of it.
	printerSNMPRTTFactor = 10
	// printerBulkVarbinds caps the varbinds asked for in one GETBULK
	// (columns × max-repetitions). 256 covers all usual printer tables in
	// one answer; agents with a smaller message size truncate (RFC 3416
	// 4.2.3) and the walker simply continues.
	printerBulkVarbinds = 256
	// printerMaxRepetitions caps GETBULK max-repetitions, as gosnmp's default.
	printerMaxRepetitions = 50
	// printerMaxColumnRows stops walking a column that never ends (a broken
	// agent that keeps returning new rows).
	printerMaxColumnRows = 512
)

// DefaultPrintPorts are the print services checked next to SNMP: raw
// JetDirect (9100), IPP (631) and LPD (515).
var DefaultPrintPorts = []int{9100, 631, 515}

// PrinterOptions configures the printer probe.
type PrinterOptions struct {
	// Port is the SNMP UDP port, default 161.
	Port int
	// Version is "1", "2c" (default) or "3".
	Version string
	// Community is the v1/v2c community, default "public". It is treated
	// as a secret: it never appears in the check.
	Community string
	// User, AuthProto (MD5, SHA, SHA224, SHA256, SHA384, SHA512), AuthPass,
	// PrivProto (DES, AES, AES192, AES256) and PrivPass are the SNMPv3
	// credentials; the security level follows from which are set. The
	// passwords never appear in the check.
	User, AuthProto, AuthPass, PrivProto, PrivPass string
	// Timeout bounds the whole check of one printer, default 3 s; the
	// context's deadline wins if sooner.
	Timeout time.Duration
	// Retries is how often one SNMP request is resent; 0 means the
	// default, 1.
	Retries int
	// SupplyWarn is the level, in percent, at or below which a supply is
	// low (or a waste box nearly full); 0 means the default, 10.
	SupplyWarn float64
	// PrintPorts are the TCP ports checked next to SNMP; nil means
	// DefaultPrintPorts, an empty non-nil slice means none.
	PrintPorts []int
}

var prtAuthProtos = map[string]gosnmp.SnmpV3AuthProtocol{
	"MD5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA1": gosnmp.SHA, "SHA224": gosnmp.SHA224,
	"SHA256": gosnmp.SHA256, "SHA384": gosnmp.SHA384, "SHA512": gosnmp.SHA512,
}

var prtPrivProtos = map[string]gosnmp.SnmpV3PrivProtocol{
	"DES": gosnmp.DES, "AES": gosnmp.AES, "AES128": gosnmp.AES, "AES192": gosnmp.AES192,
	"AES256": gosnmp.AES256, "AES192C": gosnmp.AES192C, "AES256C": gosnmp.AES256C,
}

// Validate reports the first bad setting as one sentence. Zero values are
// fine: they mean "use the default". It never quotes a password or the
// community.
func (o PrinterOptions) Validate() error {
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("SNMP port %d is out of range (1-65535)", o.Port)
	}
	switch o.Version {
	case "", "1", "2c", "3":
	default:
		return fmt.Errorf("SNMP version %q is not supported; use 1, 2c or 3", o.Version)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("printer timeout %s is negative", o.Timeout)
	}
	if o.Retries < 0 {
		return fmt.Errorf("SNMP retries %d is negative", o.Retries)
	}
	if o.SupplyWarn < 0 || o.SupplyWarn > 100 {
		return fmt.Errorf("supply warning level %g%% is outside 0-100%%", o.SupplyWarn)
	}
	for _, p := range o.PrintPorts {
		if p < 1 || p > 65535 {
			return fmt.Errorf("print port %d is out of range (1-65535)", p)
		}
	}
	v3set := o.User != "" || o.AuthProto != "" || o.AuthPass != "" || o.PrivProto != "" || o.PrivPass != ""
	if o.Version != "3" {
		if v3set {
			return errors.New("SNMPv3 settings (user, auth, priv) need SNMP version 3")
		}
		return nil
	}
	if o.User == "" {
		return errors.New("SNMPv3 needs a user name")
	}
	if o.AuthProto != "" {
		if _, ok := prtAuthProtos[strings.ToUpper(o.AuthProto)]; !ok {
			return fmt.Errorf("SNMPv3 auth protocol %q is unknown; use MD5, SHA, SHA256 or SHA512", o.AuthProto)
		}
	}
	if o.PrivProto != "" {
		if _, ok := prtPrivProtos[strings.ToUpper(o.PrivProto)]; !ok {
			return fmt.Errorf("SNMPv3 privacy protocol %q is unknown; use DES, AES or AES256", o.PrivProto)
		}
	}
	switch {
	case o.AuthProto != "" && o.AuthPass == "":
		return errors.New("SNMPv3 auth protocol is set but the auth password is empty")
	case o.AuthProto == "" && o.AuthPass != "":
		return errors.New("SNMPv3 auth password is set but no auth protocol (MD5, SHA, SHA256, SHA512)")
	case o.PrivProto != "" && o.PrivPass == "":
		return errors.New("SNMPv3 privacy protocol is set but the privacy password is empty")
	case o.PrivProto == "" && o.PrivPass != "":
		return errors.New("SNMPv3 privacy password is set but no privacy protocol (DES, AES, AES256)")
	case o.PrivProto != "" && o.AuthProto == "":
		return errors.New("SNMPv3 privacy needs authentication too: set the auth protocol and password")
	case o.AuthPass != "" && len(o.AuthPass) < 8:
		return errors.New("SNMPv3 auth password is shorter than the 8 characters USM requires")
	case o.PrivPass != "" && len(o.PrivPass) < 8:
		return errors.New("SNMPv3 privacy password is shorter than the 8 characters USM requires")
	}
	return nil
}

// withDefaults fills in the documented defaults.
func (o PrinterOptions) withDefaults() PrinterOptions {
	if o.Port == 0 {
		o.Port = 161
	}
	if o.Version == "" {
		o.Version = "2c"
	}
	if o.Community == "" {
		o.Community = "public"
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultPrinterTimeout
	}
	if o.Retries == 0 {
		o.Retries = 1
	}
	if o.SupplyWarn == 0 {
		o.SupplyWarn = 10
	}
	if o.PrintPorts == nil {
		o.PrintPorts = DefaultPrintPorts
	}
	return o
}

// secrets lists the strings that must never reach the check. The default
// community "public" is not one: it is printed on every quick-start card,
// and masking it would garble device text that happens to contain it.
func (o PrinterOptions) secrets() []string {
	var s []string
	for _, v := range []string{o.Community, o.AuthPass, o.PrivPass} {
		if v != "" && v != "public" {
			s = append(s, v)
		}
	}
	return s
}

// Printer checks one printer: its status over SNMP (device and printer
// status, error bits, supplies, trays, alerts, panel text) and, at the same
// time, whether its print ports accept connections. It returns one check on
// the printer layer whose Detail a non-expert can act on and whose Evidence
// holds every fact behind it (keys documented at fillPrinterEvidence).
func Printer(ctx context.Context, host string, opt PrinterOptions) result.Check {
	c := begin("printer", result.Printer, host)
	if err := opt.Validate(); err != nil {
		// Nothing was measured: skip, with the reason, rather than blame
		// the printer for a setting.
		c.Status = result.Skip
		c.Detail = "Printer check not run: " + err.Error() + "."
		c.Error = err.Error()
		return end(c)
	}
	opt = opt.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()

	// A printer named by host name is resolved once, through the run's
	// resolvers (see WithResolvers), and SNMP and the print ports use the
	// address: gosnmp would otherwise ask the system resolver.
	addr := host
	if _, err := netip.ParseAddr(host); err != nil {
		addrs, err := LookupHost(ctx, host)
		if err != nil {
			c.Status = result.Fail
			c.Error = errText(err)
			c.Detail = fmt.Sprintf("Printer %s cannot be found: its name does not resolve (%s).", host, errText(err))
			c.With("condition", "unreachable").With("problems", []string{"Name does not resolve"}).With("ports", map[string]string{})
			prtScrub(&c, opt.secrets())
			return end(c)
		}
		addr = addrs[0].String()
		c.With("address", addr)
	}

	ports := make([]PortState, len(opt.PrintPorts))
	var wg sync.WaitGroup
	for i, p := range opt.PrintPorts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, pcancel := context.WithTimeout(ctx, printPortTimeout)
			defer pcancel()
			ports[i], _, _ = DialTCP(pctx, net.JoinHostPort(addr, strconv.Itoa(p)))
		}()
	}
	d := readPrinter(ctx, addr, opt)
	wg.Wait()

	portMap := make(map[int]PortState, len(ports))
	for i, p := range opt.PrintPorts {
		portMap[p] = ports[i]
	}
	a := assessPrinter(d, opt.PrintPorts, portMap, opt)
	c.Status = a.status
	c.Detail = a.detail
	fillPrinterEvidence(&c, d, a, opt, portMap)
	if d.err != nil {
		c.Error = d.errText
	}
	prtScrub(&c, opt.secrets())
	return end(c)
}

// ---------------------------------------------------------------------
// Reading the printer over SNMP.

// printerData is what the agent said, decoded but not yet judged.
type printerData struct {
	answered   bool
	err        error  // why SNMP gave nothing (answered false) or stopped early
	errText    string // err in plain words, for the report
	refused    bool   // the agent answered but rejected the v3 credentials
	roundTrips int
	unread     []string // tables or objects that could not be read

	sysDescr, sysName, sysObjectID string
	uptime                         *uint32
	devIndex                       int
	deviceStatus, printerStatus    *int
	errState                       []byte
	hasErrState                    bool
	hrDescr, prtName, serial       string

	supplies []result.Supply
	trays    []result.Tray
	alerts   []result.Alert
	display  []string

	// colorant maps the supplies that put the image on paper to "toner"
	// or "ink", by supply index, for the status rules and the wording.
	colorant map[string]string
	// ink is true when the colorants are ink rather than toner.
	ink bool
}

// prtSession is one gosnmp client for one printer check, with the
// timing and the request count the probe reports.
type prtSession struct {
	g        *gosnmp.GoSNMP
	ctx      context.Context
	v1       bool
	first    time.Duration // per attempt, until the agent has answered once
	later    time.Duration // per attempt, once it has
	answered bool
	sent     int
}

func newPrtSession(ctx context.Context, host string, opt PrinterOptions) (*prtSession, error) {
	// Leave room for Retries+1 attempts of the full GET plus one small
	// "are you there at all" GET, all within the budget.
	budget := remaining(ctx, opt.Timeout)
	first := budget / time.Duration(opt.Retries+2)
	s := &prtSession{ctx: ctx, first: first, later: first, v1: opt.Version == "1"}
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
			sp.AuthenticationProtocol = prtAuthProtos[strings.ToUpper(opt.AuthProto)]
			sp.AuthenticationPassphrase = opt.AuthPass
		}
		if opt.PrivProto != "" {
			g.MsgFlags = gosnmp.AuthPriv
			sp.PrivacyProtocol = prtPrivProtos[strings.ToUpper(opt.PrivProto)]
			sp.PrivacyPassphrase = opt.PrivPass
		}
		g.SecurityParameters = sp
	}
	s.g = g
	return s, g.Connect()
}

// ready prepares the next request; false when the budget is spent.
func (s *prtSession) ready() bool {
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
func (s *prtSession) answer(rtt time.Duration) {
	if s.answered {
		return
	}
	s.answered = true
	s.later = max(printerSNMPMinAttempt, rtt*printerSNMPRTTFactor)
	if s.later > s.first {
		s.later = s.first
	}
}

// get fetches exact OIDs and returns the ones the agent has, keyed by OID
// without a leading dot. On v1, where one absent object fails the whole
// request (noSuchName), the culprit is dropped and the rest asked again.
func (s *prtSession) get(oids []string) (map[string]gosnmp.SnmpPDU, error) {
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
			out[name] = v
		}
		return out, nil
	}
	return out, nil
}

// prtColumn is one table column being walked.
type prtColumn struct {
	oid    string // without a leading dot
	group  string // the table it belongs to, for "snmp_unread"
	last   string
	done   bool
	failed bool
	cells  []prtCell
}

// prtCell is one value of a column; index is the OID part after the column.
type prtCell struct {
	index string
	pdu   gosnmp.SnmpPDU
}

func newPrtColumn(oid, group string) *prtColumn { return &prtColumn{oid: oid, group: group, last: oid} }

func prtPending(cols []*prtColumn) []*prtColumn {
	var p []*prtColumn
	for _, c := range cols {
		if !c.done {
			p = append(p, c)
		}
	}
	return p
}

func prtLasts(cols []*prtColumn) []string {
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
func (s *prtSession) walk(cols []*prtColumn) {
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
			s.walkNext([]*prtColumn{c})
		}
	})
}

// walkBulk walks columns with multi-column GETBULK until they are done. It
// returns the columns it could not finish and whether that was because the
// agent fell silent (rather than answering badly).
func (s *prtSession) walkBulk(cols []*prtColumn) (rest []*prtColumn, silent bool) {
	limit := printerBulkVarbinds
	for {
		active := prtPending(cols)
		if len(active) == 0 || !s.ready() {
			return nil, false
		}
		reps := min(max(limit/len(active), 1), printerMaxRepetitions)
		pkt, err := s.g.GetBulk(prtLasts(active), 0, uint32(reps))
		switch {
		case err != nil:
			return active, prtNoAnswer(err)
		case pkt.Error == gosnmp.TooBig && reps > 1:
			limit = len(active) * reps / 2
		case pkt.Error != gosnmp.NoError || !prtAbsorb(active, pkt.Variables, reps):
			return active, false
		}
	}
}

// isolate runs f with retries off: while hunting for the column an agent
// chokes on, every unanswered request is expected, and a retry would only
// double its cost.
func (s *prtSession) isolate(f func()) {
	retries := s.g.Retries
	s.g.Retries = 0
	defer func() { s.g.Retries = retries }()
	f()
}

// walkNext walks columns with GETNEXT, all pending columns in one request.
// A request with no usable answer is retried column by column.
func (s *prtSession) walkNext(cols []*prtColumn) {
	for {
		active := prtPending(cols)
		if len(active) == 0 || !s.ready() {
			return
		}
		pkt, err := s.g.GetNext(prtLasts(active))
		if err == nil && pkt.Error != gosnmp.NoError {
			// v1: noSuchName at index i means column i ran off the end
			// of the MIB.
			if i := int(pkt.ErrorIndex) - 1; pkt.Error == gosnmp.NoSuchName && i >= 0 && i < len(active) {
				active[i].done = true
				continue
			}
			err = fmt.Errorf("agent answered %v", pkt.Error)
		}
		if err == nil && prtAbsorb(active, pkt.Variables, 1) {
			continue
		}
		if len(active) == 1 {
			active[0].done, active[0].failed = true, true
			continue
		}
		s.isolate(func() {
			for _, c := range active {
				s.walkNext([]*prtColumn{c})
			}
		})
		return
	}
}

// prtAbsorb files the varbinds of a GETNEXT/GETBULK answer into their columns
// (varbind i belongs to prtColumn i mod n). It returns false for an answer
// that breaks the protocol — too many varbinds, OIDs that do not increase,
// or no progress at all — so the caller can stop trusting that method.
func prtAbsorb(active []*prtColumn, vars []gosnmp.SnmpPDU, reps int) bool {
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
		if prtCompareOID(name, c.last) <= 0 {
			return false
		}
		progress = true
		if !strings.HasPrefix(name, c.oid+".") {
			c.done = true
			continue
		}
		c.cells = append(c.cells, prtCell{index: name[len(c.oid)+1:], pdu: v})
		c.last = name
		if len(c.cells) >= printerMaxColumnRows {
			c.done = true
		}
	}
	return progress
}

// prtCompareOID orders dotted OIDs numerically, arc by arc.
func prtCompareOID(a, b string) int {
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

// readPrinter asks the agent everything the assessment needs, in as few
// round trips as it allows: one GET for the scalars, then one GETBULK for
// all table columns together (more only for long tables, truncating
// agents, or fallbacks).
func readPrinter(ctx context.Context, host string, opt PrinterOptions) *printerData {
	d := &printerData{devIndex: 1, colorant: map[string]string{}}
	budget := remaining(ctx, opt.Timeout)
	s, err := newPrtSession(ctx, host, opt)
	defer func() {
		if s.g.Conn != nil {
			s.g.Conn.Close()
		}
		d.roundTrips = s.sent
	}()
	if err != nil {
		d.err = err
		d.errText = prtErrorText(err, opt, budget)
		return d
	}

	scalars := []string{
		printermib.SysDescr, printermib.SysObjectID, printermib.SysUpTime, printermib.SysName,
		printermib.HrDeviceStatus + ".1", printermib.HrDeviceDescr + ".1",
		printermib.HrPrinterStatus + ".1", printermib.HrPrinterDetectedErrorState + ".1",
		printermib.PrtGeneralPrinterName + ".1", printermib.PrtGeneralSerialNumber + ".1",
	}
	vals, err := s.get(scalars)
	if err != nil && !s.answered && prtNoAnswer(err) && ctx.Err() == nil {
		// Silence may mean the agent is down, or that it chokes on one of
		// the objects we asked for (as Zebra's does on hrDeviceID). One
		// small GET tells them apart.
		if v, err2 := s.get([]string{printermib.SysDescr}); err2 == nil {
			vals, err = v, nil
			d.unread = append(d.unread, "status")
		}
	}
	if err != nil && !s.answered {
		d.err = err
		d.errText = prtErrorText(err, opt, budget)
		d.refused = prtRefused(err)
		return d
	}
	d.answered = true
	d.fillScalars(vals, 1)

	cols := map[string]*prtColumn{}
	var order []*prtColumn
	add := func(oid, group string) {
		c := newPrtColumn(oid, group)
		cols[oid] = c
		order = append(order, c)
	}
	for _, oid := range []string{
		printermib.PrtMarkerSuppliesColorantIndex, printermib.PrtMarkerSuppliesClass,
		printermib.PrtMarkerSuppliesType, printermib.PrtMarkerSuppliesDescription,
		printermib.PrtMarkerSuppliesSupplyUnit, printermib.PrtMarkerSuppliesMaxCapacity,
		printermib.PrtMarkerSuppliesLevel,
	} {
		add(oid, "supplies")
	}
	add(printermib.PrtMarkerColorantValue, "colorants")
	add(printermib.PrtInputMaxCapacity, "trays")
	add(printermib.PrtInputCurrentLevel, "trays")
	add(printermib.PrtInputName, "trays")
	add(printermib.PrtAlertSeverityLevel, "alerts")
	add(printermib.PrtAlertGroup, "alerts")
	add(printermib.PrtAlertCode, "alerts")
	add(printermib.PrtAlertDescription, "alerts")
	add(printermib.PrtConsoleDisplayBufferText, "display")
	// No printer row at hrDeviceIndex 1: find the printer's index in
	// hrPrinterTable, which only has printer rows. Never walk the whole
	// hrDeviceTable: some agents die on hrDeviceID.
	discover := d.printerStatus == nil && !d.hasErrState
	if discover {
		add(printermib.HrPrinterStatus, "status")
		add(printermib.HrPrinterDetectedErrorState, "status")
	}
	s.walk(order)

	if discover {
		if idx, ok := d.discoverIndex(cols); ok && idx != 1 {
			suffix := "." + strconv.Itoa(idx)
			v, err := s.get([]string{
				printermib.HrDeviceStatus + suffix, printermib.HrDeviceDescr + suffix,
				printermib.PrtGeneralPrinterName + suffix, printermib.PrtGeneralSerialNumber + suffix,
			})
			if err == nil {
				d.deviceStatus, d.hrDescr, d.prtName, d.serial = nil, "", "", ""
				d.fillScalars(v, idx)
			}
		}
	}
	for _, c := range order {
		if c.failed && !slices.Contains(d.unread, c.group) {
			d.unread = append(d.unread, c.group)
		}
	}
	if ctx.Err() != nil {
		for _, c := range order {
			if !c.done && !slices.Contains(d.unread, c.group) {
				d.unread = append(d.unread, c.group)
			}
		}
	}
	d.fillTables(cols, opt)
	return d
}

// fillScalars takes the GET answers for device index idx.
func (d *printerData) fillScalars(v map[string]gosnmp.SnmpPDU, idx int) {
	sfx := "." + strconv.Itoa(idx)
	if p, ok := v[printermib.SysDescr]; ok {
		d.sysDescr = prtText(p)
	}
	if p, ok := v[printermib.SysName]; ok {
		d.sysName = prtText(p)
	}
	if p, ok := v[printermib.SysObjectID]; ok && p.Type == gosnmp.ObjectIdentifier {
		if s, ok := p.Value.(string); ok {
			d.sysObjectID = sanitize.String(strings.TrimPrefix(s, "."), 0)
		}
	}
	if p, ok := v[printermib.SysUpTime]; ok && p.Type == gosnmp.TimeTicks {
		if n, ok := prtInt(p); ok {
			u := uint32(n)
			d.uptime = &u
		}
	}
	if n, ok := prtIntAt(v, printermib.HrDeviceStatus+sfx); ok {
		d.deviceStatus = &n
	}
	if n, ok := prtIntAt(v, printermib.HrPrinterStatus+sfx); ok {
		d.printerStatus = &n
	}
	if p, ok := v[printermib.HrPrinterDetectedErrorState+sfx]; ok {
		if b, ok := prtBytes(p); ok {
			d.errState, d.hasErrState = b, true
		}
	}
	if p, ok := v[printermib.HrDeviceDescr+sfx]; ok {
		d.hrDescr = prtText(p)
	}
	if p, ok := v[printermib.PrtGeneralPrinterName+sfx]; ok {
		d.prtName = prtText(p)
	}
	if p, ok := v[printermib.PrtGeneralSerialNumber+sfx]; ok {
		d.serial = prtText(p)
	}
}

// discoverIndex finds the first printer row in the walked hrPrinterTable
// columns and takes its status and error state.
func (d *printerData) discoverIndex(cols map[string]*prtColumn) (int, bool) {
	idx := 0
	for _, oid := range []string{printermib.HrPrinterDetectedErrorState, printermib.HrPrinterStatus} {
		for _, c := range cols[oid].cells {
			if n, err := strconv.Atoi(c.index); err == nil && n > 0 && (idx == 0 || n < idx) {
				idx = n
			}
		}
	}
	if idx == 0 {
		return 0, false
	}
	d.devIndex = idx
	want := strconv.Itoa(idx)
	for _, c := range cols[printermib.HrPrinterStatus].cells {
		if n, ok := prtInt(c.pdu); ok && c.index == want && c.pdu.Type == gosnmp.Integer {
			d.printerStatus = &n
		}
	}
	for _, c := range cols[printermib.HrPrinterDetectedErrorState].cells {
		if b, ok := prtBytes(c.pdu); ok && c.index == want {
			d.errState, d.hasErrState = b, true
		}
	}
	return idx, true
}

// fillTables turns walked columns into supplies, trays, alerts and panel
// lines. Rows are keyed by their index as the agent gives it: indexes are
// sparse on real printers (Fujifilm 1.2–1.9, 1.30), never 1..n.
func (d *printerData) fillTables(cols map[string]*prtColumn, opt PrinterOptions) {
	rows := func(oids ...string) ([]string, map[string]map[string]gosnmp.SnmpPDU) {
		byCol := map[string]map[string]gosnmp.SnmpPDU{}
		seen := map[string]bool{}
		var idx []string
		for _, oid := range oids {
			byCol[oid] = map[string]gosnmp.SnmpPDU{}
			for _, c := range cols[oid].cells {
				byCol[oid][c.index] = c.pdu
				if !seen[c.index] {
					seen[c.index] = true
					idx = append(idx, c.index)
				}
			}
		}
		sort.Slice(idx, func(i, j int) bool { return prtCompareOID(idx[i], idx[j]) < 0 })
		return idx, byCol
	}
	str := func(m map[string]gosnmp.SnmpPDU, i string) string {
		if p, ok := m[i]; ok {
			return prtText(p)
		}
		return ""
	}
	num := func(m map[string]gosnmp.SnmpPDU, i string, def int) (int, bool) {
		if p, ok := m[i]; ok && p.Type == gosnmp.Integer {
			if n, ok := prtInt(p); ok {
				return n, true
			}
		}
		return def, false
	}

	colorIdx, colorCol := rows(printermib.PrtMarkerColorantValue)
	colorants := map[string]string{}
	for _, i := range colorIdx {
		colorants[i] = strings.ToLower(str(colorCol[printermib.PrtMarkerColorantValue], i))
	}

	sIdx, s := rows(printermib.PrtMarkerSuppliesColorantIndex, printermib.PrtMarkerSuppliesClass,
		printermib.PrtMarkerSuppliesType, printermib.PrtMarkerSuppliesDescription,
		printermib.PrtMarkerSuppliesSupplyUnit, printermib.PrtMarkerSuppliesMaxCapacity,
		printermib.PrtMarkerSuppliesLevel)
	d.supplies = []result.Supply{}
	inks, toners := 0, 0
	for _, i := range sIdx {
		sup := result.Supply{Index: i}
		sup.Description = str(s[printermib.PrtMarkerSuppliesDescription], i)
		typ, hasType := num(s[printermib.PrtMarkerSuppliesType], i, 0)
		sup.Type = printermib.SupplyTypeName(typ)
		class, hasClass := num(s[printermib.PrtMarkerSuppliesClass], i, 0)
		unit, _ := num(s[printermib.PrtMarkerSuppliesSupplyUnit], i, 0)
		sup.Unit = printermib.SupplyUnitName(unit)
		sup.Level, _ = num(s[printermib.PrtMarkerSuppliesLevel], i, printermib.LevelUnknown)
		sup.Max, _ = num(s[printermib.PrtMarkerSuppliesMaxCapacity], i, printermib.LevelUnknown)

		// The class says whether the level counts down (toner) or up
		// (waste box). Agents that leave it out still name the type; the
		// description is the last resort (Xerox sends neither).
		receptacle := false
		switch {
		case hasClass:
			receptacle = class == printermib.ClassReceptacle
			sup.Class = printermib.SupplyClassName(class)
		case hasType && typ > 2:
			receptacle = printermib.IsWasteType(typ)
		default:
			receptacle = printermib.LooksLikeWaste(sup.Description)
		}
		if !hasClass {
			sup.Class = "consumed"
			if receptacle {
				sup.Class = "receptacle"
			}
		}
		sup.Percent, sup.State = printermib.SupplyState(receptacle, sup.Level, sup.Max, opt.SupplyWarn)

		if k, ok := num(s[printermib.PrtMarkerSuppliesColorantIndex], i, 0); ok && k > 0 {
			dev, _, _ := strings.Cut(i, ".")
			sup.Color = colorants[dev+"."+strconv.Itoa(k)]
		}
		if sup.Color == "" {
			sup.Color = printermib.ColorFromDescription(sup.Description)
		}
		colorant := !receptacle && (printermib.IsColorant(typ) ||
			(!hasType || typ <= 2) && prtHasWord(sup.Description, "toner", "ink"))
		if colorant {
			if typ == printermib.TypeInk || typ == printermib.TypeInkCartridge || typ == printermib.TypeMatteInk ||
				(!hasType && prtHasWord(sup.Description, "ink")) {
				d.colorant[i] = "ink"
				inks++
			} else {
				d.colorant[i] = "toner"
				toners++
			}
		}
		d.supplies = append(d.supplies, sup)
	}
	d.ink = inks > toners

	tIdx, tr := rows(printermib.PrtInputMaxCapacity, printermib.PrtInputCurrentLevel, printermib.PrtInputName)
	d.trays = []result.Tray{}
	for _, i := range tIdx {
		t := result.Tray{Index: i, Name: str(tr[printermib.PrtInputName], i)}
		t.Max, _ = num(tr[printermib.PrtInputMaxCapacity], i, printermib.LevelUnknown)
		t.Level, _ = num(tr[printermib.PrtInputCurrentLevel], i, printermib.LevelUnknown)
		t.Percent, t.State = printermib.TrayState(t.Level, t.Max, opt.SupplyWarn)
		d.trays = append(d.trays, t)
	}

	aIdx, al := rows(printermib.PrtAlertSeverityLevel, printermib.PrtAlertGroup, printermib.PrtAlertCode,
		printermib.PrtAlertDescription)
	d.alerts = []result.Alert{}
	for _, i := range aIdx {
		sev, _ := num(al[printermib.PrtAlertSeverityLevel], i, 0)
		grp, _ := num(al[printermib.PrtAlertGroup], i, 0)
		code, _ := num(al[printermib.PrtAlertCode], i, 0)
		d.alerts = append(d.alerts, result.Alert{
			Index:       i,
			Severity:    printermib.AlertSeverityName(sev),
			Code:        code,
			CodeName:    printermib.AlertCodeName(code),
			Group:       printermib.AlertGroupName(grp),
			Description: str(al[printermib.PrtAlertDescription], i),
		})
	}

	dIdx, disp := rows(printermib.PrtConsoleDisplayBufferText)
	d.display = []string{}
	for _, i := range dIdx {
		if line := str(disp[printermib.PrtConsoleDisplayBufferText], i); line != "" {
			d.display = append(d.display, line)
		}
	}
}

// prtText decodes and sanitises a string value from the network. Values of
// another type (an agent sending an integer where text belongs) give "".
func prtText(p gosnmp.SnmpPDU) string {
	b, ok := prtBytes(p)
	if !ok {
		return ""
	}
	return sanitize.String(printermib.Text(b), 0)
}

func prtBytes(p gosnmp.SnmpPDU) ([]byte, bool) {
	if p.Type != gosnmp.OctetString {
		return nil, false
	}
	switch v := p.Value.(type) {
	case []byte:
		return v, true
	case string:
		return []byte(v), true
	}
	return nil, false
}

// prtInt reads a numeric value; a string where a number belongs is not one.
func prtInt(p gosnmp.SnmpPDU) (int, bool) {
	switch p.Type {
	case gosnmp.Integer, gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Uinteger32:
	default:
		return 0, false
	}
	switch v := p.Value.(type) {
	case int:
		return v, true
	case uint:
		return int(v), true
	case uint32:
		return int(v), true
	case int64:
		return int(v), true
	case uint64:
		return int(v), true
	}
	return 0, false
}

func prtIntAt(v map[string]gosnmp.SnmpPDU, oid string) (int, bool) {
	p, ok := v[oid]
	if !ok || p.Type != gosnmp.Integer {
		return 0, false
	}
	return prtInt(p)
}

// prtHasWord reports whether s contains one of the words as a whole word, so
// "Pink" is not ink.
func prtHasWord(s string, words ...string) bool {
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	}) {
		if slices.Contains(words, f) {
			return true
		}
	}
	return false
}

// prtNoAnswer reports whether err means the agent said nothing.
func prtNoAnswer(err error) bool {
	return isTimeout(err) || strings.Contains(err.Error(), "timeout")
}

// prtRefused reports whether an SNMPv3 agent answered but rejected us.
func prtRefused(err error) bool {
	return errors.Is(err, gosnmp.ErrWrongDigest) || errors.Is(err, gosnmp.ErrUnknownUsername) ||
		errors.Is(err, gosnmp.ErrUnknownSecurityLevel) || errors.Is(err, gosnmp.ErrDecryption) ||
		strings.Contains(err.Error(), "not authentic")
}

// prtErrorText explains an SNMP failure in words, without the packet
// dumps gosnmp sometimes appends.
// budget is how long the probe waited, for "no answer within ...".
func prtErrorText(err error, opt PrinterOptions, budget time.Duration) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("SNMP port %d/udp refused the request (nothing listens there)", opt.Port)
	case prtNoAnswer(err):
		return fmt.Sprintf("no SNMP answer within %s", budget.Round(100*time.Millisecond))
	case errors.Is(err, gosnmp.ErrUnknownUsername):
		return "the SNMPv3 agent does not know this user"
	case errors.Is(err, gosnmp.ErrUnknownSecurityLevel):
		return "the SNMPv3 agent does not allow this security level for the user"
	case errors.Is(err, gosnmp.ErrDecryption):
		return "the SNMPv3 agent could not decrypt the request (wrong privacy password or protocol?)"
	case prtRefused(err):
		return "the SNMPv3 agent rejected the credentials (wrong user, password or protocol?)"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "cannot resolve the printer's name: " + dns.Err
	}
	return errText(err)
}

// ---------------------------------------------------------------------
// Judging what was read.

// Printer conditions, the "condition" evidence value.
const (
	prtCondOK          = "ok"
	prtCondWarning     = "warning"
	prtCondError       = "error"
	prtCondSilent      = "snmp_silent"
	prtCondUnreachable = "unreachable"
)

// prtProblem is one thing wrong with the printer. key merges the same fault
// seen through different objects (the jammed bit and a jam alert).
type prtProblem struct {
	status result.Status
	key    string
	text   string
}

// prtAssessment is the verdict on one printer.
type prtAssessment struct {
	status    result.Status
	condition string
	detail    string
	problems  []prtProblem
}

// assessPrinter applies the status rules to what was read. It is pure:
// the tests drive it directly as well as through a real agent.
func assessPrinter(d *printerData, portList []int, ports map[int]PortState, opt PrinterOptions) prtAssessment {
	var open []int
	for _, p := range portList {
		if ports[p] == PortOpen {
			open = append(open, p)
		}
	}
	if !d.answered {
		return assessPrinterSilent(d, portList, open, ports, opt)
	}

	var ps []prtProblem
	add := func(st result.Status, key, text string) { ps = append(ps, prtProblem{st, key, text}) }

	if d.deviceStatus != nil {
		switch *d.deviceStatus {
		case printermib.DeviceDown:
			add(result.Fail, "down", "Printer is down")
		case printermib.DeviceTesting:
			add(result.Warn, "testing", "Printer is in test mode")
		}
	}

	// Judge supplies before the error bits so a generic "toner low" bit
	// can defer to the specific supply ("Black toner low (4%)"), but list
	// them after the bits: the printer's own statement comes first.
	var supplyPs []prtProblem
	addS := func(st result.Status, key, text string) { supplyPs = append(supplyPs, prtProblem{st, key, text}) }
	specific := map[string]result.Status{} // "toner" -> worst colorant problem
	for _, s := range d.supplies {
		name := d.supplyName(s)
		key := "supply:" + s.Index
		switch {
		case s.Class == "receptacle" && s.State == printermib.StateFull:
			addS(result.Fail, key, name+" full")
		case s.Class == "receptacle" && s.State == printermib.StateNearlyFull:
			addS(result.Warn, key, fmt.Sprintf("%s nearly full (%s space left)", name, prtPct(s.Percent)))
		case d.colorant[s.Index] != "" && s.State == printermib.StateEmpty:
			addS(result.Fail, key, name+" empty")
			specific["toner"] = result.Fail
		case d.colorant[s.Index] != "" && s.State == printermib.StateLow:
			addS(result.Warn, key, fmt.Sprintf("%s low (%s)", name, prtPct(s.Percent)))
			specific["toner"] = result.Worst(specific["toner"], result.Warn)
		case s.State == printermib.StateEmpty:
			// A drum or kit at 0 % usually still prints, with a warning.
			addS(result.Warn, key, name+" used up")
		case s.State == printermib.StateLow:
			addS(result.Warn, key, fmt.Sprintf("%s low (%s)", name, prtPct(s.Percent)))
		}
	}

	bits := printermib.ErrorBits(d.errState)
	for _, b := range bits {
		switch b {
		case "noPaper":
			add(result.Fail, "noPaper", "Out of paper")
		case "noToner":
			if specific["toner"] != result.Fail {
				add(result.Fail, "noToner", d.marker()+" empty")
			}
		case "doorOpen":
			add(result.Fail, "doorOpen", "Door open")
		case "jammed":
			add(result.Fail, "jammed", "Paper jam")
		case "offline":
			add(result.Fail, "offline", "Printer offline")
		case "outputFull":
			add(result.Fail, "outputFull", "Output tray full")
		case "markerSupplyMissing":
			add(result.Fail, "markerMissing", d.marker()+" cartridge missing")
		case "lowPaper":
			add(result.Warn, "lowPaper", "Paper low")
		case "lowToner":
			if specific["toner"] == "" {
				add(result.Warn, "lowToner", d.marker()+" low"+d.lowestColorant())
			}
		case "serviceRequested":
			add(result.Warn, "serviceRequested", "Service requested")
		case "overduePreventMaint":
			add(result.Warn, "overduePreventMaint", "Preventive maintenance overdue")
		case "inputTrayMissing":
			add(result.Warn, "inputTrayMissing", "Paper tray missing")
		case "outputTrayMissing":
			add(result.Warn, "outputTrayMissing", "Output tray missing")
		case "outputNearFull":
			add(result.Warn, "outputNearFull", "Output tray almost full")
		case "inputTrayEmpty":
			empty, all := d.emptyTrays()
			switch {
			case all:
				add(result.Fail, "noPaper", "All paper trays empty")
			case len(empty) > 0:
				for _, t := range empty {
					add(result.Warn, "tray:"+t, t+" empty")
				}
			default:
				add(result.Warn, "inputTrayEmpty", "A paper tray is empty")
			}
		}
	}
	ps = append(ps, supplyPs...)
	// A printer whose every tray reads 0 has no paper, whatever its bits say.
	if _, all := d.emptyTrays(); all {
		add(result.Fail, "noPaper", "All paper trays empty")
	}

	for _, a := range d.alerts {
		var st result.Status
		switch a.Severity {
		case "critical":
			st = result.Fail
		case "warning":
			st = result.Warn
		default:
			// binaryChangeEvent entries record that something happened
			// (cover opened and closed); they are history, not state.
			continue
		}
		key, text := prtAlertProblem(a)
		if (key == "lowToner" || key == "noToner") && specific["toner"] != "" && st.Severity() <= specific["toner"].Severity() {
			continue
		}
		add(st, key, text)
	}

	if d.deviceStatus != nil && *d.deviceStatus == printermib.DeviceWarning && !prtHasProblem(ps) {
		text := "Printer reports a warning"
		for _, s := range d.supplies {
			if s.State == printermib.StateUnknown {
				text += " (the level of " + printermib.ShortName(s.Description) + " is unknown)"
				break
			}
		}
		add(result.Warn, "warning", text)
	}
	if len(portList) > 0 && len(open) == 0 {
		add(result.Warn, "ports", "No print port open ("+joinInts(portList)+")")
	}

	ps = prtMergeProblems(ps)
	a := prtAssessment{status: result.OK, condition: prtCondOK, problems: ps}
	for _, p := range ps {
		a.status = result.Worst(a.status, p.status)
	}
	model := prtShortModel(d.model())
	switch a.status {
	case result.Fail:
		a.condition = prtCondError
		a.detail = fmt.Sprintf("Printer %s is not ready: %s.", model, prtListProblems(ps))
	case result.Warn:
		a.condition = prtCondWarning
		a.detail = fmt.Sprintf("Printer %s needs attention: %s.", model, prtListProblems(ps))
	default:
		// "Ready" only when the printer says it runs (or, lacking
		// hrDeviceStatus, at least reports its error bits); an agent with
		// no status objects (Fujifilm, Xerox) or "unknown" just has no
		// complaint.
		ready := "answers and reports no problem"
		if (d.deviceStatus != nil && *d.deviceStatus == printermib.DeviceRunning) || (d.deviceStatus == nil && d.hasErrState) {
			ready = "is ready"
		}
		a.detail = fmt.Sprintf("Printer %s %s", model, ready)
		if r := d.colorantRange(); r != "" {
			a.detail += "; " + r
		}
		a.detail += "."
	}
	if a.status != result.OK && len(d.display) > 0 {
		a.detail += fmt.Sprintf(" Panel shows %q.", strings.Join(d.display, " / "))
	}
	if len(d.unread) > 0 {
		a.detail += " Could not read: " + strings.Join(d.unread, ", ") + "."
	}
	return a
}

// assessPrinterSilent judges a printer whose SNMP agent gave nothing. Silent SNMP
// fails the printer layer even with a print port open: the check exists to
// tell whether the printer can print, and with no status we cannot say
// (it may be jammed or out of toner); the port state still tells the user
// where to look. This is what the fault lab expects for "SNMP agent
// stopped".
func assessPrinterSilent(d *printerData, portList, open []int, ports map[int]PortState, opt PrinterOptions) prtAssessment {
	a := prtAssessment{status: result.Fail}
	check := "check the SNMP community or that SNMP is enabled"
	if opt.Version == "3" {
		check = "check the SNMPv3 user and passwords or that SNMP is enabled"
	}
	switch {
	case d.refused:
		a.condition = prtCondSilent
		a.detail = "Printer answers SNMP but rejects the SNMPv3 credentials; check the user, passwords and protocols."
		a.problems = []prtProblem{{result.Fail, "snmp", "SNMPv3 credentials rejected"}}
	case len(open) > 0:
		a.condition = prtCondSilent
		word := "port"
		if len(open) > 1 {
			word = "ports"
		}
		a.detail = fmt.Sprintf("Printer is on the network (%s %s open) but does not answer SNMP; %s.", word, joinInts(open), check)
		a.problems = []prtProblem{{result.Fail, "snmp", "SNMP does not answer"}}
	case len(portList) == 0:
		a.condition = prtCondUnreachable
		a.detail = "Printer does not answer SNMP (no print ports were checked)."
		a.problems = []prtProblem{{result.Fail, "unreachable", "No answer from the printer"}}
	case anyClosed(portList, ports):
		// A reset proves a device at the address: it is just not a
		// printer, or not the printer the user means.
		a.condition = prtCondUnreachable
		a.detail = fmt.Sprintf("A device answers at this address, but it is not a working printer: print ports %s are closed and SNMP does not answer; check the printer's address.", joinInts(portList))
		a.problems = []prtProblem{{result.Fail, "unreachable", "No printer service at this address"}}
	default:
		a.condition = prtCondUnreachable
		a.detail = fmt.Sprintf("Printer does not answer at all: no SNMP reply and print ports %s closed or silent.", joinInts(portList))
		a.problems = []prtProblem{{result.Fail, "unreachable", "No answer from the printer"}}
	}
	return a
}

// anyClosed reports whether a print port answered with a reset.
func anyClosed(portList []int, ports map[int]PortState) bool {
	for _, p := range portList {
		if ports[p] == PortClosed {
			return true
		}
	}
	return false
}

// prtAlertKeys merge alert codes with the error bits that mean the same.
var prtAlertKeys = map[int]string{
	3: "doorOpen", 501: "doorOpen", 8: "jammed", 807: "lowPaper", 808: "trayEmpty",
	1101: "noToner", 1102: "noToner", 1104: "lowToner", 1105: "lowToner",
	902: "outputNearFull", 903: "outputFull", 801: "inputTrayMissing", 901: "outputTrayMissing",
	1115: "markerMissing",
}

// prtAlertProblem names an alert by its code; the printer's own description
// is used only when the code says nothing (other, unknown, vendor codes).
func prtAlertProblem(a result.Alert) (key, text string) {
	key = prtAlertKeys[a.Code]
	if key == "" {
		key = "alert:" + strconv.Itoa(a.Code)
	}
	text = printermib.AlertCodeWords(a.Code)
	if a.Code <= 2 || text == "" {
		switch {
		case a.Description != "":
			text = "Printer alert: " + a.Description
			key = "alert:" + a.Description
		case text == "":
			text = fmt.Sprintf("Printer alert %d", a.Code)
		}
	}
	return key, text
}

// prtMergeProblems keeps one problem per key (the most severe, first text)
// and orders them most severe first, otherwise as found.
func prtMergeProblems(ps []prtProblem) []prtProblem {
	var out []prtProblem
	at := map[string]int{}
	for _, p := range ps {
		if i, ok := at[p.key]; ok {
			if p.status.Severity() > out[i].status.Severity() {
				out[i] = p
			}
			continue
		}
		at[p.key] = len(out)
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].status.Severity() > out[j].status.Severity() })
	return out
}

func prtHasProblem(ps []prtProblem) bool {
	for _, p := range ps {
		if p.status == result.Warn || p.status == result.Fail {
			return true
		}
	}
	return false
}

// prtListProblems joins up to three problems for the detail sentence.
func prtListProblems(ps []prtProblem) string {
	var texts []string
	for _, p := range ps {
		texts = append(texts, p.text)
	}
	if len(texts) > 3 {
		return strings.Join(texts[:3], ", ") + fmt.Sprintf(" and %d more", len(texts)-3)
	}
	return strings.Join(texts, ", ")
}

// marker is the word for what this printer prints with.
func (d *printerData) marker() string {
	if d.ink {
		return "Ink"
	}
	return "Toner"
}

// lowestColorant names the emptiest toner or ink, for a lowToner bit that
// no supply below the warning level explains (Sharp: bit set, magenta 19 %).
func (d *printerData) lowestColorant() string {
	var low *result.Supply
	for i, s := range d.supplies {
		if d.colorant[s.Index] != "" && s.Percent != nil && (low == nil || *s.Percent < *low.Percent) {
			low = &d.supplies[i]
		}
	}
	if low == nil {
		return ""
	}
	return fmt.Sprintf(" (lowest: %s %s)", d.supplyName(*low), prtPct(low.Percent))
}

// supplyName is how a problem names a supply: "Black toner" when the
// supply is a colorant of a known colour (what a person calls it, and what
// is printed on the box), else its description without part numbers.
func (d *printerData) supplyName(s result.Supply) string {
	if kind := d.colorant[s.Index]; kind != "" && s.Color != "" {
		return strings.ToUpper(s.Color[:1]) + s.Color[1:] + " " + kind
	}
	if name := printermib.ShortName(s.Description); name != "" {
		return name
	}
	return "Supply " + s.Index
}

// colorantRange summarises toner or ink levels for a healthy printer:
// "toner 36–88%".
func (d *printerData) colorantRange() string {
	var lo, hi *float64
	for _, s := range d.supplies {
		if d.colorant[s.Index] == "" || s.Percent == nil {
			continue
		}
		if lo == nil || *s.Percent < *lo {
			lo = s.Percent
		}
		if hi == nil || *s.Percent > *hi {
			hi = s.Percent
		}
	}
	if lo == nil {
		return ""
	}
	word := strings.ToLower(d.marker())
	if *lo == *hi {
		return word + " " + prtPct(lo)
	}
	return word + " " + strconv.FormatFloat(*lo, 'f', -1, 64) + "–" + prtPct(hi)
}

// emptyTrays names the trays that read 0, and whether every tray with a
// known level does (at least one tray, none with paper).
func (d *printerData) emptyTrays() (names []string, all bool) {
	known := 0
	for _, t := range d.trays {
		switch t.State {
		case printermib.StateEmpty:
			names = append(names, prtTrayName(t))
			known++
		case printermib.StateOK, printermib.StateLow, printermib.StateSomeRemaining:
			known++
		}
	}
	return names, known > 0 && len(names) == known
}

func prtTrayName(t result.Tray) string {
	if t.Name != "" {
		return t.Name
	}
	_, last, _ := strings.Cut(t.Index, ".")
	if last == "" {
		last = t.Index
	}
	return "Tray " + last
}

// model is the printer's name: prtGeneralPrinterName, else hrDeviceDescr,
// else sysDescr.
func (d *printerData) model() string {
	for _, m := range []string{d.prtName, d.hrDescr, d.sysDescr} {
		if m != "" {
			return m
		}
	}
	return ""
}

// prtShortModel keeps the detail sentence readable when the only name is a
// long sysDescr ("Xerox AltaLink C8045; SS 100.002...").
func prtShortModel(m string) string {
	if i := strings.IndexAny(m, ";,"); i > 0 {
		m = m[:i]
	}
	if r := []rune(m); len(r) > 60 {
		m = string(r[:60]) + "…"
	}
	if m == "" {
		return "(unnamed)"
	}
	return m
}

func prtPct(p *float64) string {
	if p == nil {
		return "?"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64) + "%"
}

// ---------------------------------------------------------------------
// Evidence.

// fillPrinterEvidence stores the facts under the stable keys of the
// printer check's public JSON:
//
//	condition        "ok", "warning", "error", "snmp_silent", "unreachable"
//	problems         []string, plain words, most severe first
//	snmp_version     "1", "2c" or "3"
//	snmp_round_trips int, SNMP requests sent (retries and v3 discovery included)
//	ports            map[string]string, print port -> PortState
//	snmp_error       why SNMP gave nothing (only then)
//	snmp_unread      []string, tables that could not be read (only then)
//
// and, when SNMP answered: sys_descr, sys_name, sys_object_id, uptime_s,
// model, serial, hr_device_index, device_status, printer_status, errors
// ([]string bit names), error_state_hex, supplies ([]result.Supply), trays
// ([]result.Tray), alerts ([]result.Alert) and display ([]string). A key
// is absent when the printer does not have that object.
func fillPrinterEvidence(c *result.Check, d *printerData, a prtAssessment, opt PrinterOptions, ports map[int]PortState) {
	problems := make([]string, len(a.problems))
	for i, p := range a.problems {
		problems[i] = p.text
	}
	c.With("condition", a.condition).
		With("problems", problems).
		With("snmp_version", opt.Version).
		With("snmp_round_trips", d.roundTrips)
	pm := make(map[string]string, len(ports))
	for p, st := range ports {
		pm[strconv.Itoa(p)] = string(st)
	}
	c.With("ports", pm)
	if !d.answered {
		c.With("snmp_error", d.errText)
		return
	}
	if len(d.unread) > 0 {
		c.With("snmp_unread", d.unread)
	}
	c.With("sys_descr", d.sysDescr).
		With("sys_name", d.sysName).
		With("sys_object_id", d.sysObjectID).
		With("model", d.model()).
		With("hr_device_index", d.devIndex)
	if d.uptime != nil {
		c.With("uptime_s", int64(*d.uptime/100))
	}
	if d.serial != "" {
		c.With("serial", d.serial)
	}
	if d.deviceStatus != nil {
		c.With("device_status", prtEnumName(printermib.DeviceStatusName(*d.deviceStatus), *d.deviceStatus))
	}
	if d.printerStatus != nil {
		c.With("printer_status", prtEnumName(printermib.PrinterStatusName(*d.printerStatus), *d.printerStatus))
	}
	if d.hasErrState {
		c.With("errors", printermib.ErrorBits(d.errState)).
			With("error_state_hex", hex.EncodeToString(d.errState))
	}
	c.With("supplies", d.supplies).
		With("trays", d.trays).
		With("alerts", d.alerts).
		With("display", d.display)
}

// prtEnumName shows an undefined enum value as "value(7)" instead of "".
func prtEnumName(name string, v int) string {
	if name == "" {
		return fmt.Sprintf("value(%d)", v)
	}
	return name
}

// prtScrub removes every secret from the check's text. The probe never
// copies the community or a password on purpose; this catches the
// accidental routes (a library error quoting a packet, a hostile agent
// echoing the community back in sysDescr).
func prtScrub(c *result.Check, secrets []string) {
	if len(secrets) == 0 {
		return
	}
	scrub := func(s string) string {
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, "<secret>")
		}
		return s
	}
	c.Detail, c.Error, c.Target = scrub(c.Detail), scrub(c.Error), scrub(c.Target)
	for k, v := range c.Evidence {
		c.Evidence[k] = prtScrubValue(v, scrub)
	}
}

func prtScrubValue(v any, scrub func(string) string) any {
	switch x := v.(type) {
	case string:
		return scrub(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = scrub(s)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, s := range x {
			out[scrub(k)] = scrub(s)
		}
		return out
	case []result.Supply:
		out := slices.Clone(x)
		for i := range out {
			out[i].Description, out[i].Color = scrub(out[i].Description), scrub(out[i].Color)
		}
		return out
	case []result.Tray:
		out := slices.Clone(x)
		for i := range out {
			out[i].Name = scrub(out[i].Name)
		}
		return out
	case []result.Alert:
		out := slices.Clone(x)
		for i := range out {
			out[i].Description = scrub(out[i].Description)
		}
		return out
	}
	return v
}
