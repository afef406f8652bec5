package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lbaas/terraform-provider-lbaas/internal/agent"
	"github.com/lbaas/terraform-provider-lbaas/internal/apiserver"
	"github.com/lbaas/terraform-provider-lbaas/internal/compute"
	computelocal "github.com/lbaas/terraform-provider-lbaas/internal/compute/local"
	"github.com/lbaas/terraform-provider-lbaas/internal/controller"
	"github.com/lbaas/terraform-provider-lbaas/internal/haproxy"
	"github.com/lbaas/terraform-provider-lbaas/internal/health"
	"github.com/lbaas/terraform-provider-lbaas/internal/lb"
	networklocal "github.com/lbaas/terraform-provider-lbaas/internal/network/local"
	"github.com/lbaas/terraform-provider-lbaas/internal/pki"
	"github.com/lbaas/terraform-provider-lbaas/internal/store"
)

// defaultProjectID is the project of objects created without one in noauth
// mode (no Keystone).
const defaultProjectID = "00000000000000000000000000000000"

// clientCertValidity is how long lbaasd's client certificate (issued anew
// at every start) is valid.
const clientCertValidity = 365 * 24 * time.Hour

type serveCmd struct {
	Listen    string        `default:"127.0.0.1:9876" env:"LBAASD_LISTEN" help:"Address of the Octavia v2 API, /metrics and /healthcheck."`
	DataDir   string        `default:"${default_data_dir}" env:"LBAASD_DATA_DIR" help:"Where lbaasd keeps its database, CA and amphorae."`
	Subnet    string        `default:"127.77.0.0/16" env:"LBAASD_SUBNET" help:"The default local subnet VIPs are allocated from."`
	AgentBin  string        `env:"LBAASD_AGENT_BIN" help:"The amphora-agent binary (default: next to lbaasd, else on PATH)."`
	HAProxy   string        `default:"haproxy" env:"LBAASD_HAPROXY" help:"The haproxy binary the amphorae run."`
	Workers   int           `default:"4" env:"LBAASD_WORKERS" help:"Load balancers reconciled at once."`
	Project   string        `default:"${default_project}" env:"LBAASD_DEFAULT_PROJECT" help:"Project of objects created without a project_id (noauth)."`
	LogLevel  string        `default:"info" enum:"debug,info,warn,error" env:"LBAASD_LOG_LEVEL" help:"Log level (debug, info, warn, error)."`
	LogFormat string        `default:"text" enum:"text,json" env:"LBAASD_LOG_FORMAT" help:"Log format (text, json)."`
	Shutdown  time.Duration `default:"15s" env:"LBAASD_SHUTDOWN_TIMEOUT" help:"How long in-flight requests get on SIGTERM."`

	HealthListen      string        `default:"127.0.0.1:5555" env:"LBAASD_HEALTH_LISTEN" help:"UDP address where amphorae send their heartbeats (Octavia's health manager bind_ip:bind_port). Port 0 picks a free port and keeps it across restarts (it is recorded in <data-dir>/health.addr), so running amphorae keep reaching lbaasd."`
	HeartbeatInterval time.Duration `default:"1s" env:"LBAASD_HEARTBEAT_INTERVAL" help:"How often amphorae send a heartbeat (Octavia's default is 10s; the local amphorae send on loopback, where it costs nothing)."`

	FailoverTimeout       time.Duration `default:"60s" env:"LBAASD_FAILOVER_TIMEOUT" help:"An amphora of an ACTIVE load balancer without a healthy heartbeat for this long is replaced by a new one (Octavia's heartbeat_timeout); one whose agent lbaasd cannot reach is replaced at once. After lbaasd starts, amphorae get this long to report. 0 disables automatic failover."`
	FailoverMaxConcurrent int           `default:"2" env:"LBAASD_FAILOVER_MAX_CONCURRENT" help:"How many load balancers may be failing over at once (automatic and requested failovers together); more wait for a later scan."`
	FailoverStormMin      int           `default:"3" env:"LBAASD_FAILOVER_STORM_MIN" help:"Storm protection: when at least this many amphorae, and more than --failover-storm-fraction of all, miss their heartbeats at once, failover for missed heartbeats pauses (logged, and lbaasd_controller_failover_paused is 1) until fewer are stale."`
	FailoverStormFraction float64       `default:"0.5" env:"LBAASD_FAILOVER_STORM_FRACTION" help:"Storm protection: the fraction of all monitored amphorae (0 to 1) that must be stale at once, with --failover-storm-min, to pause failover."`
	AgentCertValidity     time.Duration `default:"8760h" env:"LBAASD_AGENT_CERT_VALIDITY" help:"How long the certificate of a new amphora's agent is valid (a year)."`
	CertRotateBefore      time.Duration `default:"336h" env:"LBAASD_CERT_ROTATE_BEFORE" help:"An amphora whose agent certificate expires within this is replaced by one with a fresh certificate, without dropping traffic (Octavia's cert_expiry_buffer, 14 days; at most half --agent-cert-validity). 0 disables it."`
	PurgeDeletedAfter     time.Duration `default:"168h" env:"LBAASD_PURGE_DELETED_AFTER" help:"DELETED load balancers are purged from the store this long after their deletion (Octavia's load_balancer_expiry_age, a week). 0 keeps them."`
}

