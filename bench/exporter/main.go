// Command exporter compares `netprobe serve` with blackbox_exporter on the
// same probes: a TCP connect, an ICMP echo and a DNS question, against
// the same servers on 127.0.0.1, through each exporter's /probe endpoint.
// It reports per-probe latency (median, p99, sequential scrapes), the
// highest scrape rate each sustains without an error, and resident memory.
//
// Everything listens on and targets 127.0.0.1 only; run it through
// bench/exporter/run, which also puts it in a network namespace that has
// nothing but loopback. It is not part of CI.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

var (
	netprobeBin = flag.String("netprobe", "bench/out/netprobe", "netprobe binary")
	blackboxBin = flag.String("blackbox", "/usr/bin/prometheus-blackbox-exporter", "blackbox_exporter binary")
	seqN        = flag.Int("n", 2000, "sequential scrapes per probe and exporter for the latency figures")
	rateSecs    = flag.Duration("rate-time", 5*time.Second, "how long each step of the rate search lasts")
	rates       = flag.String("rates", "500,750,1000,1250,1500,1750,2000,2500,3000,4000", "scrape rates (per second) to try, ascending")
	only        = flag.String("only", "tcp,icmp,dns", "probes to run")
	steadyRate  = flag.Int("steady", 200, "scrape rate (per second) of the 5 s during which memory is measured")
)

// exporter is one running exporter.
type exporter struct {
	name string
	cmd  *exec.Cmd
	base string
	// path builds the /probe URL of a probe.
	path func(probe string) string
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "np-exporter-bench")
	must(err)
	defer os.RemoveAll(dir)

	tcpPort := openTCP()
	dnsAddr := startDNS()
	fmt.Printf("targets: tcp 127.0.0.1:%d, icmp 127.0.0.1, dns %s (bench.lab.test A)\n\n", tcpPort, dnsAddr)

	npCfg := filepath.Join(dir, "netprobe.yaml")
	must(os.WriteFile(npCfg, []byte("modules:\n  dns:\n    dns: {resolve: bench.lab.test}\n"), 0o644))
	bbCfg := filepath.Join(dir, "blackbox.yml")
	must(os.WriteFile(bbCfg, []byte(`modules:
  tcp_connect:
    prober: tcp
    timeout: 5s
  icmp:
    prober: icmp
    timeout: 5s
    icmp:
      preferred_ip_protocol: ip4
  dns:
    prober: dns
    timeout: 5s
    dns:
      query_name: bench.lab.test
      query_type: A
      transport_protocol: udp
      preferred_ip_protocol: ip4
`), 0o644))

	npAddr, bbAddr := freePort(), freePort()
	np := &exporter{name: "netprobe serve", base: "http://" + npAddr,
		cmd: exec.Command(*netprobeBin, "serve", "--listen", npAddr, "-f", npCfg, "--max-concurrent", "10000"),
		path: func(p string) string {
			switch p {
			case "tcp":
				return "/probe?target=" + url.QueryEscape(fmt.Sprintf("tcp://127.0.0.1:%d", tcpPort))
			case "icmp":
				return "/probe?target=127.0.0.1"
			}
			return "/probe?module=dns&target=" + url.QueryEscape(dnsAddr)
		}}
	bb := &exporter{name: "blackbox_exporter", base: "http://" + bbAddr,
		cmd: exec.Command(*blackboxBin, "--config.file="+bbCfg, "--web.listen-address="+bbAddr, "--log.level=error"),
		path: func(p string) string {
			switch p {
			case "tcp":
				return "/probe?module=tcp_connect&target=" + url.QueryEscape(fmt.Sprintf("127.0.0.1:%d", tcpPort))
			case "icmp":
				return "/probe?module=icmp&target=127.0.0.1"
			}
			return "/probe?module=dns&target=" + url.QueryEscape(dnsAddr)
		}}
	exporters := []*exporter{np, bb}
	fmt.Printf("versions: %s | %s\n\n", version(*netprobeBin, "version"), version(*blackboxBin, "--version"))

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxConnsPerHost: 4096}, Timeout: 10 * time.Second}
	probes := strings.Split(*only, ",")
	fmt.Printf("| probe | exporter | median | p99 | max rate without errors (scrapes/s) | RSS at %d/s | peak RSS at %d/s |\n", *steadyRate, *steadyRate)
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, p := range probes {
		for _, e := range exporters {
			// A fresh process per probe, so the memory figures are that
			// probe's own; both get the same two cores (GOMAXPROCS
			// follows the affinity).
			cmd := exec.Command("taskset", append([]string{"-c", "0,1", e.cmd.Path}, e.cmd.Args[1:]...)...)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			must(cmd.Start())
			waitUp(e.base)
			u := e.base + e.path(p)
			// Warm up and prove the probe succeeds at all.
			for i := 0; i < 50; i++ {
				if err := scrape(client, u); err != nil {
					fmt.Fprintf(os.Stderr, "%s %s: %v\n", e.name, p, err)
					cmd.Process.Kill()
					os.Exit(1)
				}
			}
			lat := sequential(client, u, *seqN)
			// Memory under a steady load well below either exporter's
			// limit: what a Prometheus scraping many targets costs.
			_, errs, _ := offer(client, u, *steadyRate, 5*time.Second)
			rss, hwm := memory(cmd.Process.Pid)
			if errs.total() > 0 {
				fmt.Fprintf(os.Stderr, "%s %s: errors at the steady rate: %v\n", e.name, p, errs)
			}
			best := rateSearch(client, u)
			cmd.Process.Kill()
			cmd.Wait()
			fmt.Printf("| %s | %s | %s | %s | %d | %.1f MiB | %.1f MiB |\n", p, e.name, fmtDur(percentile(lat, 50)), fmtDur(percentile(lat, 99)), best, rss, hwm)
		}
	}
}

