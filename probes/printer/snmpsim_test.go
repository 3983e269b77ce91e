package printer

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/netprobe/netprobe/internal/testnet"

	"github.com/gosnmp/gosnmp"

	"github.com/netprobe/netprobe/result"
)

// TestPrinterAgainstSnmpsim cross-checks the probe against an SNMP agent
// that is not ours: Debian's snmpsimd serving the same recordings (the
// community picks the file). Its GETBULK answers are capped at 64 varbinds,
// so this also proves the walker continues after truncation within the
// round-trip budget. Skipped when snmpsimd is not installed or with -short
// (it needs several seconds to index the files).
func TestPrinterAgainstSnmpsim(t *testing.T) {
	if testing.Short() {
		t.Skip("snmpsimd needs seconds to start; skipped with -short")
	}
	bin, err := exec.LookPath("snmpsimd")
	if err != nil {
		t.Skip("snmpsimd not installed (apt-get install snmpsim); the in-process agent tests still ran")
	}
	data, cache := snmpsimDirs(t)
	port := testnet.ClosedUDP(t)
	args := []string{
		"--data-dir=" + data, "--cache-dir=" + cache, "--logging-method=stderr",
		"--agent-udpv4-endpoint=127.0.0.1:" + strconv.Itoa(port),
	}
	if os.Geteuid() == 0 {
		// snmpsimd refuses to run as root; it drops to nobody itself.
		args = append(args, "--process-user=nobody", "--process-group="+nobodyGroup(t))
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start snmpsimd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitForSnmpsim(t, port, &log)

	for _, tt := range recordingCases {
		t.Run(tt.file, func(t *testing.T) {
			c := Check(context.Background(), "127.0.0.1", Options{
				Port: port, Community: tt.file, PrintPorts: []int{testnet.OpenTCP(t)},
			})
			if c.Status != tt.status || c.Evidence["condition"] != tt.condition || c.Detail != tt.detail {
				t.Errorf("got %s/%v %q\nwant %s/%s %q", c.Status, c.Evidence["condition"], c.Detail, tt.status, tt.condition, tt.detail)
			}
			if c.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", c.Reason, tt.reason)
			}
			if got := c.Evidence["problems"]; !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems = %#v, want %#v", got, tt.problems)
			}
			if n, _ := c.Evidence["snmp_round_trips"].(int); n < 2 || n > 5 {
				t.Errorf("%d round trips, budget is 5", n)
			}
			t.Logf("%d round trips", c.Evidence["snmp_round_trips"])
		})
	}
	// A community snmpsimd does not know gets no reply: SNMP silent.
	c := Check(context.Background(), "127.0.0.1", Options{
		Port: port, Community: "no-such-recording", Timeout: time.Second, PrintPorts: []int{testnet.OpenTCP(t)},
	})
	if c.Status != result.Fail || c.Evidence["condition"] != "snmp_silent" {
		t.Errorf("unknown community: %s/%v %s", c.Status, c.Evidence["condition"], c.Detail)
	}
}

// snmpsimDirs copies the recordings to a data directory and makes a cache
// directory, both usable by the unprivileged user snmpsimd runs as.
func snmpsimDirs(t *testing.T) (data, cache string) {
	t.Helper()
	root, err := os.MkdirTemp("", "netprobe-snmpsim-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	data, cache = filepath.Join(root, "data"), filepath.Join(root, "cache")
	for _, d := range []string{data, cache} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// The cache must be writable by the user snmpsimd drops to.
	if err := os.Chmod(cache, 0o777); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(printerTestdata, "*.snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return data, cache
}

// nobodyGroup names the unprivileged group: "nogroup" on Debian, "nobody"
// elsewhere.
func nobodyGroup(t *testing.T) string {
	for _, g := range []string{"nogroup", "nobody"} {
		if _, err := user.LookupGroup(g); err == nil {
			return g
		}
	}
	t.Skip("no unprivileged group for snmpsimd to drop to")
	return ""
}

// waitForSnmpsim polls until snmpsimd answers (it indexes the recordings
// first) or gives up after 60 s.
func waitForSnmpsim(t *testing.T, port int, log *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		g := &gosnmp.GoSNMP{
			Target: "127.0.0.1", Port: uint16(port), Version: gosnmp.Version2c, Community: "zebra_zebranet_wired_ps",
			Timeout: 300 * time.Millisecond, Retries: 0, Context: context.Background(),
		}
		if err := g.Connect(); err == nil {
			_, err = g.Get([]string{"1.3.6.1.2.1.1.1.0"})
			g.Conn.Close()
			if err == nil {
				return
			}
		}
		if c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("snmpsimd did not answer within 60 s; its log:\n%s", log.String())
}