func newLogger(w *os.File, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (s serveCmd) Run(e *env) error {
	log := newLogger(os.Stderr, s.LogLevel, s.LogFormat)
	ctx := e.ctx

	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	haproxyBin, err := exec.LookPath(s.HAProxy)
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/haproxy"); s.HAProxy == "haproxy" && serr == nil {
			haproxyBin = "/usr/sbin/haproxy"
		} else {
			return fmt.Errorf("haproxy not found (%w): install it with apt-get install haproxy, or pass --haproxy", err)
		}
	}
	agentBin, err := findAgent(s.AgentBin)
	if err != nil {
		return err
	}

	st, err := store.OpenSQLite(ctx, filepath.Join(s.DataDir, "lbaasd.db"))
	if err != nil {
		return err
	}
	defer st.Close()

	ca, err := pki.LoadOrCreateCA(filepath.Join(s.DataDir, "pki"))
	if err != nil {
		return fmt.Errorf("lbaasd CA: %w", err)
	}
	clientCert, clientKey, err := ca.IssueClient("lbaasd", clientCertValidity)
	if err != nil {
		return fmt.Errorf("lbaasd client certificate: %w", err)
	}
	tlsCfg, err := agent.ClientTLSConfig(clientCert, clientKey, ca.Pool())
	if err != nil {
		return err
	}

	newID := func() string { return uuid.NewString() }
	netDriver := networklocal.New(st, newID)
	if _, err := netDriver.EnsureSubnet(ctx, s.Subnet, "lbaasd-local", true); err != nil {
		return err
	}
	comp, err := computelocal.New(computelocal.Config{
		Dir: filepath.Join(s.DataDir, "a"), AgentBin: agentBin, HAProxyBin: haproxyBin, Logger: log,
	})
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := controller.NewMetrics()
	if err := metrics.Register(reg); err != nil {
		return err
	}
	if s.HeartbeatInterval <= 0 {
		return fmt.Errorf("--heartbeat-interval %s: must be positive", s.HeartbeatInterval)
	}
	if err := s.checkFailover(); err != nil {
		return err
	}
	hintMigrateReq(log)
	healthMetrics := health.NewMetrics()
	if err := healthMetrics.Register(reg); err != nil {
		return err
	}
	healthMgr, err := health.New(health.Config{
		Store:   st,
		Logger:  log.With("component", "health"),
		Metrics: healthMetrics,
		// Later than Octavia's fixed 10 s when heartbeats come slower.
		MaxDelay: max(10*time.Second, s.HeartbeatInterval),
	})
	if err != nil {
		return err
	}
	hbConn, err := listenHealth(ctx, s.HealthListen, s.DataDir)
	if err != nil {
		return err
	}
	// Serve closes it; this covers a return before Serve runs.
	defer func() { _ = hbConn.Close() }()
	hbTarget := heartbeatTarget(hbConn.LocalAddr())
	dialer := newDialer(tlsCfg)
	defer dialer.closeAll()
	maxConn := maxConnCap()
	ctrl, err := controller.New(controller.Config{
		Store:   st,
		Compute: comp,
		Network: netDriver,
		Dial:    dialer.dial,
		Render: func(g *lb.LoadBalancer, info agent.Info) (string, error) {
			return haproxy.Render(g, haproxy.Options{
				StateDir:   info.StateDir,
				CertDir:    filepath.Join(info.StateDir, "certs"),
				MaxConnCap: maxConn,
			})
		},
		IssueCert: func(amphoraID string) ([]byte, []byte, []byte, time.Time, error) {
			certPEM, keyPEM, err := ca.IssueServer(amphoraID, []net.IP{net.ParseIP("127.0.0.1")}, []string{amphoraID}, s.AgentCertValidity)
			if err != nil {
				return nil, nil, nil, time.Time{}, err
			}
			notAfter, err := pki.NotAfter(certPEM)
			return certPEM, keyPEM, ca.CertPEM(), notAfter, err
		},
		Heartbeats: controller.Heartbeats{
			Key:      healthMgr.Key,
			Targets:  []string{hbTarget},
			Interval: s.HeartbeatInterval,
		},
		Logger:  log.With("component", "controller"),
		Metrics: metrics,
		Workers: s.Workers,
		NewID:   newID,
		Failover: controller.Failover{
			Timeout:          s.FailoverTimeout,
			MaxConcurrent:    s.FailoverMaxConcurrent,
			StormMin:         s.FailoverStormMin,
			StormFraction:    s.FailoverStormFraction,
			CertRotateBefore: s.CertRotateBefore,
		},
		Housekeeping: controller.Housekeeping{PurgeDeletedAfter: s.PurgeDeletedAfter},
	})
	if err != nil {
		return err
	}

	api, err := apiserver.New(apiserver.Config{
		Store:            st,
		Network:          netDriver,
		Controller:       ctrl,
		Stats:            statsSource{st: st},
		DefaultProjectID: s.Project,
		Logger:           log.With("component", "api"),
		NewID:            newID,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthcheck", func(w http.ResponseWriter, r *http.Request) {
		if _, err := st.Subnets(r.Context()); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("OK"))
	})
	// The local subnets, networks and VIP ports, read-only in Neutron's
	// format, for clients that resolve names through the same endpoint.
	networklocal.NewAPI(st).Register(mux)
	mux.Handle("/", instrument(reg, api))

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(3)
	go func() {
		defer wg.Done()
		errs <- ctrl.Run(runCtx)
	}()
	go func() {
		defer wg.Done()
		errs <- healthMgr.Serve(runCtx, hbConn)
	}()
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- err
			return
		}
		errs <- nil
	}()
	log.Info("lbaasd serving", "listen", ln.Addr().String(), "health_listen", hbConn.LocalAddr().String(),
		"heartbeat_target", hbTarget, "data_dir", s.DataDir, "subnet", s.Subnet, "version", version)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	log.Info("lbaasd shutting down")
	shutCtx, shutCancel := context.WithTimeout(context.WithoutCancel(ctx), s.Shutdown)
	defer shutCancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		runErr = errors.Join(runErr, err)
	}
	log.Info("lbaasd stopped")
	return runErr
}