// scrape GETs a /probe URL and demands probe_success 1.
func scrape(c *http.Client, u string) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "5")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	if !bytes.Contains(b, []byte("\nprobe_success 1\n")) {
		return fmt.Errorf("probe_success is not 1")
	}
	return nil
}

func sequential(c *http.Client, u string, n int) []time.Duration {
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := scrape(c, u); err != nil {
			fmt.Fprintf(os.Stderr, "sequential: %v\n", err)
			os.Exit(1)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// rateSearch offers each rate in turn (open loop: a scrape starts every
// 1/rate whatever the others do) and returns the highest one at which
// every scrape succeeded and the rate was actually reached.
func rateSearch(c *http.Client, u string) int {
	best := 0
	for _, f := range strings.Split(*rates, ",") {
		r, err := strconv.Atoi(f)
		must(err)
		ok, errs, took := offer(c, u, r, *rateSecs)
		achieved := float64(ok) / took.Seconds()
		if errs.total() > 0 || achieved < 0.95*float64(r) {
			fmt.Fprintf(os.Stderr, "  %s at %d/s: %d ok, errors %v, %.0f/s achieved: stop\n", u, r, ok, errs, achieved)
			break
		}
		best = r
		time.Sleep(500 * time.Millisecond)
	}
	return best
}

// errorKinds counts failed scrapes by their first words.
type errorKinds struct {
	mu sync.Mutex
	m  map[string]int
}

func (e *errorKinds) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string]int{}
	}
	k := err.Error()
	if len(k) > 60 {
		k = k[:60]
	}
	e.m[k]++
}

func (e *errorKinds) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, v := range e.m {
		n += v
	}
	return n
}

func (e *errorKinds) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Sprint(e.m)
}

func offer(c *http.Client, u string, rate int, d time.Duration) (ok int64, errs *errorKinds, took time.Duration) {
	var okN atomic.Int64
	errs = &errorKinds{}
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	next := start
	for ctx.Err() == nil {
		next = next.Add(interval)
		if w := time.Until(next); w > 0 {
			time.Sleep(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := scrape(c, u); err == nil {
				okN.Add(1)
			} else {
				errs.add(err)
			}
		}()
	}
	wg.Wait()
	return okN.Load(), errs, time.Since(start)
}

// memory reads VmRSS and VmHWM (MiB) of the exporter: taskset execs it,
// so the pid is the exporter's.
func memory(pid int) (rss, hwm float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	must(err)
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = v / 1024
		case "VmHWM:":
			hwm = v / 1024
		}
	}
	return rss, hwm
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i]
}

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + " ms"
}

func openTCP() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func startDNS() string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(err)
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Qtype == dns.TypeA {
			rr, _ := dns.NewRR("bench.lab.test. 60 IN A 127.0.0.7")
			m.Answer = append(m.Answer, rr)
		}
		w.WriteMsg(m)
	})
	started := make(chan struct{})
	go (&dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: func() { close(started) }}).ActivateAndServe()
	<-started
	return pc.LocalAddr().String()
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	return ln.Addr().String()
}

func waitUp(base string) {
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(base + "/-/healthy"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "%s did not come up\n", base)
	os.Exit(1)
}

func version(bin, arg string) string {
	out, _ := exec.Command(bin, arg).CombinedOutput()
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
