package snmpagent

import (
	"encoding/binary"
	"errors"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"
)

// V3User is the one USM user a v3 agent knows. Its security level follows
// from which protocols are set: none, authentication, or both.
type V3User struct {
	Name      string
	AuthProto gosnmp.SnmpV3AuthProtocol
	AuthPass  string
	PrivProto gosnmp.SnmpV3PrivProtocol
	PrivPass  string
}

// engineID is the agent's authoritative engine ID (RFC 3411 format:
// enterprise 8072 net-snmp, then text), long enough for every check.
const engineID = "\x80\x00\x1f\x88\x04netprobe-test"

// USM report OIDs (RFC 3414) that tell a manager why a message was refused.
const (
	usmStatsUnsupportedSecLevels = ".1.3.6.1.6.3.15.1.1.1.0"
	usmStatsUnknownUserNames     = ".1.3.6.1.6.3.15.1.1.3.0"
	usmStatsUnknownEngineIDs     = ".1.3.6.1.6.3.15.1.1.4.0"
	usmStatsWrongDigests         = ".1.3.6.1.6.3.15.1.1.5.0"
)

// usm is the agent's side of the User-based Security Model: it verifies
// and decrypts requests with gosnmp's trap-receiver code and signs and
// encrypts answers with gosnmp's marshaller, so the wire format is the
// library's, not ours.
type usm struct {
	user            V3User
	level           gosnmp.SnmpV3MsgFlags
	authKey         []byte
	privKey         []byte
	start           time.Time
	salt            atomic.Uint64
	unknownEngineID atomic.Uint32
}

func newUSM(u V3User) (*usm, error) {
	if u.Name == "" {
		return nil, errors.New("snmpagent: v3 user needs a name")
	}
	s := &usm{user: u, level: gosnmp.NoAuthNoPriv, start: time.Now()}
	if u.AuthProto > gosnmp.NoAuth {
		s.level = gosnmp.AuthNoPriv
	}
	if u.PrivProto > gosnmp.NoPriv {
		if s.level != gosnmp.AuthNoPriv {
			return nil, errors.New("snmpagent: privacy needs authentication")
		}
		s.level = gosnmp.AuthPriv
	}
	keys := s.params()
	if err := keys.InitSecurityKeys(); err != nil {
		return nil, err
	}
	s.authKey, s.privKey = keys.SecretKey, keys.PrivacyKey
	return s, nil
}

// params are the user's security parameters with passphrases, for
// verifying and decrypting requests.
func (s *usm) params() *gosnmp.UsmSecurityParameters {
	return &gosnmp.UsmSecurityParameters{
		AuthoritativeEngineID:    engineID,
		AuthoritativeEngineBoots: 1,
		UserName:                 s.user.Name,
		AuthenticationProtocol:   s.user.AuthProto,
		AuthenticationPassphrase: s.user.AuthPass,
		PrivacyProtocol:          s.user.PrivProto,
		PrivacyPassphrase:        s.user.PrivPass,
	}
}

func (s *usm) engineTime() uint32 { return uint32(time.Since(s.start)/time.Second) + 1 }

// handle answers one v3 message: engine discovery, a USM report when the
// user, engine, level or digest is wrong, or the real answer.
func (s *usm) handle(a *Agent, msg []byte, req *Request) []byte {
	// Read the header first with no keys, to learn who is asking.
	peek := &gosnmp.GoSNMP{
		Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.NoAuthNoPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "peek"},
	}
	hdr, err := peek.SnmpDecodePacket(msg)
	if hdr == nil || hdr.SecurityParameters == nil {
		return nil
	}
	hsp, ok := hdr.SecurityParameters.(*gosnmp.UsmSecurityParameters)
	if !ok {
		return nil
	}
	flags := hdr.MsgFlags & gosnmp.AuthPriv
	if flags == gosnmp.NoAuthNoPriv && hsp.UserName == "" && hsp.AuthoritativeEngineID == "" {
		if err != nil {
			return nil
		}
		req.PDUType = hdr.PDUType
		return s.report(hdr, usmStatsUnknownEngineIDs, s.unknownEngineID.Add(1))
	}
	switch {
	case hsp.UserName != s.user.Name:
		return s.report(hdr, usmStatsUnknownUserNames, 1)
	case hsp.AuthoritativeEngineID != engineID:
		return s.report(hdr, usmStatsUnknownEngineIDs, s.unknownEngineID.Add(1))
	case flags != s.level:
		return s.report(hdr, usmStatsUnsupportedSecLevels, 1)
	}
	verify := s.params()
	verify.SecretKey, verify.PrivacyKey = s.authKey, s.privKey
	srv := &gosnmp.GoSNMP{
		Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: s.level,
		SecurityParameters: verify,
	}
	pkt, err := srv.UnmarshalTrap(msg, false)
	if err != nil {
		return s.report(hdr, usmStatsWrongDigests, 1)
	}
	req.PDUType, req.Varbinds = pkt.PDUType, len(pkt.Variables)
	resp, ok := a.respond(pkt)
	if !ok {
		return nil
	}
	if resp.garbage {
		return []byte{0x30, 0x03, 0xde, 0xad, 0xbe}
	}
	sp := s.params()
	sp.AuthoritativeEngineTime = s.engineTime()
	sp.SecretKey, sp.PrivacyKey = s.authKey, s.privKey
	if s.level == gosnmp.AuthPriv {
		salt := make([]byte, 8)
		binary.BigEndian.PutUint64(salt, s.salt.Add(1))
		sp.PrivacyParameters = salt
	}
	out, err := (&gosnmp.SnmpPacket{
		Version:            gosnmp.Version3,
		MsgFlags:           s.level,
		SecurityModel:      gosnmp.UserSecurityModel,
		SecurityParameters: sp,
		PDUType:            gosnmp.GetResponse,
		MsgID:              pkt.MsgID,
		RequestID:          pkt.RequestID,
		ContextEngineID:    engineID,
		ContextName:        pkt.ContextName,
		Error:              resp.status,
		ErrorIndex:         resp.index,
		Variables:          resp.vars,
	}).MarshalMsg()
	if err != nil {
		return nil
	}
	return out
}

// report builds an unauthenticated USM Report carrying the agent's engine
// ID, boots and time, which is how a manager discovers them (RFC 3414 4).
func (s *usm) report(req *gosnmp.SnmpPacket, oid string, count uint32) []byte {
	out, err := (&gosnmp.SnmpPacket{
		Version:       gosnmp.Version3,
		MsgFlags:      gosnmp.NoAuthNoPriv,
		SecurityModel: gosnmp.UserSecurityModel,
		SecurityParameters: &gosnmp.UsmSecurityParameters{
			AuthoritativeEngineID:    engineID,
			AuthoritativeEngineBoots: 1,
			AuthoritativeEngineTime:  s.engineTime(),
		},
		PDUType:         gosnmp.Report,
		MsgID:           req.MsgID,
		RequestID:       req.RequestID,
		ContextEngineID: engineID,
		Variables:       []gosnmp.SnmpPDU{{Name: oid, Type: gosnmp.Counter32, Value: count}},
	}).MarshalMsg()
	if err != nil {
		return nil
	}
	return out
}