// hintMigrateReq says, once at start, what the kernel does to a failover's
// connections: the replaced amphora's HAProxy soft-stops (the requests in
// progress finish), but connections the kernel queued on its listening
// socket in the instant it closes are reset unless net.ipv4.tcp_migrate_req
// is 1, which hands them to the replacement's socket of the same
// SO_REUSEPORT group. It is a machine-wide setting: lbaasd does not change it.
func hintMigrateReq(log *slog.Logger) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_migrate_req")
	if err != nil || strings.TrimSpace(string(b)) != "0" {
		return
	}
	log.Info("net.ipv4.tcp_migrate_req is 0: a failover may reset the few connections queued on the replaced " +
		"HAProxy's socket as it closes; sysctl -w net.ipv4.tcp_migrate_req=1 hands them to the replacement")
}

// checkFailover refuses failover settings that cannot work.
func (s serveCmd) checkFailover() error {
	switch {
	case s.FailoverTimeout < 0:
		return fmt.Errorf("--failover-timeout %s: must not be negative", s.FailoverTimeout)
	case s.FailoverTimeout > 0 && s.FailoverTimeout < 2*s.HeartbeatInterval:
		return fmt.Errorf("--failover-timeout %s: must be at least twice --heartbeat-interval (%s)", s.FailoverTimeout, s.HeartbeatInterval)
	case s.FailoverMaxConcurrent < 1:
		return fmt.Errorf("--failover-max-concurrent %d: must be at least 1", s.FailoverMaxConcurrent)
	case s.FailoverStormMin < 1:
		return fmt.Errorf("--failover-storm-min %d: must be at least 1", s.FailoverStormMin)
	case s.FailoverStormFraction <= 0 || s.FailoverStormFraction > 1:
		return fmt.Errorf("--failover-storm-fraction %g: must be above 0 and at most 1", s.FailoverStormFraction)
	case s.AgentCertValidity <= 0:
		return fmt.Errorf("--agent-cert-validity %s: must be positive", s.AgentCertValidity)
	case s.CertRotateBefore < 0 || s.CertRotateBefore > s.AgentCertValidity/2:
		// A window as long as the validity would replace every new amphora.
		return fmt.Errorf("--cert-rotate-before %s: must be between 0 and half --agent-cert-validity (%s)", s.CertRotateBefore, s.AgentCertValidity/2)
	case s.PurgeDeletedAfter < 0:
		return fmt.Errorf("--purge-deleted-after %s: must not be negative", s.PurgeDeletedAfter)
	}
	return nil
}

// findAgent locates the amphora-agent binary.
func findAgent(flagValue string) (string, error) {
	if flagValue != "" {
		// Absolute: amphora agents are started in their own directory.
		p, err := exec.LookPath(flagValue)
		if err != nil {
			return "", err
		}
		return filepath.Abs(p)
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "amphora-agent")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("amphora-agent")
	if err != nil {
		return "", fmt.Errorf("amphora-agent not found next to lbaasd or on PATH: pass --agent-bin (%w)", err)
	}
	return p, nil
}

