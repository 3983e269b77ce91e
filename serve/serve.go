// Package serve is `netprobe serve`: an HTTP endpoint Prometheus scrapes
// the way it scrapes blackbox_exporter. /probe?target=T&module=M runs one
// module of the check file (or the built-in default module, which probes
// T by its form) under the scrape's timeout and answers with that run's
// metrics from a registry made for the request; /metrics is netprobe's
// own; /-/healthy and /-/reload (or SIGHUP) are for operators.
//
// netprobe keeps no schedule and no history: Prometheus decides when to
// probe and keeps the results.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/netprobe/netprobe/checkfile"
	"github.com/netprobe/netprobe/diagnose"
	"github.com/netprobe/netprobe/reports"
	"github.com/netprobe/netprobe/result"
)

// Defaults of the server.
const (
	// DefaultListen is loopback: exposing the prober is the operator's
	// choice, not a default. 9469 is netprobe's entry in Prometheus' port
	// allocation list style (next to blackbox_exporter's 9115).
	DefaultListen = "127.0.0.1:9469"
	// DefaultTimeout bounds a probe when the request does not say how long
	// Prometheus waits.
	DefaultTimeout = 10 * time.Second
	// TimeoutOffset is kept from the scrape timeout so the answer arrives
	// before Prometheus gives up (blackbox_exporter keeps 0.5s too).
	TimeoutOffset = 500 * time.Millisecond
	// MinTimeout is the shortest probe diagnose accepts.
	MinTimeout = 200 * time.Millisecond
	// DefaultMaxConcurrent bounds probes running at once.
	DefaultMaxConcurrent = 100
	// ScrapeTimeoutHeader is how Prometheus tells the scrape timeout.
	ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"
)

// Config is what a Server needs.
type Config struct {
	// Load reads and validates the check file; nil means no file: only
	// the built-in default module exists.
	Load func() (*checkfile.File, error)
	// MaxConcurrent bounds probes running at once (DefaultMaxConcurrent
	// when 0). A request that finds no free slot before its deadline gets
	// 503.
	MaxConcurrent int
	// Env reads the secrets the file names.
	Env checkfile.Env
	// Version is netprobe's, for netprobe_build_info and reports.
	Version string
	// Log receives reloads and failures; nil discards.
	Log *slog.Logger
	// Run performs a diagnosis; nil is diagnose.Run (tests substitute).
	Run func(ctx context.Context, o diagnose.Options) *result.Report
}

// Server answers the endpoints. It is safe for concurrent use.
type Server struct {
	cfg  Config
	file atomic.Pointer[checkfile.File]
	sem  chan struct{}
	reg  *prometheus.Registry
	m    serverMetrics
	// reloadMu makes reloads one at a time.
	reloadMu sync.Mutex
}

type serverMetrics struct {
	probes        *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	inFlight      prometheus.Gauge
	rejected      prometheus.Counter
	reloadOK      prometheus.Gauge
	reloadSuccess prometheus.Gauge
}

// New loads the file (an error if it is bad: a server must not start
// without the checks it was asked to serve) and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Run == nil {
		cfg.Run = diagnose.Run
	}
	s := &Server{cfg: cfg, sem: make(chan struct{}, cfg.MaxConcurrent), reg: prometheus.NewRegistry()}
	s.register()
	if cfg.Load != nil {
		f, err := cfg.Load()
		if err != nil {
			return nil, err
		}
		s.file.Store(f)
	}
	s.m.reloadOK.Set(1)
	s.m.reloadSuccess.SetToCurrentTime()
	return s, nil
}

func (s *Server) register() {
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "netprobe_build_info",
		Help: "netprobe's version and the Go version it was built with; always 1."}, []string{"version", "goversion"})
	build.WithLabelValues(s.cfg.Version, runtime.Version()).Set(1)
	s.m = serverMetrics{
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netprobe_probes_total",
			Help: "Probes answered, by module and result (success, failure, error: bad request or no slot, canceled: the client went away)."},
			[]string{"module", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "netprobe_probe_duration_seconds",
			Help: "How long probes took, by module.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
			[]string{"module"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "netprobe_probes_in_flight", Help: "Probes running now."}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "netprobe_probes_rejected_total",
			Help: "Probes refused because --max-concurrent probes were running until the scrape's deadline."}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{Name: "netprobe_config_last_reload_successful",
			Help: "Whether the last reload of the check file succeeded (1) or was refused, keeping the old one (0)."}),
		reloadSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "netprobe_config_last_reload_success_timestamp_seconds",
			Help: "When the check file was last loaded successfully."}),
	}
	s.reg.MustRegister(build, s.m.probes, s.m.duration, s.m.inFlight, s.m.rejected, s.m.reloadOK, s.m.reloadSuccess,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Reload re-reads the check file. A bad file is refused and the old one
// kept; the error lists every problem.
func (s *Server) Reload() error {
	if s.cfg.Load == nil {
		return nil
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	f, err := s.cfg.Load()
	if err != nil {
		s.m.reloadOK.Set(0)
		s.cfg.Log.Error("reload refused, keeping the previous check file", "error", strings.ReplaceAll(err.Error(), "\n", "; "))
		return err
	}
	s.file.Store(f)
	s.m.reloadOK.Set(1)
	s.m.reloadSuccess.SetToCurrentTime()
	s.cfg.Log.Info("check file reloaded", "summary", f.Summary())
	return nil
}

// Handler serves every endpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", s.probe)
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Healthy\n")
	})
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			w.Header().Set("Allow", "POST, PUT")
			http.Error(w, "reload with POST", http.StatusMethodNotAllowed)
			return
		}
		if err := s.Reload(); err != nil {
			http.Error(w, "reload refused, the previous check file stays in use:\n"+err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "reloaded\n")
	})
	mux.HandleFunc("/", s.index)
	return mux
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "netprobe %s\n\n/probe?target=T&module=M  run a module against T (Prometheus exposition)\n/metrics                  netprobe's own metrics\n/-/healthy                health\n/-/reload                 re-read the check file (POST)\n\nmodules: %s\n",
		s.cfg.Version, strings.Join(s.modules(), ", "))
}

