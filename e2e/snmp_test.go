//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/vishvananda/netns"
)

// Communities the lab's agent answers to. snmpsimd maps a v1/v2c community
// to the recording of the same name, so the community picks the printer.
const (
	communityHealthy  = "hp_color_laserjet_pro_m252dw" // running, no error bits, toner 36–88 %
	communityLowToner = "sharp_mx-3570n"               // hrDeviceStatus warning, error state 0x2000 = lowToner
	communityJammed   = "np-jammed"                    // e2e/testdata: down, 0x4400 = noPaper + jammed
)

// recordings are the real recordings the lab serves, from the repository's
// testdata/printers, plus the lab's own synthetic one.
var recordings = []string{communityHealthy + ".snmprec", communityLowToner + ".snmprec"}

// snmpStartTimeout bounds how long snmpsimd may take to index its
// recordings and answer (it is Python; a cold start takes a second or two).
const snmpStartTimeout = 45 * time.Second

// snmpAgent runs Debian's snmpsimd inside the printer namespace, serving
// real recordings on UDP 161 over IPv4 and IPv6. A real agent, not a fake:
// encoding, GetNext/GetBulk ordering and "no such instance" come from the
// same simulator the recordings were made for.
type snmpAgent struct {
	dataDir, cacheDir, logFile string
	client                     netns.NsHandle // where readiness is checked from

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// repoRoot is the module root: tests run with the package directory as
// working directory.
func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}

func recordingsDir() string {
	if d := os.Getenv("NETPROBE_E2E_RECORDINGS"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "testdata", "printers")
}

func startSNMPAgent(labDir string, client netns.NsHandle) (*snmpAgent, error) {
	a := &snmpAgent{
		dataDir:  filepath.Join(labDir, "snmp-data"),
		cacheDir: filepath.Join(labDir, "snmp-cache"),
		logFile:  filepath.Join(labDir, "snmpsimd.log"),
		client:   client,
	}
	for _, d := range []string{a.dataDir, a.cacheDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	// snmpsimd drops to nobody before it writes its index.
	if err := os.Chown(a.cacheDir, 65534, 65534); err != nil {
		return nil, err
	}
	src := map[string]string{communityJammed + ".snmprec": filepath.Join("testdata", communityJammed+".snmprec")}
	for _, r := range recordings {
		src[r] = filepath.Join(recordingsDir(), r)
	}
	for name, from := range src {
		b, err := os.ReadFile(from)
		if err != nil {
			return nil, fmt.Errorf("printer recording: %w (the lab serves the repository's testdata/printers)", err)
		}
		if err := os.WriteFile(filepath.Join(a.dataDir, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	if err := a.ensureRunning(); err != nil {
		a.stop()
		return nil, err
	}
	return a, nil
}

// running reports whether the agent process is alive.
func (a *snmpAgent) running() bool {
	if a.cmd == nil {
		return false
	}
	select {
	case <-a.done:
		return false
	default:
		return true
	}
}

// ensureRunning starts snmpsimd if it is not running and waits until it
// answers a GET from the client namespace.
func (a *snmpAgent) ensureRunning() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running() {
		return nil
	}
	logf, err := os.Create(a.logFile)
	if err != nil {
		return err
	}
	cmd := exec.Command("ip", "netns", "exec", nsPrinter, "snmpsimd",
		"--data-dir="+a.dataDir,
		"--cache-dir="+a.cacheDir,
		"--agent-udpv4-endpoint="+printerV4+":161",
		"--agent-udpv6-endpoint=["+printerV6+"]:161",
		"--process-user=nobody", "--process-group=nogroup",
		"--logging-method=stderr",
	)
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("snmpsimd: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	a.cmd, a.done = cmd, done

	deadline := time.Now().Add(snmpStartTimeout)
	for {
		if _, err := snmpGet(a.client, printerV4, communityHealthy, "1.3.6.1.2.1.1.1.0"); err == nil {
			return nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(a.logFile)
			return fmt.Errorf("snmpsimd exited during start-up:\n%s", tail(log, 2000))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(a.logFile)
			return fmt.Errorf("snmpsimd did not answer within %s:\n%s", snmpStartTimeout, tail(log, 2000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop kills the agent, leaving UDP 161 closed: "printer up, SNMP silent".
func (a *snmpAgent) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running() {
		_ = a.cmd.Process.Kill()
		<-a.done
	}
	a.cmd = nil
}

// snmpGet asks one OID with v2c from inside ns. The socket is made by
// Connect on a thread in ns and stays there.
func snmpGet(ns netns.NsHandle, host, community, oid string) (gosnmp.SnmpPDU, error) {
	g := &gosnmp.GoSNMP{
		Target:    host,
		Port:      161,
		Community: community,
		Version:   gosnmp.Version2c,
		Timeout:   300 * time.Millisecond,
		Retries:   0,
		MaxOids:   gosnmp.MaxOids,
	}
	if err := withNS(ns, g.Connect); err != nil {
		return gosnmp.SnmpPDU{}, err
	}
	defer g.Conn.Close()
	res, err := g.Get([]string{oid})
	if err != nil {
		return gosnmp.SnmpPDU{}, err
	}
	if len(res.Variables) != 1 {
		return gosnmp.SnmpPDU{}, fmt.Errorf("snmp get %s: %d variables", oid, len(res.Variables))
	}
	return res.Variables[0], nil
}

// tail returns at most n bytes from the end of b.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}
