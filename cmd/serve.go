package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/netprobe/netprobe/checkfile"
	"github.com/netprobe/netprobe/serve"
)

// serveFlags are the flags of netprobe serve.
type serveFlags struct {
	listen        string
	file          string
	maxConcurrent int
}

// NewCmdServe answers Prometheus scrapes the way blackbox_exporter does.
func NewCmdServe(f *Factory) *cobra.Command {
	s := &serveFlags{}
	c := &cobra.Command{
		Use:   "serve [--listen ADDR] [-f FILE]",
		Short: "Answer Prometheus: /probe?target=...&module=... runs a check module, like blackbox_exporter",
		Long: `Serve Prometheus the way blackbox_exporter does. Prometheus decides
when to probe; netprobe keeps no schedule and no history.

  /probe?target=T&module=M  run module M of the check file against T and
                            answer with that run's metrics (probe_success,
                            probe_duration_seconds, netprobe_layer_status,
                            netprobe_check_status, probe_ssl_earliest_cert_expiry,
                            probe_http_status_code, netprobe_printer_supply_percent, ...)
  /metrics                  netprobe's own metrics
  /-/healthy                200 while serving
  /-/reload                 POST: re-read the check file (SIGHUP does too);
                            a bad file is refused and the old one kept

Without a file, or with module=default, the built-in module probes T by its
form: tcp://HOST:PORT and HOST:PORT connect, udp://HOST:PORT, http(s)://
URLs, dns://SERVER/NAME asks SERVER for NAME, and a bare host is pinged. It
probes T and nothing else: no lower layers, no public defaults.

The X-Prometheus-Scrape-Timeout-Seconds header bounds each probe (less
0.5s), a module's timeout bounds it too; a client that goes away cancels
its probe.`,
		Example: `  netprobe serve
  netprobe serve --listen 127.0.0.1:9469 -f office.yaml --max-concurrent 50`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return runServe(c, f, s) },
	}
	fl := c.Flags()
	fl.StringVar(&s.listen, "listen", serve.DefaultListen, "address to listen on (loopback by default)")
	fl.StringVarP(&s.file, "file", "f", "", "check file with the modules to serve (optional)")
	fl.IntVar(&s.maxConcurrent, "max-concurrent", serve.DefaultMaxConcurrent, "most probes running at once; more wait until their scrape's deadline, then get 503")
	return c
}

func runServe(c *cobra.Command, f *Factory, s *serveFlags) error {
	if s.maxConcurrent < 1 || s.maxConcurrent > 100000 {
		return usagef("max-concurrent %d is out of range (1-100000)", s.maxConcurrent)
	}
	if _, _, err := net.SplitHostPort(s.listen); err != nil {
		return usagef("listen %q is not HOST:PORT", s.listen)
	}
	log := slog.New(slog.NewTextHandler(f.IO.ErrOut, nil))
	cfg := serve.Config{MaxConcurrent: s.maxConcurrent, Env: checkfile.Env{Getenv: f.Getenv}, Version: Version, Log: log}
	if s.file != "" {
		path := s.file
		cfg.Load = func() (*checkfile.File, error) {
			cf, err := checkfile.Load(path)
			if err != nil {
				return nil, err
			}
			// Every module must compile now (secrets in the environment,
			// ca_file), not at the first scrape.
			if err := cf.CheckModules(cfg.Env); err != nil {
				return nil, err
			}
			return cf, nil
		}
	}
	srv, err := serve.New(cfg)
	if err != nil {
		return fileErrors(f, err)
	}
	ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				srv.Reload()
			case <-ctx.Done():
				return
			}
		}
	}()
	serveFn := f.Serve
	if serveFn == nil {
		serveFn = listenAndServe
	}
	return serveFn(ctx, srv.Handler(), s.listen, func(addr string) { log.Info("serving", "listen", addr, "file", s.file) })
}

// listenAndServe serves h on listen until ctx ends, then shuts down,
// giving running probes a few seconds.
func listenAndServe(ctx context.Context, h http.Handler, listen string, ready func(addr string)) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %v", err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	ready(ln.Addr().String())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