func (s *Server) modules() []string {
	names := []string{checkfile.DefaultModuleName}
	if f := s.file.Load(); f != nil {
		for n := range f.Modules {
			if n != checkfile.DefaultModuleName {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names[1:])
	return names
}

// probeTimeout is how long a probe may take: the scrape timeout Prometheus
// sent, less an offset so the answer arrives in time, bounded by the
// module's own timeout.
func probeTimeout(r *http.Request, module time.Duration) (time.Duration, error) {
	t := DefaultTimeout
	if h := r.Header.Get(ScrapeTimeoutHeader); h != "" {
		secs, err := strconv.ParseFloat(h, 64)
		if err != nil || secs <= 0 || secs > 3600 {
			return 0, fmt.Errorf("header %s: %q is not a number of seconds", ScrapeTimeoutHeader, h)
		}
		whole := time.Duration(secs * float64(time.Second))
		t = whole - TimeoutOffset
		if t < whole/2 {
			t = whole / 2
		}
	}
	if module > 0 && module < t {
		t = module
	}
	if t < MinTimeout {
		t = MinTimeout
	}
	return t, nil
}

func (s *Server) probe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	module := q.Get("module")
	if module == "" {
		module = checkfile.DefaultModuleName
	}
	target := q.Get("target")
	o, moduleTimeout, err := s.options(module, target)
	if err != nil {
		s.m.probes.WithLabelValues(s.metricModule(module), "error").Inc()
		http.Error(w, oneLine(err), http.StatusBadRequest)
		return
	}
	timeout, err := probeTimeout(r, moduleTimeout)
	if err != nil {
		s.m.probes.WithLabelValues(module, "error").Inc()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.Budget = timeout
	// The client's context: a scrape that gives up cancels its probe.
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		s.m.rejected.Inc()
		s.m.probes.WithLabelValues(module, "error").Inc()
		http.Error(w, fmt.Sprintf("too many probes at once (--max-concurrent %d)", cap(s.sem)), http.StatusServiceUnavailable)
		return
	}
	s.m.inFlight.Inc()
	start := time.Now()
	rep := s.cfg.Run(ctx, o)
	s.m.inFlight.Dec()
	<-s.sem
	s.m.duration.WithLabelValues(module).Observe(time.Since(start).Seconds())
	if r.Context().Err() != nil {
		s.m.probes.WithLabelValues(module, "canceled").Inc()
		return
	}
	res := "failure"
	if rep.Verdict.Status == result.Healthy || rep.Verdict.Status == result.Degraded {
		res = "success"
	}
	s.m.probes.WithLabelValues(module, res).Inc()
	reg := prometheus.NewRegistry()
	reg.MustRegister(reports.NewCollector(rep))
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// options builds the run of a request; the module's own timeout comes
// back separately so the scrape's can bound it.
func (s *Server) options(module, target string) (diagnose.Options, time.Duration, error) {
	f := s.file.Load()
	var (
		o   diagnose.Options
		err error
	)
	switch {
	case f != nil && f.HasModule(module):
		o, err = f.ModuleOptions(module, target, s.cfg.Env)
	case module == checkfile.DefaultModuleName:
		o, err = checkfile.DefaultModuleOptions(target, s.cfg.Env)
	default:
		return o, 0, fmt.Errorf("unknown module %q (known: %s)", module, strings.Join(s.modules(), ", "))
	}
	if err != nil {
		return o, 0, err
	}
	moduleTimeout := time.Duration(0)
	if f != nil {
		moduleTimeout = f.ModuleTimeout(module)
	}
	o.Command, o.Version = "serve", s.cfg.Version
	return o, moduleTimeout, nil
}

// metricModule keeps an unknown module name out of the label set, so a
// scanner cannot grow netprobe's own metrics without bound.
func (s *Server) metricModule(m string) string {
	for _, k := range s.modules() {
		if k == m {
			return m
		}
	}
	return "unknown"
}

func oneLine(err error) string {
	var errs checkfile.Errors
	if errors.As(err, &errs) {
		return strings.ReplaceAll(errs.Error(), "\n", "; ")
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