// maxConnCap keeps HAProxy's global maxconn within what the file descriptor
// limit allows: HAProxy needs about two descriptors per connection, and
// refuses to start when it cannot raise its limit that far.
func maxConnCap() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Max <= 1024 {
		return 256
	}
	fds := min(rl.Max, uint64(10*haproxy.DefaultMaxConnCap))
	return min(max(int((fds-512)*2/5), 256), haproxy.DefaultMaxConnCap) //nolint:gosec // fds is bounded above.
}

// dialer keeps one agent client per amphora (so connections are reused)
// and drops it when the amphora's address changes.
type dialer struct {
	tls     *tls.Config
	mu      sync.Mutex
	clients map[string]*agent.Client
}

func newDialer(tlsCfg *tls.Config) *dialer {
	return &dialer{tls: tlsCfg, clients: map[string]*agent.Client{}}
}

func (d *dialer) dial(amphoraID string, inst compute.Instance) (controller.Agent, error) {
	key := amphoraID + " " + inst.AgentURL
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.clients[key]; ok {
		return c, nil
	}
	for k, c := range d.clients {
		if strings.HasPrefix(k, amphoraID+" ") {
			c.Close()
			delete(d.clients, k)
		}
	}
	c, err := agent.NewClient(inst.AgentURL, amphoraID, d.tls)
	if err != nil {
		return nil, err
	}
	d.clients[key] = c
	return c, nil
}

func (d *dialer) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, c := range d.clients {
		c.Close()
		delete(d.clients, k)
	}
}

// statsSource answers the API's /stats from the counters the amphorae's
// heartbeats reported (internal/health), summed over amphorae.
type statsSource struct{ st store.Store }

func (s statsSource) ListenerStats(ctx context.Context, g *lb.LoadBalancer) (map[string]apiserver.Stats, error) {
	rows, err := s.st.ListenerStatistics(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]apiserver.Stats{}
	for id, t := range health.ListenerTotals(g, rows) {
		out[id] = apiserver.Stats{
			BytesIn: t.BytesIn, BytesOut: t.BytesOut, ActiveConnections: t.ActiveConnections,
			TotalConnections: t.TotalConnections, RequestErrors: t.RequestErrors,
		}
	}
	return out, nil
}

// healthAddrFile records, in the data dir, the address the health manager
// listens on.
const healthAddrFile = "health.addr"

// listenHealth opens the heartbeat socket. With port 0 it first tries the
// port of the previous run (amphorae that outlived lbaasd send there), then
// any free port. The address is recorded in <data-dir>/health.addr.
func listenHealth(ctx context.Context, addr, dataDir string) (net.PacketConn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--health-listen %q: %w", addr, err)
	}
	var lc net.ListenConfig
	var pc net.PacketConn
	recorded := filepath.Join(dataDir, healthAddrFile)
	if port == "0" {
		if b, rerr := os.ReadFile(recorded); rerr == nil {
			if _, prev, serr := net.SplitHostPort(strings.TrimSpace(string(b))); serr == nil && prev != "0" {
				pc, _ = lc.ListenPacket(ctx, "udp", net.JoinHostPort(host, prev))
			}
		}
	}
	if pc == nil {
		if pc, err = lc.ListenPacket(ctx, "udp", addr); err != nil {
			return nil, fmt.Errorf("health manager: listening on %s: %w", addr, err)
		}
	}
	if err := os.WriteFile(recorded, []byte(pc.LocalAddr().String()+"\n"), 0o600); err != nil {
		return nil, errors.Join(fmt.Errorf("health manager: %w", err), pc.Close())
	}
	return pc, nil
}

// heartbeatTarget is the address amphorae send heartbeats to: the socket's,
// with an unspecified IP (0.0.0.0, ::) replaced by loopback, which is where
// the local amphorae run.
func heartbeatTarget(a net.Addr) string {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return a.String()
	}
	ip := ua.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
		if ua.IP != nil && ua.IP.To4() == nil {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ua.Port))
}

// instrument counts the API's requests and times them, by method and status
// code (paths are left out: object IDs would make every path a new series).
func instrument(reg prometheus.Registerer, h http.Handler) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "lbaasd", Subsystem: "api", Name: "requests_total",
		Help: "Octavia API requests, by method and status code.",
	}, []string{"method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "lbaasd", Subsystem: "api", Name: "request_duration_seconds",
		Help:    "Octavia API request latency, by method and status code.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	}, []string{"method", "code"})
	reg.MustRegister(requests, duration)
	return promhttp.InstrumentHandlerCounter(requests, promhttp.InstrumentHandlerDuration(duration, h))
}
