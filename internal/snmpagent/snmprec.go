// Package snmpagent is a small in-process SNMP agent for tests: it serves
// an snmpsim recording (.snmprec) over real UDP on loopback, speaks v1,
// v2c and v3 (USM with authentication and privacy) through gosnmp's own
// packet codec, counts the requests it receives, and can misbehave on
// purpose (never answer, garble GETBULK, ignore v2c, drop requests that
// touch given objects) to reproduce what real printers do.
//
// It is test infrastructure, not a production agent: one goroutine, no
// SET, no VACM, no time-window checks.
package snmpagent

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// Record is one object of a recording: its OID and the value the agent
// returns for it.
type Record struct {
	// OID is numeric and dotted, without a leading dot.
	OID   string
	arcs  []uint32
	Type  gosnmp.Asn1BER
	Value any
}

// LoadFile parses an .snmprec file.
func LoadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// Parse reads snmpsim's text format, one "OID|TAG|VALUE" per line. Tags are
// BER type numbers; a trailing "x" means the value is hex. Records come
// back sorted by OID, as an agent walks them.
func Parse(r io.Reader) ([]Record, error) {
	var recs []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.SplitN(text, "|", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %d: want OID|TAG|VALUE", line)
		}
		rec, err := parseRecord(parts[0], parts[1], parts[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b Record) int { return compareArcs(a.arcs, b.arcs) })
	return recs, nil
}

func parseRecord(oid, tag, value string) (Record, error) {
	oid = strings.TrimPrefix(oid, ".")
	arcs, err := parseOID(oid)
	if err != nil {
		return Record{}, err
	}
	rec := Record{OID: oid, arcs: arcs}
	isHex := strings.HasSuffix(tag, "x")
	num, err := strconv.Atoi(strings.TrimSuffix(tag, "x"))
	if err != nil {
		return Record{}, fmt.Errorf("bad tag %q", tag)
	}
	raw := []byte(value)
	if isHex {
		if raw, err = hex.DecodeString(value); err != nil {
			return Record{}, fmt.Errorf("bad hex value for %s: %w", oid, err)
		}
	}
	rec.Type = gosnmp.Asn1BER(num)
	switch rec.Type {
	case gosnmp.Integer:
		v, err := strconv.Atoi(string(raw))
		if err != nil {
			return Record{}, fmt.Errorf("bad integer for %s: %w", oid, err)
		}
		rec.Value = v
	case gosnmp.OctetString, gosnmp.Opaque, gosnmp.BitString:
		rec.Value = raw
	case gosnmp.ObjectIdentifier:
		// Kept as text even when it cannot be encoded (Zebra's one-arc
		// "0"): like snmpsim, the agent then sends no reply at all.
		rec.Value = string(raw)
	case gosnmp.IPAddress:
		if isHex {
			rec.Value = raw
		} else {
			ip := net.ParseIP(string(raw)).To4()
			if ip == nil {
				return Record{}, fmt.Errorf("bad IpAddress for %s", oid)
			}
			rec.Value = []byte(ip)
		}
	case gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Uinteger32:
		v, err := strconv.ParseUint(string(raw), 10, 32)
		if err != nil {
			return Record{}, fmt.Errorf("bad unsigned for %s: %w", oid, err)
		}
		rec.Value = uint32(v)
	case gosnmp.Counter64:
		v, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil {
			return Record{}, fmt.Errorf("bad counter64 for %s: %w", oid, err)
		}
		rec.Value = v
	case gosnmp.Null:
		rec.Value = nil
	default:
		return Record{}, fmt.Errorf("unsupported tag %q for %s", tag, oid)
	}
	return rec, nil
}

// parseOID splits a dotted OID into arcs.
func parseOID(oid string) ([]uint32, error) {
	oid = strings.TrimPrefix(oid, ".")
	if oid == "" {
		return nil, fmt.Errorf("empty OID")
	}
	parts := strings.Split(oid, ".")
	arcs := make([]uint32, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("bad OID %q", oid)
		}
		arcs[i] = uint32(v)
	}
	return arcs, nil
}

// compareArcs orders OIDs the way SNMP does: arc by arc, a prefix first.
func compareArcs(a, b []uint32) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// hasPrefixArcs reports whether oid is prefix itself or lies under it.
func hasPrefixArcs(oid, prefix []uint32) bool {
	return len(oid) >= len(prefix) && compareArcs(oid[:len(prefix)], prefix) == 0
}
